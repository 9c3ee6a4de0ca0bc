/**
 * Reads up to `size` items ahead of the consumer: while a writer turns rows into XML or PDF on
 * the main thread, the next cursor fetch is already on its way (Postgres works on another core).
 * Kysely's `.stream()` fetches the next chunk only when the last row of the current one has been
 * taken, so without this the database and the writer take turns, each idle while the other
 * works. Memory: at most `size` items (and one cursor chunk) more than without it.
 *
 * Errors from the source reach the consumer at the item where they happened. If the consumer
 * stops early (`return`/`throw`), the pump stops pulling and the source is closed.
 */
export function readAhead<T>(source: AsyncIterable<T>, size: number): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const iterator = source[Symbol.asyncIterator]();
      // A queue: items from `head` on are waiting (shift() on a long array copies it).
      let buffer: T[] = [];
      let head = 0;
      const waiting = () => buffer.length - head;
      let done = false;
      let failure: { error: unknown } | undefined;
      let stopped = false;
      let pumping: Promise<void> | undefined;
      /** Resolved whenever the pump adds an item or ends; the consumer waits on it when empty. */
      let wake: (() => void) | undefined;
      /** Resolved whenever the consumer takes an item; the pump waits on it when full. */
      let room: (() => void) | undefined;

      const pump = async (): Promise<void> => {
        try {
          while (!stopped) {
            if (waiting() >= size) {
              await new Promise<void>((resolve) => (room = resolve));
              continue;
            }
            const next = await iterator.next();
            if (next.done) break;
            buffer.push(next.value);
            wake?.();
          }
        } catch (error) {
          failure = { error };
        } finally {
          done = true;
          wake?.();
        }
      };

      return {
        async next(): Promise<IteratorResult<T>> {
          pumping ??= pump();
          while (waiting() === 0) {
            if (done) {
              if (failure) throw failure.error;
              return { done: true, value: undefined };
            }
            await new Promise<void>((resolve) => (wake = resolve));
          }
          const value = buffer[head++] as T;
          if (head >= size) {
            buffer = buffer.slice(head);
            head = 0;
          }
          room?.();
          return { done: false, value };
        },
        async return(): Promise<IteratorResult<T>> {
          stopped = true;
          room?.();
          await pumping;
          await iterator.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
