/** The service's notion of now: injected (`CLOCK`), so SLA tests run at the instant they choose. */
export type Clock = () => Date;
export const CLOCK = Symbol('inquiries clock');
export const systemClock: Clock = () => new Date();
