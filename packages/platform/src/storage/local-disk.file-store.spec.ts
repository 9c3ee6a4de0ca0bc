import { type FileHandle, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
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

  it('has the file and every new name on the disk before it answers (fsync), so a host crash loses neither', async () => {
    // What is flushed is seen as the handles synced: the file's, and each folder on its way.
    const handle = await open(__filename, 'r');
    const sync = jest.spyOn(Object.getPrototypeOf(handle) as FileHandle, 'sync');
    await handle.close();
    try {
      await store.put('reports/run-1/a.csv', Buffer.from('a'));
      // The file; run-1, reports and files (the root), whose entries changed; and the root's
      // parent, since the root is new too.
      expect(sync).toHaveBeenCalledTimes(5);
      sync.mockClear();
      // Every folder up to the root again: another put may have made one and not synced it yet.
      await store.put('reports/run-1/b.csv', Buffer.from('b'));
      expect(sync).toHaveBeenCalledTimes(4);
    } finally {
      sync.mockRestore();
    }
  });

  it('removes a folder only once nothing is in it', async () => {
    await store.put('reports/run-2/a.csv', Buffer.from('a'));
    await store.removeEmptyFolder('reports/run-2');
    expect(await store.exists('reports/run-2/a.csv')).toBe(true);
    await store.delete('reports/run-2/a.csv');
    await store.removeEmptyFolder('reports/run-2');
    expect(await readdir(join(root, 'files', 'reports'))).toEqual([]);
    await store.removeEmptyFolder('reports/never-made');
    await expect(store.removeEmptyFolder('../escape')).rejects.toThrow('not a storage key');
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

  it("removes, with a key, the part-file a killed write of it left, and no other key's", async () => {
    await store.put('reports/r1/a.csv', Buffer.from('a'));
    const dir = join(root, 'files', 'reports', 'r1');
    // What a process SIGKILLed mid-write leaves (its finally never ran), beside another key's.
    const uuid = '0f1e2d3c-4b5a-4697-8877-665544332211';
    await writeFile(join(dir, `.b.csv.${uuid}.partial`), 'half');
    await writeFile(join(dir, `.b.csv.x.${uuid}.partial`), 'another key: b.csv.x');
    await store.delete('reports/r1/b.csv');
    expect((await readdir(dir)).sort()).toEqual([`.b.csv.x.${uuid}.partial`, 'a.csv']);
    await store.delete('reports/r2/none.csv'); // no such directory: fine
  });

  it.each(['../escape', '/abs', 'a/../b', 'Upper', 'a//b', ''])(
    'refuses the key %j',
    async (key) => {
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow('not a storage key');
    },
  );
});
