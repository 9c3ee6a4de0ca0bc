/** The service's schema: where its outbox is, or where its consumers record what they processed. */
export const MESSAGING_SCHEMA = Symbol('MESSAGING_SCHEMA');
/** The app's `RegistryEventHandler`: what a registry event does in this service. */
export const REGISTRY_EVENT_HANDLER = Symbol('REGISTRY_EVENT_HANDLER');
