import {
  type Compilable,
  type CompiledQuery,
  createQueryId,
  type Kysely,
  type KyselyPlugin,
  type QueryResult,
} from 'kysely';
import type { DB } from './schema/index';

/**
 * Stands where a value goes while a precompiled statement is built (see `precompiled`). Only
 * a plain value position takes one: Kysely writes it as a parameter. Anything that would look
 * at the value itself (turning it into text, JSON or a number) is refused, so a slot put where
 * it cannot work fails when the statement is built, not with wrong SQL.
 */
class Slot {
  constructor(readonly name: string) {}

  toJSON(): never {
    throw this.misplaced();
  }

  [Symbol.toPrimitive](): never {
    throw this.misplaced();
  }

  misplaced(): Error {
    return new Error(
      `precompiled statement: slot "${this.name}" is used as a value in the SQL itself; ` +
        'a slot can only stand where a parameter goes',
    );
  }
}

/**
 * Names one of a precompiled statement's values. It returns a stand-in typed as the value, so
 * the statement is written with Kysely's typed builder as usual. An optional value is one some
 * shapes of a statement leave out; a statement that has its slot must be given it.
 */
export type SlotOf<V> = <K extends keyof V & string>(name: K) => Exclude<V[K], undefined>;

/** A precompiled statement: runs on `db` (a transaction too) with `values` in its slots. */
export type Precompiled<V, R> = (db: Kysely<DB>, values: V) => Promise<QueryResult<R>>;

/** The row type of a built statement (what `execute()` would give one of). */
export type RowOf<B> = B extends Compilable<infer O> ? O : never;

/** A statement's SQL, and for each parameter the slot it reads or the constant it is. */
type Template = {
  sql: string;
  query: CompiledQuery['query'];
  slots: (string | undefined)[];
  constants: unknown[];
};

/**
 * A statement whose shape never changes (the same columns, joins and conditions every time,
 * only the values differ), built and compiled by Kysely once and then run with new values.
 * Building a statement (Kysely parses, copies and freezes an operation tree) and compiling it
 * cost about 90 µs each time: a third of a public inquiry's Kysely time was its audit row and
 * outbox insert, the same SQL every time (`inquiry-submit` profile).
 *
 * `build` writes the statement with `slot(name)` wherever a value goes:
 *
 *     const insertNote = precompiled((db, slot: SlotOf<{ id: string; body: string }>) =>
 *       db.insertInto('registry.note').values({ id: slot('id'), body: slot('body') }));
 *     await insertNote(trx, { id, body });
 *
 * The values' type is the `slot` parameter's; the rows' type is the statement's own.
 *
 * Each value must be given (`null` for none): an `undefined` one is an error, where a builder
 * would have left its column out — which is a different shape. Use it only where the shape is
 * fixed; a statement whose columns or conditions depend on the input is built each time. A slot
 * goes where a parameter would: not in an `in` list (use `= some(slot)` with an array value), not
 * in an `is` test or a filter object (`null` would need `is null`), not in an array of values.
 *
 * The SQL is compiled on first use, once for each list of plugins the statement runs with (a
 * database and its transactions have one, with the camel-case mapping; `withoutPlugins()` has
 * another). A constant written into the statement (`nextNumber: 2`) stays a parameter with
 * that value.
 */
export function precompiled<V extends Record<string, unknown>, B extends Compilable<unknown>>(
  build: (db: Kysely<DB>, slot: SlotOf<V>) => B,
): Precompiled<V, RowOf<B>> {
  const templates = new Templates();
  // A Slot stands in for the value while the statement is built; it is never sent.
  const slot = ((name: string) => new Slot(name)) as unknown as SlotOf<V>;
  return async (db, values) => {
    const plugins = db.getExecutor().plugins;
    let template = templates.get(plugins);
    if (template === undefined) {
      template = toTemplate(build(db, slot).compile());
      templates.set(plugins, template);
    }
    const { slots, constants } = template;
    const parameters = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const name = slots[i];
      if (name === undefined) {
        parameters[i] = constants[i];
        continue;
      }
      const value = values[name];
      if (value === undefined) throw new Error(`precompiled statement: no value for "${name}"`);
      parameters[i] = value;
    }
    const query: CompiledQuery<RowOf<B>> = {
      sql: template.sql,
      query: template.query,
      parameters,
      queryId: createQueryId(),
    };
    return db.executeQuery(query);
  };
}

