/**
 * Compiles one pump (CREATE PUMP ... AS INSERT INTO ... SELECT STREAM ...) to plain JavaScript functions, once: the
 * row function of a pump without a window, or the key, accumulate and emit functions of a tumbling window; a FROM
 * subquery becomes a hidden pump writing a hidden stream.
 */
import type { CreatePump, Expr, Pos, Select, WindowSpec } from './ast';
import { SqlCompileError } from './errors';
import { type Code, ExprCompiler, Module, type Scope } from './expression-compiler';
import { AGGREGATES } from './functions';
import type { PumpPlan, StreamInfo } from './plan';
import { rt } from './runtime';
import { SlidingScope } from './sliding';
import { assignable } from './type-rules';
import { T, typeText } from './types';
import { findWindow, GroupScope } from './windows';

function rowScope(from: StreamInfo, alias: string | undefined): Scope & { isRowtime(e: Expr): boolean } {
  const qualifiers = new Set([from.name, ...(alias ? [alias] : [])]);
  const checkQualifier = (e: Expr & { kind: 'column' }): void => {
    if (e.qualifier !== undefined && !qualifiers.has(e.qualifier))
      throw new SqlCompileError(
        `unknown stream or alias ${e.qualifier}; this pump reads ${from.name}${alias ? ` AS ${alias}` : ''}`,
        e.pos,
      );
  };
  return {
    rowtimeCode: 'rowtime',
    isRowtime(e: Expr): boolean {
      if (e.kind !== 'column' || e.name !== 'ROWTIME') return false;
      checkQualifier(e);
      return true;
    },
    column(e): Code {
      checkQualifier(e);
      if (e.name === 'ROWTIME') return { code: 'rowtime', type: T.TIMESTAMP };
      const i = from.index.get(e.name);
      if (i === undefined) {
        if (from.source && e.name === 'APPROXIMATE_ARRIVAL_TIME') return { code: 'arrival', type: T.TIMESTAMP };
        const other = from.columns.find((c) => c.name.toUpperCase() === e.name.toUpperCase());
        const hint = other
          ? `; did you mean "${other.name}" (quoted names keep their case)?`
          : `; columns: ${from.columns.map((c) => c.name).join(', ')}`;
        throw new SqlCompileError(`column ${e.name} not found in stream ${from.name}${hint}`, e.pos);
      }
      return { code: `r[${i}]`, type: from.columns[i]!.type };
    },
  };
}

/** Compiles a pump against the streams created so far; the plans of its FROM subqueries go to `hidden`. */
export function compilePump(
  st: CreatePump,
  streams: Map<string, StreamInfo>,
  order: number,
  hidden: PumpPlan[],
): PumpPlan {
  const into = streams.get(st.target);
  if (!into)
    throw new SqlCompileError(
      `stream ${st.target} does not exist; create it with CREATE STREAM before the pump`,
      st.targetPos,
    );
  if (into.source) throw new SqlCompileError(`cannot insert into the input stream ${st.target}`, st.targetPos);
  // target columns the select list fills, in order
  let targetIdx: number[];
  if (st.targetColumns) {
    targetIdx = st.targetColumns.map((c) => {
      const i = into.index.get(c.name);
      if (i === undefined) throw new SqlCompileError(`column ${c.name} not found in stream ${into.name}`, c.pos);
      return i;
    });
  } else targetIdx = into.columns.map((_, i) => i);
  const target = { stream: into, targetIdx, listed: st.targetColumns !== undefined };
  return compileSelect(st.name, st.select, target, streams, order, hidden);
}

/** Where a select's rows go: a declared stream (through a column list), or a subquery's stream, typed by the select. */
type Target = { stream: StreamInfo; targetIdx: number[]; listed: boolean } | { derive: StreamInfo };

/**
 * Compiles one SELECT STREAM into a pump plan. A subquery in FROM becomes a hidden pump writing a hidden stream whose
 * columns take the names and types of the subquery's select list.
 */
