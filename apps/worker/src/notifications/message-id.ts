/**
 * The Message-ID of a delivery's mail: the same on every attempt, so a repeat after a crash is
 * recognisable as one. Free of imports, so the queue-email benchmark imports it from the build.
 */
export const messageIdOf = (deliveryId: string) =>
  `<${deliveryId}@notifications.strategic-partnerships>`;
