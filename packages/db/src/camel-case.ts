import {
  CamelCasePlugin,
  type CompiledQuery,
  type KyselyConfig,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresQueryCompiler,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryCompiler,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

/** Column names and JSON keys kept mapped; a JSON column's keys can be anyone's, so it stops. */
const CACHED_KEYS = 10_000;
/** Result shapes (column lists) with a compiled row mapper; past this, rows take the loop. */
const CACHED_SHAPES = 1_000;

type Deep = (value: object) => unknown;
type RowMapper = (row: UnknownRow, deep: Deep) => UnknownRow;

/** `map`, each answer computed once and kept while fewer than CACHED_KEYS names are. */
const remembered = (map: (key: string) => string): ((key: string) => string) => {
  const cache = new Map<string, string>();
  return (key) => {
    let mapped = cache.get(key);
    if (mapped === undefined) {
      mapped = map(key);
      if (cache.size < CACHED_KEYS) cache.set(key, mapped);
    }
    return mapped;
  };
};

const isPlainObject = (value: unknown): value is UnknownRow => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * Kysely's CamelCasePlugin with the same mapping, made cheaper per row: every result row of
 * every query passes through it. Kysely's builds each row with `Object.keys(…).reduce`, copies
 * every array column (a text[] of departments too) and spells each key out again, character by
 * character, on every row: 29 % of what a 50,000-row registry export allocated (sampling heap
 * profiler), and a share of every read.
 *
 * Here the rows of a result are mapped by a function compiled once per column list: every row of
 * a result has the same columns, in the same order (Postgres describes them once per result), so
 * the function reads each by name and returns one object literal, with no per-key lookup. A page
 * of 50 partners took 6 % of the registry's CPU per request with a loop over each row's keys
 * (`http-read`, CPU profile). Nested JSON objects, and arrays of them, are mapped key by key as
 * before; an array of scalars is kept as it is.
 */
export class RowCamelCasePlugin extends CamelCasePlugin {
  /**
   * Every identifier of every query (tables, columns, aliases) is snake_cased on its way to
   * SQL, character by character in Kysely's mapper: 0.4 % of the CPU of an activity report's
   * three requests (`activity-review` profile). The names are few; each is spelled out once,
   * and so is each result key's camelCase.
   */
  readonly #snakeCase = remembered((name) => super.snakeCase(name));
  /** The queries this plugin has seen, whose identifiers the compiler writes snake_cased. */
  readonly #snakeCased = new WeakSet<QueryId>();
  readonly #camelCase = remembered((key) => super.camelCase(key));
  readonly #mappers = new Map<string, RowMapper>();
  readonly #deep: Deep = (value) => {
    if (Array.isArray(value)) {
      const items = value as unknown[];
      return items.some(isPlainObject)
        ? items.map((item) => (isPlainObject(item) ? this.mapRow(item) : item))
        : items;
    }
    return isPlainObject(value) ? this.mapRow(value) : value;
  };

  protected override snakeCase(name: string): string {
    return this.#snakeCase(name);
  }

  /**
   * Kysely's plugin snake_cases a query by rebuilding its whole tree (every node copied and
   * frozen) before the compiler walks it once more: about 80 µs of a public inquiry's five
   * statements (`inquiry-submit` profile). Here the tree is kept as it is, and the compiler
   * (`SnakeCaseQueryCompiler`) writes each identifier snake_cased as it goes, for the queries
   * this plugin has seen, so `withoutPlugins()` still turns the mapping off.
   */
  override transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#snakeCased.add(args.queryId);
    return args.node;
  }

  /** Whether the compiler should write this query's identifiers snake_cased. */
  snakeCases(queryId: QueryId): boolean {
    return this.#snakeCased.has(queryId);
  }

  /** `name` as the compiler should write it in a query this plugin has seen. */
  snakeCaseIdentifier(name: string): string {
    return this.#snakeCase(name);
  }

  protected override camelCase(key: string): string {
    return this.#camelCase(key);
  }

  override async transformResult(
    args: PluginTransformResultArgs,
  ): Promise<QueryResult<UnknownRow>> {
    const { rows } = args.result;
    const first = rows[0];
    const map = isPlainObject(first) ? this.#mapperFor(first) : undefined;
    if (!map) return super.transformResult(args);
    const deep = this.#deep;
    const mapped = new Array<UnknownRow>(rows.length);
    for (let i = 0; i < rows.length; i++) mapped[i] = map(rows[i] as UnknownRow, deep);
    return { ...args.result, rows: mapped };
  }

  protected override mapRow(row: UnknownRow): UnknownRow {
    const mapped: UnknownRow = {};
    for (const key of Object.keys(row)) {
      const value = row[key];
      mapped[this.camelCase(key)] =
        typeof value === 'object' && value !== null ? this.#deep(value) : value;
    }
    return mapped;
  }

  /** The compiled mapper for rows with `row`'s columns, or undefined once too many are cached. */
  #mapperFor(row: UnknownRow): RowMapper | undefined {
    const columns = Object.keys(row);
    const shape = JSON.stringify(columns);
    let map = this.#mappers.get(shape);
    if (map === undefined && this.#mappers.size < CACHED_SHAPES) {
      map = this.#compile(columns);
      this.#mappers.set(shape, map);
    }
    return map;
  }

  /**
   * `(row, deep) => ({ nameEn: v0, … })`, each `vN` read from `row` by its column's name and
   * passed through `deep` when it is an object other than a Date (JSON, an array: `deep` keeps
   * what it need not map). A timestamp is kept as it is without the call, whose prototype check
   * is a runtime call in V8 (two a partner row). Names are written as JSON string literals, so
   * every column name is safe; `__proto__` is a computed key, which makes an own property rather
   * than setting the prototype, as a plain assignment would.
   */
  #compile(columns: string[]): RowMapper {
    const reads = columns.map(
      (column, i) =>
        `let v${i} = row[${JSON.stringify(column)}];\n` +
        `if (typeof v${i} === 'object' && v${i} !== null && !(v${i} instanceof Date)) ` +
        `v${i} = deep(v${i});`,
    );
    const fields = columns.map((column, i) => {
      const key = JSON.stringify(this.camelCase(column));
      return `${key === '"__proto__"' ? `[${key}]` : key}: v${i}`;
    });
    const body = `'use strict';\n${reads.join('\n')}\nreturn { ${fields.join(', ')} };`;
    // Code made from column names alone (as JSON literals), never from values: the pattern
    // fast-json-stringify and ajv use to compile a schema.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function('row', 'deep', body) as RowMapper;
  }
}

