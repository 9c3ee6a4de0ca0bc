import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import {
  closeWorker,
  type JobHandlers,
  type QueueName,
  redisOptions,
  runJob,
  upsertSchedules,
} from '@sp/queue';
import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import type { BaseConfig } from '../config/config';
import { APP_CONFIG, REDIS } from '../tokens';
import { throttled } from '../logging/throttled';

/**
 * A service's scheduled work on its own data: the service's job queue and one handler per job
 * of that queue in `jobs` (declare the map `satisfies JobHandlers<typeof queue>`, so a job
 * without its handler does not compile). Handlers run at least once per slot: what they do
 * must be safe to repeat (mail goes through the service's outbox with an idempotency key).
 */
export type ServiceJobs<Q extends QueueName> = {
  readonly queue: Q;
  readonly handlers: JobHandlers<Q>;
};

/** The runner's view of any service's jobs: a handler per job name of its queue. */
type AnyServiceJobs = {
  readonly queue: QueueName;
  readonly handlers: Readonly<
    Record<string, (data: never, job: Job, token?: string) => Promise<unknown>>
  >;
};

const SERVICE_JOBS = Symbol('SERVICE_JOBS');

/**
 * Runs a service's job queue in that service: upserts the queue's schedules when the app
 * starts (every replica does; an unchanged schedule is left as it is, its next run too, and one no
 * longer in `schedules` is removed) and works the queue with the service's handlers. Neither
 * waits for Redis: a service that starts before Redis does serves HTTP meanwhile, and the
 * schedules are put in place once Redis answers. With QUEUES_ENABLED=false it does nothing.
 */
@Injectable()
export class ServiceJobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Settles when the queue's schedules are in place (for tests and logs). */
  ready: Promise<string[]> = Promise.resolve([]);
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private whenRedisReady: (() => void) | undefined;

  constructor(
    @Inject(SERVICE_JOBS) private readonly jobs: AnyServiceJobs,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ServiceJobRunner.name);
  }

  /** The queue's name, e.g. `registry-jobs`. */
  get queueName(): QueueName {
    return this.jobs.queue;
  }

  onApplicationBootstrap(): void {
    if (!this.config.QUEUES_ENABLED) return;
    // BullMQ's connections are opened only once Redis has answered the service's own
    // connection: BullMQ cannot close a connection that never became ready (its disconnect
    // waits for it), so an app started while Redis is away would never let its process exit.
    if (this.redis.status === 'ready') {
      this.start();
    } else {
      let started: () => void = () => undefined;
      this.ready = new Promise<string[]>((resolve) => {
        started = () => {
          this.start();
          resolve(this.ready);
        };
      });
      this.whenRedisReady = started;
      this.redis.once('ready', started);
    }
  }

  private start(): void {
    this.whenRedisReady = undefined;
    const name = this.jobs.queue;
    // Connections BullMQ opens itself, retrying until Redis answers (see `redisOptions`).
    const connection = redisOptions(this.config.REDIS_URL);
    const prefix = this.config.BULLMQ_PREFIX;
    this.queue ??= new Queue(name, { connection, prefix });
    this.queue.on('error', () => undefined); // surfaces as a failed upsert, logged below
    const queue = this.queue;
    this.ready = upsertSchedules(queue).then(
      (scheduled) => {
        this.logger.info({ queue: name, schedules: scheduled }, `${name}: job schedules in place`);
        return scheduled;
      },
      (error: unknown) => {
        this.logger.error(
          { err: error, queue: name },
          `${name}: could not put the schedules in place`,
        );
        return [];
      },
    );
    if (this.worker) return;
    this.worker = new Worker(name, (job, token) => this.run(job, token), {
      connection,
      prefix,
      concurrency: 1,
      autorun: true,
      // Seconds a fetch blocks waiting for a job; also how long `close()` may wait for it.
      drainDelay: 1,
    });
    this.worker.on('failed', (job, error) =>
      this.logger.warn({ err: error, jobId: job?.id, job: job?.name }, `${name}: job failed`),
    );
    // Connection trouble: BullMQ reconnects; say so once a minute at most.
    this.worker.on(
      'error',
      throttled((error: Error) =>
        this.logger.warn({ err: error }, `${name} worker: redis unreachable; retrying`),
      ),
    );
  }

  private run(job: Job, token?: string): Promise<unknown> {
    // The job registry's own dispatch: the payload checked against its contract, a job this
    // queue has no handler for failed for good.
    return runJob(this.jobs.queue, this.jobs.handlers as JobHandlers<QueueName>, job, token);
  }

  /**
   * Lets a running job finish (up to 5 s; one cut off runs again at the next slot or retry)
   * and closes the queue. Bounded: with Redis away neither the upsert nor a close ever
   * settles, and the app must still stop.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.whenRedisReady) this.redis.off('ready', this.whenRedisReady);
    if (!(await closeWorker(this.worker)))
      this.logger.warn({}, `${this.jobs.queue} worker did not close within 5 s; disconnected it`);
    const queue = this.queue;
    if (!queue) return;
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      queue.close().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), 2_000);
      }),
    ]);
    clearTimeout(timer);
    if (!closed) void queue.disconnect().catch(() => undefined);
  }
}

/**
 * A service's job queue, run in the service: `ServiceJobsModule.register(RegistryJobs)`, where
 * `RegistryJobs` is an injectable `ServiceJobs` of the service's queue; `imports` are the
 * modules whose exported services the jobs call (`register(InquiriesJobs, [SlaModule])`).
 */
@Module({})
export class ServiceJobsModule {
  static register<Q extends QueueName>(
    jobs: Type<ServiceJobs<Q>>,
    /** Modules whose exported services the handlers use (e.g. the registry's AgreementsModule). */
    options: { imports?: DynamicModule['imports'] } = {},
  ): DynamicModule {
    return {
      module: ServiceJobsModule,
      imports: options.imports ?? [],
      providers: [jobs, { provide: SERVICE_JOBS, useExisting: jobs }, ServiceJobRunner],
      exports: [ServiceJobRunner],
    };
  }
}
