/**
 * ParallelizationFactor: a shard's records are split by partition key into `factor` lanes, and each lane hands its
 * batches to the function one at a time, so up to `factor` batches of one shard are in flight together while every
 * partition key keeps its order (a key always goes to the same lane). The shard's checkpoint moves only over records
 * that are processed with every record before them: a lane that is slow or retrying holds it back, and after a stop
 * the shard is read again from there (records other lanes had processed come again: at least once, as on Lambda).
 * Reading pauses while `factor` x BatchSize x 2 records wait for their lanes (besides the batches in flight).
 */
import type { KinesisRecord } from './types';

export interface LaneDeps {
  factor: number;
  batchSize: number;
  /** The shard's next records in order; undefined once the shard is read to its end or the mapping stops. */
  next: () => Promise<KinesisRecord[] | undefined>;
  /**
   * Hands one lane's batch to the function until it is processed or discarded (delivery.ts); `processed` marks
   * the records the function is done with, which may be a first part of the batch at a time.
   */
  deliver: (records: KinesisRecord[], processed: (records: KinesisRecord[]) => void) => Promise<void>;
  /** The shard's checkpoint moves past this record. */
  checkpoint: (record: KinesisRecord) => void;
  running: () => boolean;
}

/** The lane of a partition key: FNV-1a over its UTF-16 units (Lambda does not say which hash it uses). */
export function laneOf(partitionKey: string, factor: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i++) {
    h ^= partitionKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % factor;
}

/** Reads a shard through `factor` lanes until it is read to its end (every lane drained) or the mapping stops. */
export async function readInLanes(d: LaneDeps): Promise<void> {
  const queues: KinesisRecord[][] = Array.from({ length: d.factor }, () => []);
  const busy: (Promise<void> | undefined)[] = new Array(d.factor).fill(undefined);
  // records read and not yet passed by the checkpoint, in shard order, and those of them processed
  const order: KinesisRecord[] = [];
  let head = 0;
  const processed = new Set<KinesisRecord>();
  let queued = 0;
  let laneDone: (() => void) | undefined;

  const markProcessed = (records: KinesisRecord[]): void => {
    for (const r of records) processed.add(r);
    let last: KinesisRecord | undefined;
    while (head < order.length && processed.has(order[head]!)) {
      last = order[head]!;
      processed.delete(last);
      head++;
    }
    if (head > 1024 && head * 2 > order.length) {
      order.splice(0, head);
      head = 0;
    }
    if (last) d.checkpoint(last);
  };

  const wakeReader = (): void => {
    const wake = laneDone;
    laneDone = undefined;
    wake?.();
  };

  const runLane = async (lane: number): Promise<void> => {
    const queue = queues[lane]!;
    while (queue.length > 0 && d.running()) {
      const batch = queue.splice(0, d.batchSize);
      queued -= batch.length;
      await d.deliver(batch, markProcessed);
      wakeReader();
    }
    busy[lane] = undefined;
    wakeReader();
  };

  const start = (lane: number): void => {
    if (busy[lane] || queues[lane]!.length === 0) return;
    busy[lane] = runLane(lane);
  };

  const limit = d.factor * d.batchSize * 2;
  for (;;) {
    if (!d.running()) break;
    if (queued >= limit) {
      await new Promise<void>((resolve) => {
        laneDone = resolve;
      });
      continue;
    }
    const records = await d.next();
    if (!records) break;
    for (const r of records) {
      order.push(r);
      queues[laneOf(r.PartitionKey, d.factor)]!.push(r);
    }
    queued += records.length;
    for (let lane = 0; lane < d.factor; lane++) start(lane);
  }
  // the shard is read to its end, or the mapping stops: each busy lane drains its queue (a stopped one finishes the
  // batch in flight only); no lane starts after this, so one wait covers them all
  await Promise.all(busy);
}
