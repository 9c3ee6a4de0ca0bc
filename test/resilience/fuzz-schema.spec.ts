import { applyOne, serialise } from './fuzz-schema';

const mutation = (kind: 'oversized-array' | 'oversized-string', place: number) => ({
  kind,
  place,
  value: null,
  key: 'extra',
  size: 50_000,
});

it('makes an oversized array of copies that a later mutation changes one at a time', () => {
  // Places of {o: {k: 'v'}}: [], [o], [o, k]; after the array: [], [o], [o, 0], [o, 0, k], …
  const arrayed = applyOne({ o: { k: 'v' } }, mutation('oversized-array', 1));
  const mutated = applyOne(arrayed, mutation('oversized-string', 3)) as { o: { k: string }[] };
  expect(mutated.o).toHaveLength(5_000);
  expect(mutated.o.filter((e) => e.k.length === 150_000)).toHaveLength(1);
  // The body stays serialisable (shared copies made it 750 MB: "Invalid string length").
  expect(serialise(mutated).length).toBeLessThan(1_000_000);
});
