# syntax=docker/dockerfile:1

# One image for every app; APP picks the one that runs (partner-registry, symposium,
# inquiries or worker):
#
#   docker build --build-arg APP=partner-registry -t sp/partner-registry .
#   docker run --rm -e APP=worker -e DATABASE_URL=... -e REDIS_URL=... sp/partner-registry
#
# The same image runs the database CLIs (migrations, demo seed):
#
#   docker run --rm -e DATABASE_URL=... sp/partner-registry node packages/db/dist/cli/migrate.js up

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: install everything, compile every workspace, then drop devDependencies.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1 \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false

# The npm the lockfile was written with (package.json "packageManager"); it honours the
# "allowScripts" section, so the pinned `node` package's preinstall runs and nothing else does.
ARG NPM_VERSION=11.19.1
RUN --mount=type=cache,target=/root/.npm \
    if [ "$(npm --version)" != "$NPM_VERSION" ]; then npm install --global "npm@$NPM_VERSION"; fi

# Manifests first: this layer and `npm ci` stay cached until a dependency changes.
# (test/compose.spec.ts checks that every workspace's package.json is listed here.)
COPY package.json package-lock.json ./
COPY packages/types/package.json packages/types/
COPY packages/db/package.json packages/db/
COPY packages/queue/package.json packages/queue/
COPY packages/platform/package.json packages/platform/
COPY packages/testing/package.json packages/testing/
COPY packages/client/package.json packages/client/
COPY apps/partner-registry/package.json apps/partner-registry/
COPY apps/symposium/package.json apps/symposium/
COPY apps/inquiries/package.json apps/inquiries/
COPY apps/worker/package.json apps/worker/

# With install scripts: the `node` devDependency's preinstall fetches the pinned Node binary
# that the build below runs on (node_modules/.bin/node).
RUN --mount=type=cache,target=/root/.npm \
    npm ci

COPY . .
RUN npx turbo run build --output-logs=errors-only

# Production dependencies only. This also removes the `node` devDependency and with it
# node_modules/.bin/node: at runtime the base image's own Node 24 (/usr/local/bin/node) runs
# the apps, which is what we want (one Node on PATH, no second 100 MB binary in the image).
# Sources and tests are not needed once compiled.
RUN npm prune --omit=dev \
    && rm -rf packages/*/src apps/*/src apps/*/test

# ---------------------------------------------------------------------------------------------
# runtime: compiled apps + production node_modules, run as the unprivileged `node` user.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app

ARG APP=""
# LOG_FORMAT=json: one JSON object a line for the log collector, even under `docker run -t`.
ENV APP=${APP} \
    NODE_ENV=production \
    HOST=0.0.0.0 \
    LOG_FORMAT=json \
    NODE_OPTIONS=--enable-source-maps

# Owned by root and read-only for `node`: the app cannot rewrite its own code.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/apps ./apps

USER node
EXPOSE 3001 3002 3003 3004

# Ready = the app's own dependencies answer (Postgres; the worker also needs Redis). The slim
# image has no curl, so ask Node's global fetch. PORT falls back to the app's default port.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "const p = process.env.PORT || { 'partner-registry': 3001, symposium: 3002, inquiries: 3003, worker: 3004 }[process.env.APP]; fetch(`http://127.0.0.1:${p}/health/ready`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));"]

# Graceful shutdown: the app stops on SIGTERM (closes the server, drains, closes pools).
# `exec` replaces the shell with node, so node is the container's main process and receives
# the stop signal itself (no shell in between that would swallow it).
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "exec node \"apps/${APP:?set APP to partner-registry, symposium, inquiries or worker}/dist/main.js\""]
