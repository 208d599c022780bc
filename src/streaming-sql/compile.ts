/**
 * compile(): checks application code against the source schema and the streams it creates, compiles every pump to
 * plain JavaScript once (pumps.ts), orders the pumps, and hands out runners (runner.ts) that push records through
 * them.
 */
import type { CreateStream, Statement } from './ast';
import { toExternal } from './coercion';
import { SchemaValidationError, SqlCompileError } from './errors';
import { Module } from './expression-compiler';
import { type ColumnDef, compileReader, type SourceSchema } from './formats';
import { parse } from './parser';
import type { CompiledApplication, PumpPlan, StreamInfo } from './plan';
import { build, compilePump } from './pumps';
import { PumpRunner } from './runner';
import { parseTypeText, resolveType, typeText } from './types';

/** Name prefix of the in-application input stream: application code reads `SOURCE_SQL_STREAM_001`. */
export const INPUT_NAME_PREFIX = 'SOURCE_SQL_STREAM';

/**
 * Compiles application code for a source schema. Throws SqlCompileError (CodeValidationException) with the line
 * and column of the first problem, or SchemaValidationError for a bad source schema.
 */
export function compile(sql: string, input: { schema: SourceSchema; namePrefix?: string }): CompiledApplication {
  const inputStream = `${input.namePrefix ?? INPUT_NAME_PREFIX}_001`;
  const sourceColumns = sourceColumnsOf(input.schema);
  const reader = compileReader(input.schema, sourceColumns);
  const streams = new Map<string, StreamInfo>();
  const source: StreamInfo = {
    name: inputStream,
    columns: sourceColumns,
    index: indexOf(sourceColumns),
    pos: { line: 1, column: 1 },
    source: true,
  };
  streams.set(inputStream, source);

  const statements: Statement[] = parse(sql);
  const pumps = new Map<string, PumpPlan>();
  const subqueries = new Map<string, PumpPlan[]>();
  const created: StreamInfo[] = [];
  let order = 0;
  for (const st of statements) {
    if (st.kind === 'create-stream') {
      const user = [...pumps.values()].find((p) => p.from.name === st.name || p.into.name === st.name);
      if (user)
        throw new SqlCompileError(
          `stream ${st.name} is used by pump ${user.name}; create or replace streams before the pumps that use them`,
          st.pos,
        );
      const info = createStream(st, streams);
      const old = created.findIndex((s) => s.name === info.name);
      if (old >= 0) created.splice(old, 1);
      created.push(info);
      streams.set(info.name, info);
    } else {
      if (pumps.has(st.name) && !st.orReplace)
        throw new SqlCompileError(`pump ${st.name} already exists; use CREATE OR REPLACE PUMP`, st.pos);
      const hiddenPlans: PumpPlan[] = [];
      pumps.set(st.name, compilePump(st, streams, order++, hiddenPlans));
      subqueries.set(st.name, hiddenPlans);
    }
  }
  const plans = [...pumps.values(), ...[...subqueries.values()].flat()];
  const order2 = topologicalOrder(plans, source);
  const targets = new Set(plans.map((p) => p.into.name));
  const outputs = created
    .filter((s) => targets.has(s.name))
    .map((s) => ({ name: s.name, columns: s.columns.map((c) => ({ name: c.name, sqlType: typeText(c.type) })) }));
  for (const s of created) s.external = compileExternal(s);

  return {
    inputStream,
    outputs,
    pumps: order2.map((p) => ({
      name: p.name,
      from: p.from.name,
      into: p.into.name,
      ...(p.agg ? { windowMs: p.agg.sizeMs } : {}),
    })),
    createRunner: () => new PumpRunner(reader, source, order2),
  };
}

function sourceColumnsOf(schema: SourceSchema): ColumnDef[] {
  if (!schema || !Array.isArray(schema.RecordColumns) || schema.RecordColumns.length === 0)
    throw new SchemaValidationError('the source schema needs at least one RecordColumn');
  if (!schema.RecordFormat) throw new SchemaValidationError('the source schema needs a RecordFormat');
  if (schema.RecordEncoding !== undefined && !/^utf-?8$/i.test(schema.RecordEncoding))
    throw new SchemaValidationError(`RecordEncoding ${schema.RecordEncoding} is not supported; use UTF-8`);
  const seen = new Set<string>();
  return schema.RecordColumns.map((c) => {
    if (!c.Name) throw new SchemaValidationError('every RecordColumn needs a Name');
    if (seen.has(c.Name)) throw new SchemaValidationError(`duplicate column ${c.Name} in the source schema`);
    if (c.Name.toUpperCase() === 'ROWTIME') throw new SchemaValidationError('ROWTIME is reserved; rename that column');
    seen.add(c.Name);
    const type = parseTypeText(c.SqlType ?? '');
    if (typeof type === 'string') throw new SchemaValidationError(`column ${c.Name}: ${type}`);
    return { name: c.Name, type };
  });
}

function indexOf(columns: ColumnDef[]): Map<string, number> {
  return new Map(columns.map((c, i) => [c.name, i]));
}

function createStream(st: CreateStream, streams: Map<string, StreamInfo>): StreamInfo {
  const existing = streams.get(st.name);
  if (existing?.source)
    throw new SqlCompileError(`${st.name} is the application's input stream; choose another name`, st.pos);
  if (existing && !st.orReplace)
    throw new SqlCompileError(`stream ${st.name} already exists; use CREATE OR REPLACE STREAM`, st.pos);
  const seen = new Set<string>();
  const columns = st.columns.map((c) => {
    if (seen.has(c.name)) throw new SqlCompileError(`duplicate column ${c.name} in stream ${st.name}`, c.pos);
    if (c.name === 'ROWTIME')
      throw new SqlCompileError('ROWTIME is implicit in every stream; do not declare it', c.pos);
    seen.add(c.name);
    const type = resolveType(c.type.name, c.type.args);
    if (typeof type === 'string') throw new SqlCompileError(type, c.type.pos);
    return { name: c.name, type };
  });
  return { name: st.name, columns, index: indexOf(columns), pos: st.pos, source: false };
}

/** Orders pumps so that a stream's writers run before its readers; rejects cycles. */
function topologicalOrder(plans: PumpPlan[], source: StreamInfo): PumpPlan[] {
  const depth = new Map<string, number>([[source.name, 0]]);
  for (let round = 0; round <= plans.length; round++) {
    let changed = false;
    for (const p of plans) {
      const d = depth.get(p.from.name);
      if (d === undefined) continue;
      if ((depth.get(p.into.name) ?? -1) < d + 1) {
        if (d + 1 > plans.length)
          throw new SqlCompileError(`pumps form a cycle through stream ${p.into.name}`, p.into.pos);
        depth.set(p.into.name, d + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return [...plans].sort(
    (a, b) => (depth.get(a.from.name) ?? 1e9) - (depth.get(b.from.name) ?? 1e9) || a.order - b.order,
  );
}

function compileExternal(s: StreamInfo): (row: unknown[]) => Record<string, unknown> {
  const module = new Module();
  const cells = s.columns.map((c, i) => {
    const key = JSON.stringify(c.name);
    if (c.type.kind === 'DECIMAL') {
      const t = c.type;
      return `${key}: a[${i}] === null ? null : ${module.constant((v: unknown) => toExternal(v, t))}(a[${i}])`;
    }
    return `${key}: a[${i}]`;
  });
  return build(module, `function external(a) { return { ${cells.join(', ')} }; }`);
}
