/**
 * The load-test record generator. Record `seq` of a run is a pure function of (run id, seq, options), so the
 * verifier can rebuild any record's partition key without keeping the records.
 */
import { createHash } from 'node:crypto';
import type { SourceSchema } from '../streaming-sql';

/** A load-test record's fields, before encoding. */
export interface LoadTestFields {
  ID: number;
  USERNAME: string;
  /** Cents: AMOUNT is `cents / 100` with two decimal places. */
  cents: number;
}

export interface GeneratorOptions {
  /** The tag records carry in USERNAME (see `recordTagOf`). */
  runId: string;
  /** Bytes each encoded record should reach with padding (never truncated below its natural size). */
  recordSize?: number;
  /** Share of records with a negative AMOUNT, 0..1. */
  negativeShare: number;
  /** Partition keys to spread the records over, in turn (see `partitionKeysForShards`). */
  partitionKeys: string[];
  /** The input schema: the record format and the columns to fill. */
  schema: SourceSchema;
}

export interface GeneratedRecord {
  seq: number;
  partitionKey: string;
  data: Uint8Array;
  fields: LoadTestFields;
}

/** A Kinesis shard as ListShards describes it. */
export interface ShardRange {
  ShardId?: string | undefined;
  HashKeyRange?: { StartingHashKey?: string | undefined; EndingHashKey?: string | undefined } | undefined;
}

/** The run id and sequence carried by USERNAME: `<runId>-<seq>`. */
export function usernameOf(runId: string, seq: number): string {
  return `${runId}-${seq}`;
}

/** Inverse of `usernameOf`; undefined when the text is not a load-test USERNAME. */
export function parseUsername(text: string): { runId: string; seq: number } | undefined {
  const dash = text.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const digits = text.slice(dash + 1);
  if (!/^\d{1,15}$/.test(digits)) return undefined;
  return { runId: text.slice(0, dash), seq: Number(digits) };
}

