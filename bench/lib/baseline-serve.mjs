// What every plain Fastify + pg baseline server does once its routes are in place: shut down as
// the services do (stop taking requests, let in-flight ones finish, close the pool) on SIGTERM
// or SIGINT, listen on PORT/HOST (a free port by default), and say where. Importing it also
// sets V8 as the services run it (./v8-runtime.mjs).

import './v8-runtime.mjs';

/** Installs the shutdown, listens, and prints `listening on <url>`. */
export async function serveBaseline(app, pool) {
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      app
        .close()
        .then(() => pool.end())
        .then(
          () => process.exit(0),
          (error) => {
            process.stderr.write(`baseline: error while shutting down: ${error}\n`);
            process.exit(1);
          },
        );
    });
  }
  const host = process.env.HOST || '127.0.0.1';
  await app.listen({ port: Number(process.env.PORT || 0), host });
  process.stdout.write(`listening on http://${host}:${app.server.address().port}\n`);
}
