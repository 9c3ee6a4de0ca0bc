import type { Readable } from 'node:stream';

/**
 * Where uploaded files live, by key: the services store and read files only through this, so
 * the local disk of a single host can be swapped for object storage without touching them.
 *
 * Keys are relative paths of lower-case letters, digits, `-`, `_`, `.` and `/` (no `..`, no
 * leading `/`); callers make them unique (e.g. `inquiries/<uuid>`). Stored files are data:
 * never executed, and served only as downloads (`Content-Disposition: attachment`, nosniff).
 */
export type FileStore = {
  /** Stores `data` under `key` (replacing nothing: a taken key is an error); resolves to its size. */
  put(key: string, data: Buffer | Readable): Promise<{ size: number }>;
  /** The file's bytes; `AppError('not-found')` when there is none. */
  get(key: string): Promise<Readable>;
  /** Removes the file; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Whether a file is stored under `key`. */
  exists(key: string): Promise<boolean>;
  /**
   * Removes the folder `prefix` (a key's leading part, e.g. `reports/<run>`) when nothing is in
   * it; a folder that holds something, or none, is left as it is.
   */
  removeEmptyFolder(prefix: string): Promise<void>;
};

/** Nest injection token of the app's `FileStore`. */
export const FILE_STORE = Symbol('FILE_STORE');

const KEY = /^[a-z0-9][a-z0-9_.-]*(\/[a-z0-9][a-z0-9_.-]*)*$/;

/** Throws unless `key` is a safe relative key (see `FileStore`). */
export function assertStorageKey(key: string): void {
  if (key.length > 500 || !KEY.test(key) || key.split('/').some((p) => p === '..' || p === '.')) {
    throw new Error(`not a storage key: ${JSON.stringify(key)}`);
  }
}
