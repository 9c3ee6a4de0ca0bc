import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { ConsumerSchema, OutboxSchema } from '@sp/db';
import { MESSAGING_SCHEMA, REGISTRY_EVENT_HANDLER } from './messaging.tokens';
import { OutboxRelayService } from './outbox-relay.service';
import { RegistryEventConsumer } from './registry-event-consumer';
import type { RegistryEventHandler } from './registry-event-handler';
import { RegistryEventsController } from './registry-events.controller';

/**
 * The asynchronous side of a service: its outbox relay (a producing service) and/or its
 * registry-event consumer (a consuming service, which says what an event does there).
 */
@Module({})
export class MessagingModule {
  static relay(schema: OutboxSchema): DynamicModule {
    return {
      module: MessagingModule,
      providers: [{ provide: MESSAGING_SCHEMA, useValue: schema }, OutboxRelayService],
      exports: [OutboxRelayService],
    };
  }

  /** Consumes the registry's events into `schema`, each through the app's `handler`. */
  static registryEvents(
    schema: ConsumerSchema,
    handler: Type<RegistryEventHandler>,
  ): DynamicModule {
    return {
      module: MessagingModule,
      controllers: [RegistryEventsController],
      providers: [
        { provide: MESSAGING_SCHEMA, useValue: schema },
        { provide: REGISTRY_EVENT_HANDLER, useClass: handler },
        RegistryEventConsumer,
      ],
      exports: [RegistryEventConsumer],
    };
  }
}