function compileSelect(
  name: string,
  sel: Select,
  target: Target,
  streams: Map<string, StreamInfo>,
  order: number,
  hidden: PumpPlan[],
): PumpPlan {
  const into = 'derive' in target ? target.derive : target.stream;
  let from: StreamInfo | undefined;
  if (sel.from.subquery) {
    const sub: StreamInfo = {
      name: `subquery at line ${sel.from.pos.line}, column ${sel.from.pos.column} of pump ${name}`,
      columns: [],
      index: new Map(),
      pos: sel.from.pos,
      source: false,
      hidden: true,
    };
    hidden.push(compileSelect(name, sel.from.subquery, { derive: sub }, streams, order, hidden));
    from = sub;
  } else from = streams.get(sel.from.name);
  if (!from)
    throw new SqlCompileError(
      `stream ${sel.from.name} does not exist (the input stream is ${[...streams.values()].find((s) => s.source)!.name})`,
      sel.from.pos,
    );
  if (from === into)
    throw new SqlCompileError(`pump ${name} reads and writes the same stream ${into.name}`, sel.from.pos);

  const scope = rowScope(from, sel.from.alias);
  const module = new Module();
  const items: { expr: Expr; pos: Pos }[] = [];
  for (const item of sel.items) {
    if (item.kind === 'star') {
      if (item.qualifier !== undefined && item.qualifier !== from.name && item.qualifier !== sel.from.alias)
        throw new SqlCompileError(`unknown stream or alias ${item.qualifier}`, item.pos);
      for (const c of from.columns)
        items.push({ expr: { kind: 'column', name: c.name, pos: item.pos }, pos: item.pos });
    } else items.push({ expr: item.expr, pos: item.pos });
  }
  if ('derive' in target) {
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      const source = sel.items[i];
      const n =
        source?.kind === 'expr' && source.alias !== undefined
          ? source.alias
          : item.expr.kind === 'column'
            ? item.expr.name
            : `EXPR$${i}`;
      if (seen.has(n))
        throw new SqlCompileError(`the subquery has two columns named ${n}; give one an alias`, item.pos);
      seen.add(n);
      into.index.set(n, i);
      // the types are known once the items compile, in project()
      into.columns.push({ name: n, type: T.NULL });
    }
  }
  const targetIdx = 'derive' in target ? items.map((_, i) => i) : target.targetIdx;
  if (items.length !== targetIdx.length)
    throw new SqlCompileError(
      `the select list has ${items.length} column${items.length === 1 ? '' : 's'} but ${into.name}${'listed' in target && target.listed ? ' (as listed)' : ''} takes ${targetIdx.length}`,
      sel.pos,
    );

  const project = (c: ExprCompiler): string => {
    const cells = new Array<string>(into.columns.length).fill('null');
    if ('derive' in target) {
      items.forEach((item, k) => {
        const code = c.expr(item.expr);
        into.columns[k] = { name: into.columns[k]!.name, type: code.type.kind === 'NULL' ? T.VARCHAR : code.type };
        cells[k] = code.code;
      });
      return `[${cells.join(', ')}]`;
    }
    items.forEach((item, k) => {
      const target = into.columns[targetIdx[k]!]!;
      const code = c.expr(item.expr);
      if (!assignable(code.type, target.type))
        throw new SqlCompileError(
          `cannot insert ${typeText(code.type)} into column ${target.name} ${typeText(target.type)} of ${into.name}`,
          item.pos,
        );
      cells[targetIdx[k]!] = c.convert(code, target.type, item.pos, true).code;
    });
    return `[${cells.join(', ')}]`;
  };

  const grouped = sel.groupBy !== undefined || hasAggregate(items.map((i) => i.expr)) || sel.having !== undefined;
  const plan: PumpPlan = { name, from, into, order };
  const windows = new Map<string, WindowSpec>();
  for (const w of sel.windows ?? []) {
    if (windows.has(w.name)) throw new SqlCompileError(`window ${w.name} is defined twice`, w.pos);
    windows.set(w.name, w.spec);
  }
  if (!grouped) {
    const sliding = new SlidingScope(module, scope, windows);
    const c = sliding.compiler;
    // WHERE runs first: filtered rows never enter a window
    sliding.inWhere = true;
    const where = sel.where ? c.condition(sel.where, 'WHERE') : undefined;
    sliding.inWhere = false;
    const row = project(c);
    const body = `${where ? `if (${where.code} !== true) return undefined;\n` : ''}${sliding.statements.join('\n')}\nreturn ${row};`;
    plan.map = build(module, `function pump(r, rowtime, arrival, W) {\n${c.declarations()}${body}\n}`);
    if (sliding.factories.length) {
      const factories = sliding.factories;
      plan.newState = () => factories.map((f) => f());
    }
    return plan;
  }
  if (sel.windows)
    throw new SqlCompileError(
      'a WINDOW clause with GROUP BY is not supported; use one or the other',
      sel.windows[0]!.pos,
    );
  if (!sel.groupBy)
    throw new SqlCompileError(
      "aggregates on a stream need GROUP BY with a time window, e.g. GROUP BY STEP(s.ROWTIME BY INTERVAL '60' SECOND)",
      sel.pos,
    );
  const win = findWindow(sel.groupBy, (e) => scope.isRowtime(e), sel.pos);
  const keyCompiler = new ExprCompiler(module, scope);
  const keyCodes = sel.groupBy.map((g) => keyCompiler.expr(g));
  const where = sel.where ? keyCompiler.condition(sel.where, 'WHERE') : undefined;
  const gscope = new GroupScope(
    module,
    scope,
    sel.groupBy,
    keyCodes.map((k) => k.type),
    (e) => scope.isRowtime(e),
  );
  const emitCompiler = new ExprCompiler(module, gscope);
  const having = sel.having ? emitCompiler.condition(sel.having, 'HAVING') : undefined;
  const row = project(emitCompiler);
  const keysFn = `function keys(r, rowtime, arrival) {\n${keyCompiler.declarations()}${where ? `if (${where.code} !== true) return undefined;\n` : ''}return [${keyCodes.map((k) => k.code).join(', ')}];\n}`;
  const accFn = `function accumulate(g, r, rowtime, arrival) {\n${gscope.rowCompiler.declarations()}${gscope.aggregates.map((a) => a.accumulate).join('\n')}\n}`;
  const emitFn = `function emit(g, wend) {\n${emitCompiler.declarations()}${having ? `if (${having.code} !== true) return undefined;\n` : ''}return ${row};\n}`;
  plan.agg = {
    window: win.index,
    sizeMs: win.sizeMs,
    keys: build(module, keysFn),
    init: build(module, `function init() { return ${gscope.initCode()}; }`),
    accumulate: build(module, accFn),
    emit: build(module, emitFn),
  };
  return plan;
}

function hasAggregate(exprs: Expr[]): boolean {
  let found = false;
  const walk = (v: unknown): void => {
    if (found || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    const node = v as { kind?: string; name?: string };
    if (node.kind === 'call' && (node as { over?: unknown }).over === undefined && AGGREGATES.has(node.name ?? '')) {
      found = true;
      return;
    }
    for (const [k, x] of Object.entries(node)) if (k !== 'pos') walk(x);
  };
  walk(exprs);
  return found;
}

/** Makes a generated function: `rt` (runtime.ts) and the module's constants `K` are its only free names. */
export function build<F>(module: Module, fnSource: string): F {
  return new Function('rt', 'K', `"use strict";\nreturn ${fnSource};`)(rt, module.constants) as F;
}
