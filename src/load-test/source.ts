/**
 * A run's record source: record `seq` (its bytes and partition key) as a pure function of the run, from synthetic
 * values, the user's sample records, or the user's generator, with the run's token in the carrier columns.
 */
import { createHash } from 'node:crypto';
import type { SourceSchema } from '../streaming-sql';
import { tokenFor } from './identity';
import {
  type ColumnPlan,
  RecordEncoder,
  type RecordSourceSpec,
  random,
  recordText,
  syntheticValue,
  textLimit,
} from './records';

export interface SourceOptions {
  runId: string;
  tag: string;
  schema: SourceSchema;
  /** Partition keys to spread the records over, in turn (see `partitionKeysForShards`). */
  partitionKeys: readonly string[];
  /** When record `seq` is planned to be put. */
  plannedMs: (seq: number) => number;
  recordSize?: number;
  negativeShare?: number;
}

/** One record of the run, ready to put. */
export interface PlannedRecord {
  seq: number;
  partitionKey: string;
  data: Uint8Array;
}

function seedOf(runId: string): number {
  return createHash('md5').update(runId).digest().readUInt32LE(0);
}

/** Builds the records of a run; `carriers` are the columns that carry the run's token. */
export class RecordSource {
  readonly encoder: RecordEncoder;
  readonly kind: RecordSourceSpec['kind'];
  /** Name of the sample file or generator, for the report. */
  readonly name: string | undefined;
  private readonly seed: number;
  private readonly sequenceColumn: number;
  private carrierColumns: number[];

  constructor(
    readonly spec: RecordSourceSpec,
    readonly options: SourceOptions,
  ) {
    if (options.partitionKeys.length === 0) throw new RangeError('the load test needs at least one partition key');
    if (spec.kind === 'sample' && spec.records.length === 0) throw new RangeError('the sample holds no records');
    this.kind = spec.kind;
    this.name = spec.kind === 'synthetic' ? undefined : spec.name;
    this.encoder = new RecordEncoder(options.schema, options.recordSize ?? 0);
    this.seed = seedOf(options.runId);
    this.sequenceColumn = this.encoder.columns.findIndex((c) => c.type.kind === 'INTEGER' || c.type.kind === 'BIGINT');
    // Synthetic records carry the token in every text column wide enough; user records only where it is safe.
    this.carrierColumns = spec.kind === 'synthetic' ? this.textColumns() : [];
  }

  get tag(): string {
    return this.options.tag;
  }

  get columns(): ColumnPlan[] {
    return this.encoder.columns;
  }

  /** Text columns wide enough for a token: the candidates to carry it. */
  textColumns(): number[] {
    return this.columns
      .filter((c) => {
        const limit = textLimit(c.type);
        return limit !== undefined && tokenFor(this.options.tag, 0, limit) !== undefined;
      })
      .map((c) => c.index);
  }

  get carriers(): readonly number[] {
    return this.carrierColumns;
  }

  /** Sets the columns that carry the token (for user records, after checking it leaves routing alone). */
  setCarriers(columns: readonly number[]): void {
    this.carrierColumns = [...columns];
  }

  /** How many different partition keys the records take in turn. */
  get keyCount(): number {
    return this.options.partitionKeys.length;
  }

  partitionKeyOf(seq: number): string {
    const keys = this.options.partitionKeys;
    return keys[seq % keys.length]!;
  }

  /** Record `seq` with the token in `carriers` (default: the source's carriers). */
  record(seq: number, carriers: readonly number[] = this.carrierColumns): PlannedRecord {
    return { seq, partitionKey: this.partitionKeyOf(seq), data: this.data(seq, carriers) };
  }

  private data(seq: number, carriers: readonly number[]): Uint8Array {
    const plannedMs = this.options.plannedMs(seq);
    const spec = this.spec;
    if (spec.kind === 'synthetic') {
      const options = { seed: this.seed, tag: this.options.tag, negativeShare: this.options.negativeShare ?? 0.5 };
      const values = this.columns.map((c) => {
        const value = syntheticValue(c, seq, plannedMs, options, this.sequenceColumn);
        // a text column left out of the carriers gets a filler without the token
        return typeof value === 'string' && !carriers.includes(c.index) && textLimit(c.type) !== undefined
          ? fillerText(seq, textLimit(c.type)!, this.seed)
          : value;
      });
      return this.encoder.encode(values);
    }
    const base =
      spec.kind === 'sample'
        ? spec.records[seq % spec.records.length]
        : spec.generate(seq, { runId: this.options.runId, plannedMs });
    const token = (c: ColumnPlan) => tokenFor(this.options.tag, seq, textLimit(c.type) ?? Number.POSITIVE_INFINITY);
    return carriers.length === 0
      ? new TextEncoder().encode(recordText(base))
      : this.encoder.inject(base, carriers, token);
  }
}

function fillerText(seq: number, limit: number, seed: number): string {
  return Math.floor(random(seed, seq) * 36 ** 6)
    .toString(36)
    .slice(0, Math.max(1, Math.min(limit, 6)));
}
