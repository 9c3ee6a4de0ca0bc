// queue-email: small arithmetic shared by the measuring, the checks and the report.

export const sum = (values) => values.reduce((a, b) => a + b, 0);
export const hundredths = (n) => Math.round(n * 100) / 100;
/** The integers from `from` up to (not including) `to`. */
export const range = (from, to) => Array.from({ length: to - from }, (_, i) => from + i);
