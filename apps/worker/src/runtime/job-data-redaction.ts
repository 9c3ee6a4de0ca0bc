/**
 * Job data as people other than the job's own processor may see it. An `email.send` job
 * carries the capability links its mail gives (an inquiry's status page, a registration's
 * manage link and QR code): whoever holds one reads the inquiry or cancels the seat, and the
 * services keep only their hash. The queue dashboard shows job data with every such value
 * hidden, and the audit log (kept for good) also keeps no e-mail address whole.
 */
const SECRET_KEY = /(url|token|secret|password)$/i;
const EMAIL = /([^\s@<>"',;:]{1,2})[^\s@<>"',;:]*@([^\s@<>"',;:]+)/g;
export const HIDDEN = '[hidden]';

export function redactJobData(value: unknown, options: { maskEmails: boolean }): unknown {
  if (typeof value === 'string') return options.maskEmails ? value.replace(EMAIL, '$1…@$2') : value;
  if (Array.isArray(value)) return value.map((v) => redactJobData(v, options));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [
        key,
        SECRET_KEY.test(key) && typeof v === 'string' ? HIDDEN : redactJobData(v, options),
      ]),
    );
  }
  return value;
}

/** Whether redaction hides something in this data (its edit would write the placeholder back). */
export function hasHiddenValues(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasHiddenValues);
  if (value && typeof value === 'object')
    return Object.entries(value).some(
      ([key, v]) => (SECRET_KEY.test(key) && typeof v === 'string') || hasHiddenValues(v),
    );
  return false;
}