/** Plugin lists kept per first plugin (a database has one; `withPlugin` makes another). */
const MAX_LISTS_PER_PLUGIN = 8;

/** Stands for an empty plugin list, as a WeakMap key. */
const NO_PLUGINS = {};

/**
 * A statement's template for each list of plugins it has run with. A transaction's executor has
 * a copy of its database's list (a new array, the same plugins), so lists are compared plugin by
 * plugin. Keyed weakly by the first plugin: a database dropped (a test's) takes its entry along.
 */
class Templates {
  readonly #byFirst = new WeakMap<
    object,
    { rest: readonly KyselyPlugin[]; template: Template }[]
  >();

  get(plugins: readonly KyselyPlugin[]): Template | undefined {
    const entries = this.#byFirst.get(plugins[0] ?? NO_PLUGINS);
    return entries?.find(({ rest }) => sameRest(rest, plugins))?.template;
  }

  set(plugins: readonly KyselyPlugin[], template: Template): void {
    const key = plugins[0] ?? NO_PLUGINS;
    const entries = this.#byFirst.get(key) ?? [];
    // A plugin added per call (`withPlugin(new …)`) would make a new list every time: keep the
    // lists seen first, and compile the rest each time rather than grow without end.
    if (entries.length >= MAX_LISTS_PER_PLUGIN) return;
    entries.push({ rest: plugins.slice(1), template });
    this.#byFirst.set(key, entries);
  }
}

/** Whether `plugins` after its first is `rest`, plugin by plugin. */
const sameRest = (rest: readonly KyselyPlugin[], plugins: readonly KyselyPlugin[]): boolean =>
  rest.length === plugins.length - 1 && rest.every((plugin, i) => plugin === plugins[i + 1]);

function toTemplate(compiled: CompiledQuery): Template {
  // A slot inside a constant (an array of values) would be sent as its JSON: refused instead.
  for (const p of compiled.parameters) if (!(p instanceof Slot)) assertNoSlot(p);
  const slots = compiled.parameters.map((p) => (p instanceof Slot ? p.name : undefined));
  const constants = compiled.parameters.map((p) => (p instanceof Slot ? undefined : p));
  return { sql: compiled.sql, query: compiled.query, slots, constants };
}

function assertNoSlot(value: unknown): void {
  if (value instanceof Slot) throw value.misplaced();
  if (Array.isArray(value)) for (const item of value as unknown[]) assertNoSlot(item);
}

/**
 * `precompiled` for a statement with a few shapes (a filter given or not, a sort, a caller bound
 * to one partner): `build` gets the shape too, and each shape's statement is compiled once, on
 * first use. The shape is a small object of flags, names and counts (its JSON is the key);
 * keep the number of shapes bounded: a value belongs in a slot, never in the shape.
 */
export function precompiledShapes<
  S extends Record<string, boolean | string | number>,
  V extends Record<string, unknown>,
  B extends Compilable<unknown>,
>(build: (db: Kysely<DB>, slot: SlotOf<V>, shape: S) => B): (shape: S) => Precompiled<V, RowOf<B>> {
  const statements = new Map<string, Precompiled<V, RowOf<B>>>();
  return (shape) => {
    const key = JSON.stringify(shape);
    let statement = statements.get(key);
    if (statement === undefined) {
      statement = precompiled((db, slot: SlotOf<V>) => build(db, slot, shape));
      statements.set(key, statement);
    }
    return statement;
  };
}
