import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../app-error';
import { assertStorageKey, type FileStore } from './file-store';

/**
 * A `FileStore` on the local disk under `root` (created on first write). A file is written to
 * a temporary name and linked into place only when complete, so a reader never sees half a
 * file and a failed write leaves nothing behind; the file and its new name are flushed to the
 * disk (fsync) before `put` answers, so what a caller records as stored survives a host crash.
 * Files are created `0600`: never executable.
 *
 * The temporary name sits beside the key's path (`.<name>.<uuid>.partial`: hidden, and no key
 * starts with a dot), and `delete(key)` removes the key's temporary files too: a process killed
 * mid-write (SIGKILL runs no `finally`) leaves its part-file where deleting the key it was
 * writing removes it, instead of an orphan nobody can name.
 */
const PARTIAL = '.partial';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class LocalDiskFileStore implements FileStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    assertStorageKey(key);
    return join(this.root, key);
  }

  async put(key: string, data: Buffer | Readable): Promise<{ size: number }> {
    const path = this.pathOf(key);
    const created = await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}${PARTIAL}`);
    try {
      await pipeline(
        Buffer.isBuffer(data) ? Readable.from([data]) : data,
        createWriteStream(temp, { flags: 'wx', mode: 0o600 }),
      );
      // On the disk before its name is: a host that crashes after the caller records the file
      // (an artifact, an attachment) must not come back with it empty.
      await flush(temp);
      // link fails (EEXIST) rather than replace a stored file.
      await link(temp, path);
      // The new name, and each folder on the way to it, on the disk too: every one, not only
      // those this put made (another put may have made one a moment before, and not yet
      // synced its entry), up to the root, and the root's own entry when this put made it.
      for (let dir = dirname(path); dir.startsWith(this.root); dir = dirname(dir)) {
        await flush(dir);
        if (dir === this.root) break;
      }
      if (created && this.root.startsWith(created))
        for (let dir = dirname(this.root); ; dir = dirname(dir)) {
          await flush(dir);
          if (dir === dirname(created) || dir === dirname(dir)) break;
        }
      return { size: (await stat(path)).size };
    } finally {
      await rm(temp, { force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new AppError('not-found', `no stored file ${key}`);
      }
      throw error;
    }
    return createReadStream(path);
  }

  /** Removes the file and any part-file a write of it left (a write still going on fails). */
  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const prefix = `.${basename(path)}.`;
    const names = await readdir(dirname(path)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const partials = names.filter(
      (n) =>
        n.startsWith(prefix) &&
        n.endsWith(PARTIAL) &&
        UUID.test(n.slice(prefix.length, n.length - PARTIAL.length)),
    );
    await Promise.all(partials.map((n) => rm(join(dirname(path), n), { force: true })));
  }

  async removeEmptyFolder(prefix: string): Promise<void> {
    try {
      await rmdir(this.pathOf(prefix));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
}

/** fsync: a file's bytes, or a folder's entries, on the disk. */
async function flush(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
