/** The syntax tree of application code. Every node carries its position for compile errors. */
import type { SourcePosition } from './errors';

export type Pos = SourcePosition;

/** A SQL type as written (`DECIMAL(5,2)`, `VARCHAR(16)`). */
export interface TypeName {
  name: string;
  args: number[];
  pos: Pos;
}

export type TimeUnit = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND';

export type Expr =
  | { kind: 'literal'; type: 'INTEGER' | 'DECIMAL' | 'DOUBLE' | 'STRING' | 'BOOLEAN' | 'NULL'; text: string; pos: Pos }
  | { kind: 'typed-literal'; type: 'TIMESTAMP' | 'DATE' | 'TIME'; text: string; pos: Pos }
  | { kind: 'interval'; text: string; unit: TimeUnit; pos: Pos }
  | { kind: 'column'; qualifier?: string; name: string; pos: Pos }
  | { kind: 'unary'; op: '-' | '+' | 'NOT'; operand: Expr; pos: Pos }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; pos: Pos }
  | { kind: 'between'; expr: Expr; low: Expr; high: Expr; not: boolean; pos: Pos }
  | { kind: 'in'; expr: Expr; list: Expr[]; not: boolean; pos: Pos }
  | { kind: 'like'; expr: Expr; pattern: Expr; escape?: Expr; not: boolean; similar?: boolean; pos: Pos }
  | { kind: 'is'; expr: Expr; test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN'; not: boolean; pos: Pos }
  | { kind: 'case'; operand?: Expr; whens: { when: Expr; result: Expr }[]; else?: Expr; pos: Pos }
  | { kind: 'cast'; expr: Expr; type: TypeName; pos: Pos }
  | { kind: 'call'; name: string; args: Expr[]; star: boolean; distinct: boolean; over?: Over; pos: Pos }
  | { kind: 'floor-to'; fn: 'FLOOR' | 'CEIL'; expr: Expr; unit: TimeUnit; pos: Pos }
  | { kind: 'step'; expr: Expr; interval: Expr; pos: Pos }
  | { kind: 'trim'; side: 'BOTH' | 'LEADING' | 'TRAILING'; chars?: Expr; expr: Expr; pos: Pos };

/** A sliding window: RANGE INTERVAL 'n' unit PRECEDING (time) or ROWS n PRECEDING (count), per partition. */
export interface WindowSpec {
  partitionBy: Expr[];
  rangeMs?: number;
  rows?: number;
  pos: Pos;
}

/** `OVER name` or `OVER (spec)` after an aggregate. */
export interface Over {
  ref?: string;
  spec?: WindowSpec;
  pos: Pos;
}

export type SelectItem =
  | { kind: 'star'; qualifier?: string; pos: Pos }
  | { kind: 'expr'; expr: Expr; alias?: string; pos: Pos };

export interface Select {
  items: SelectItem[];
  /** A stream, or a subquery (`FROM (SELECT STREAM ...) [AS alias]`); name is '' for a subquery. */
  from: { name: string; subquery?: Select; alias?: string; pos: Pos };
  where?: Expr;
  groupBy?: Expr[];
  having?: Expr;
  windows?: { name: string; spec: WindowSpec; pos: Pos }[];
  pos: Pos;
}

export interface CreateStream {
  kind: 'create-stream';
  name: string;
  orReplace: boolean;
  columns: { name: string; type: TypeName; pos: Pos }[];
  pos: Pos;
}

export interface CreatePump {
  kind: 'create-pump';
  name: string;
  orReplace: boolean;
  target: string;
  targetPos: Pos;
  targetColumns?: { name: string; pos: Pos }[];
  select: Select;
  pos: Pos;
}

export type Statement = CreateStream | CreatePump;