/**
 * Postgres' compiler, writing the identifiers of the queries `plugin` has seen in snake_case
 * (see `RowCamelCasePlugin.transformQuery`). Identifiers reach SQL only through
 * `sanitizeIdentifier`, the names Kysely's SnakeCaseTransformer rewrites (IdentifierNodes).
 */
export class SnakeCaseQueryCompiler extends PostgresQueryCompiler {
  #snakeCase = false;

  constructor(private readonly plugin: RowCamelCasePlugin) {
    super();
  }

  override compileQuery(node: RootOperationNode, queryId: QueryId): CompiledQuery {
    // Compiling is synchronous, so one compiler serves every query in turn.
    this.#snakeCase = this.plugin.snakeCases(queryId);
    try {
      return super.compileQuery(node, queryId);
    } finally {
      this.#snakeCase = false;
    }
  }

  protected override sanitizeIdentifier(identifier: string): string {
    return super.sanitizeIdentifier(
      this.#snakeCase ? this.plugin.snakeCaseIdentifier(identifier) : identifier,
    );
  }
}

/**
 * A Kysely's dialect and plugins for the project's naming: camelCase in TypeScript, snake_case
 * in Postgres. The plugin and the compiler work together, so they come as one.
 */
export function camelCasePostgres(
  config: PostgresDialectConfig,
): Pick<KyselyConfig, 'dialect' | 'plugins'> {
  const plugin = new RowCamelCasePlugin();
  const dialect = new (class extends PostgresDialect {
    override createQueryCompiler(): QueryCompiler {
      return new SnakeCaseQueryCompiler(plugin);
    }
  })(config);
  return { dialect, plugins: [plugin] };
}
