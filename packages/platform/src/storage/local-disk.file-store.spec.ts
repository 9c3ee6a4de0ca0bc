import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalDiskFileStore } from './local-disk.file-store';

describe('LocalDiskFileStore', () => {
  let root: string;
  let store: LocalDiskFileStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'file-store-'));
    store = new LocalDiskFileStore(join(root, 'files'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores, reads and deletes a file by key', async () => {
    expect(await store.put('inquiries/a1/b.pdf', Buffer.from('hello'))).toEqual({ size: 5 });
    expect(await store.exists('inquiries/a1/b.pdf')).toBe(true);
    expect(await text(await store.get('inquiries/a1/b.pdf'))).toBe('hello');
    await store.delete('inquiries/a1/b.pdf');
    expect(await store.exists('inquiries/a1/b.pdf')).toBe(false);
    await expect(store.get('inquiries/a1/b.pdf')).rejects.toMatchObject({ code: 'not-found' });
    await store.delete('inquiries/a1/b.pdf'); // deleting again is fine
  });

  it('stores a stream, never executable, and refuses to replace a stored file', async () => {
    await store.put('x', Readable.from([Buffer.from('a'), Buffer.from('b')]));
    expect((await stat(join(root, 'files', 'x'))).mode & 0o777).toBe(0o600);
    await expect(store.put('x', Buffer.from('c'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await text(await store.get('x'))).toBe('ab');
  });

  it('leaves nothing behind when a write fails half-way', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('part'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put('y', failing)).rejects.toThrow('client went away');
    expect(await readdir(join(root, 'files'))).toEqual([]);
  });

  it.each(['../escape', '/abs', 'a/../b', 'Upper', 'a//b', ''])(
    'refuses the key %j',
    async (key) => {
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow('not a storage key');
    },
  );
});