/** A new run id: short, sortable by time, safe in USERNAME and in partition keys. */
export function newRunId(now = Date.now()): string {
  return `lt${now.toString(36)}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
}

/** The declared length of a VARCHAR column of the schema, if it has one of that name. */
function varcharLength(schema: SourceSchema, name: string): number | undefined {
  const column = schema.RecordColumns.find((c) => c.Name.toUpperCase() === name);
  const match = column && /^\s*(?:VARCHAR|CHAR)\s*\(\s*(\d+)\s*\)/i.exec(column.SqlType);
  return match ? Number(match[1]) : undefined;
}

/**
 * The tag records of a run carry in USERNAME (`<tag>-<seq>`): the run id itself when it fits the USERNAME column
 * (schema discovery sizes it after its samples, e.g. VARCHAR(32)), else a short hash of it.
 */
export function recordTagOf(runId: string, schema: SourceSchema, total: number): string {
  const limit = varcharLength(schema, 'USERNAME');
  const digits = String(Math.max(0, total - 1)).length;
  if (limit === undefined || runId.length + 1 + digits <= limit) return runId;
  const room = limit - 1 - digits;
  if (room < 6)
    throw new RangeError(
      `the USERNAME column (VARCHAR(${limit})) is too short to carry a run tag and ${total} sequence numbers`,
    );
  const hash = BigInt(`0x${createHash('md5').update(runId).digest('hex')}`).toString(36);
  return `t${hash.slice(0, Math.min(room, 12) - 1)}`;
}

/** The 128-bit hash Kinesis maps a partition key with. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/**
 * Partition keys that land `perShard` on each open shard, found by hashing candidates the way Kinesis does, so a
 * run loads every shard evenly whatever the shard count.
 */
export function partitionKeysForShards(runId: string, shards: ShardRange[], perShard = 4): string[] {
  const ranges = shards
    .filter((s) => s.HashKeyRange?.StartingHashKey !== undefined && s.HashKeyRange.EndingHashKey !== undefined)
    .map((s) => ({
      start: BigInt(s.HashKeyRange!.StartingHashKey!),
      end: BigInt(s.HashKeyRange!.EndingHashKey!),
      keys: [] as string[],
    }));
  if (ranges.length === 0) return Array.from({ length: perShard }, (_, i) => `${runId}-k${i}`);
  let filled = 0;
  // Each candidate lands on a shard with probability >= 1/shards; the bound only guards against bad ranges.
  const limit = ranges.length * perShard * 64 + 1000;
  for (let i = 0; filled < ranges.length && i < limit; i++) {
    const key = `${runId}-k${i}`;
    const hash = hashKeyOf(key);
    const range = ranges.find((r) => hash >= r.start && hash <= r.end);
    if (!range || range.keys.length >= perShard) continue;
    range.keys.push(key);
    if (range.keys.length === perShard) filled++;
  }
  // Interleave so consecutive records go to different shards.
  const keys: string[] = [];
  for (let k = 0; k < perShard; k++) for (const r of ranges) if (r.keys[k] !== undefined) keys.push(r.keys[k]!);
  return keys;
}

/** 32-bit mixing hash of (seed, n): a stateless PRNG so record `n` needs no predecessors. */
function random(seed: number, n: number): number {
  let t = (seed ^ Math.imul(n + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x7feb352d);
  t = Math.imul(t ^ (t >>> 15), 0x846ca68b);
  t ^= t >>> 16;
  return (t >>> 0) / 4294967296;
}

function seedOf(runId: string): number {
  return createHash('md5').update(runId).digest().readUInt32LE(0);
}

/** Largest |AMOUNT| in cents that the input schema's AMOUNT column holds (DECIMAL(5,2) -> 99999). */
export function maxCentsFor(schema: SourceSchema): number {
  const column = schema.RecordColumns.find((c) => c.Name.toUpperCase() === 'AMOUNT');
  const match = column && /^\s*(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/i.exec(column.SqlType);
  const fallback = 99_999;
  if (!match) return fallback;
  const precision = Number(match[1]);
  const scale = Number(match[2] ?? 0);
  // Keep two decimals when the column has them; a column with fewer decimals gets whole units.
  const digits = scale >= 2 ? precision - scale + 2 : precision - scale;
  const max = 10 ** Math.max(1, digits) - 1;
  return Math.min(fallback, scale >= 2 ? max : max * 100);
}

/** The fields of record `seq`: AMOUNT is drawn so that `negativeShare` of the records are negative. */
export function fieldsOf(seq: number, runId: string, negativeShare: number, maxCents: number, seed = seedOf(runId)) {
  const negative = random(seed, seq * 2) < negativeShare;
  const magnitude = Math.floor(random(seed, seq * 2 + 1) * (maxCents + 1));
  // A zero amount is positive for `AMOUNT >= 0`; keep negatives strictly below zero.
  const cents = negative ? -Math.max(1, magnitude) : magnitude;
  return { ID: seq, USERNAME: usernameOf(runId, seq), cents } satisfies LoadTestFields;
}

function amountText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function fieldText(name: string, fields: LoadTestFields): string | undefined {
  switch (name.toUpperCase()) {
    case 'ID':
      return String(fields.ID);
    case 'USERNAME':
      return fields.USERNAME;
    case 'AMOUNT':
      return amountText(fields.cents);
    default:
      return undefined;
  }
}

/**
 * Encodes a record in the input schema's format: JSON objects (`{"ID":..,"USERNAME":..,"AMOUNT":..,"PAD":..}`)
 * or CSV rows in the schema's column order. PAD fills the record up to `recordSize` bytes.
 */
export function encodeRecord(fields: LoadTestFields, schema: SourceSchema, recordSize = 0): Uint8Array {
  const format = schema.RecordFormat;
  if (format.RecordFormatType === 'CSV') {
    const csv = format.MappingParameters?.CSVMappingParameters;
    const delimiter = csv?.RecordColumnDelimiter ?? ',';
    const rowDelimiter = csv?.RecordRowDelimiter ?? '\n';
    const cells = schema.RecordColumns.map((c) => fieldText(c.Name, fields) ?? '');
    const padIndex = schema.RecordColumns.findIndex((c) => c.Name.toUpperCase() === 'PAD');
    const base = cells.join(delimiter) + rowDelimiter;
    const missing = Math.max(0, recordSize - Buffer.byteLength(base));
    if (missing > 0) {
      // Without a PAD column the padding goes into an extra trailing column, which the mapping ignores.
      if (padIndex >= 0) cells[padIndex] = 'x'.repeat(missing);
      else cells.push('x'.repeat(Math.max(0, missing - Buffer.byteLength(delimiter))));
    }
    return Buffer.from(cells.join(delimiter) + rowDelimiter, 'utf8');
  }
  const base = `{"ID":${fields.ID},"USERNAME":${JSON.stringify(fields.USERNAME)},"AMOUNT":${amountText(fields.cents)}`;
  const withEmptyPad = `${base},"PAD":""}`;
  const missing = Math.max(0, recordSize - Buffer.byteLength(withEmptyPad));
  return Buffer.from(`${base},"PAD":"${'x'.repeat(missing)}"}`, 'utf8');
}

/** Builds record `seq` of a run: fields, encoded data and its partition key. */
export class RecordGenerator {
  private readonly seed: number;
  private readonly maxCents: number;

  constructor(readonly options: GeneratorOptions) {
    if (options.partitionKeys.length === 0) throw new RangeError('the generator needs at least one partition key');
    this.seed = seedOf(options.runId);
    this.maxCents = maxCentsFor(options.schema);
  }

  partitionKeyOf(seq: number): string {
    const keys = this.options.partitionKeys;
    return keys[seq % keys.length]!;
  }

  record(seq: number): GeneratedRecord {
    const { runId, negativeShare, schema, recordSize } = this.options;
    const fields = fieldsOf(seq, runId, negativeShare, this.maxCents, this.seed);
    return { seq, partitionKey: this.partitionKeyOf(seq), data: encodeRecord(fields, schema, recordSize), fields };
  }
}
