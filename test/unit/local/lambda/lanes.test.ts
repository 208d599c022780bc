import { type LaneDeps, laneOf, readInLanes } from '../../../../local/lambda/mapping/lanes';
import type { KinesisRecord } from '../../../../local/lambda/mapping/types';

const record = (seq: number, key: string): KinesisRecord => ({
  SequenceNumber: String(seq).padStart(6, '0'),
  ApproximateArrivalTimestamp: 0,
  PartitionKey: key,
});

/** A shard that hands out `records` in pages of `page`, then ends. */
function shard(records: KinesisRecord[], page: number): { next: LaneDeps['next']; reads: () => number } {
  let at = 0;
  let reads = 0;
  return {
    next: async () => {
      if (at >= records.length) return undefined;
      reads++;
      const out = records.slice(at, at + page);
      at += page;
      return out;
    },
    reads: () => reads,
  };
}

/** Keys that fall into different lanes of `factor`, one per lane. */
function keysPerLane(factor: number): string[] {
  const keys: string[] = new Array(factor);
  for (let i = 0; keys.filter(Boolean).length < factor; i++) {
    const key = `key-${i}`;
    keys[laneOf(key, factor)] ??= key;
  }
  return keys;
}

describe('ParallelizationFactor lanes of an event source mapping', () => {
  it('keeps each key in order, one lane per key, with up to factor batches in flight at once', async () => {
    // Prepare: 4 lanes, 7 keys (so that no key's records fall on one lane by their position), 200 records in shard order;
    // a function that takes a tick per batch
    const keys = Array.from({ length: 7 }, (_, i) => `pk-${i}`);
    const records = Array.from({ length: 200 }, (_, i) => record(i, keys[i % 7]!));
    const { next } = shard(records, 50);
    const delivered: KinesisRecord[][] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const checkpoints: string[] = [];

    // Act
    await readInLanes({
      factor: 4,
      batchSize: 10,
      next,
      deliver: async (batch, processed) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        delivered.push(batch);
        processed(batch);
        inFlight--;
      },
      checkpoint: (r) => checkpoints.push(r.SequenceNumber),
      running: () => true,
    });

    // Assess: every record once; a key's records in shard order; a batch holds one lane's keys
    expect(delivered.flat()).toHaveLength(200);
    for (const key of keys) {
      const seen = delivered.flat().filter((r) => r.PartitionKey === key);
      expect(seen.map((r) => r.SequenceNumber)).toEqual([...seen.map((r) => r.SequenceNumber)].sort());
    }
    for (const batch of delivered) {
      expect(new Set(batch.map((r) => laneOf(r.PartitionKey, 4))).size).toBe(1);
      expect(batch.length).toBeLessThanOrEqual(10);
    }
    expect(mostInFlight).toBeGreaterThan(1);
    expect(mostInFlight).toBeLessThanOrEqual(4);
    // the checkpoint only moves forward, and ends on the shard's last record
    expect(checkpoints).toEqual([...checkpoints].sort());
    expect(checkpoints.at(-1)).toBe('000199');
  });

  it('moves the checkpoint only over records processed with every record before them', async () => {
    // Prepare: two lanes; the first record's lane is held until released
    const [slow, fast] = keysPerLane(2) as [string, string];
    const records = [record(1, slow), record(2, fast), record(3, fast), record(4, slow)];
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const checkpoints: string[] = [];
    let fastDone!: () => void;
    const fastDelivered = new Promise<void>((r) => {
      fastDone = r;
    });

    // Act
    const reading = readInLanes({
      factor: 2,
      batchSize: 10,
      next: shard(records, 4).next,
      deliver: async (batch, processed) => {
        if (batch[0]!.PartitionKey === slow) await held;
        processed(batch);
        if (batch[0]!.PartitionKey === fast) fastDone();
      },
      checkpoint: (r) => checkpoints.push(r.SequenceNumber),
      running: () => true,
    });
    await fastDelivered;
    const whileHeld = [...checkpoints];
    release();
    await reading;

    // Assess: records 2 and 3 were processed first, but the checkpoint waited for record 1, then went to the end
    expect(whileHeld).toEqual([]);
    expect(checkpoints).toEqual(['000004']);
  });

  it('checkpoints the first part a lane reports processed, and nothing past a record still being retried', async () => {
    // Prepare: one lane's batch is processed in two parts (a partial batch failure, then its retry)
    const [key] = keysPerLane(2) as [string];
    const records = [record(1, key), record(2, key), record(3, key)];
    const checkpoints: string[] = [];

    // Act
    await readInLanes({
      factor: 2,
      batchSize: 10,
      next: shard(records, 3).next,
      deliver: async (batch, processed) => {
        processed(batch.slice(0, 1));
        checkpoints.push('|');
        processed(batch.slice(1));
      },
      checkpoint: (r) => checkpoints.push(r.SequenceNumber),
      running: () => true,
    });

    // Assess
    expect(checkpoints).toEqual(['000001', '|', '000003']);
  });

  it('stops reading while factor x BatchSize x 2 records wait for their lanes, and starts no batch after a stop', async () => {
    // Prepare: a function that never finishes until released; 1,000 records in pages of 10
    const [a, b] = keysPerLane(2) as [string, string];
    const records = Array.from({ length: 1000 }, (_, i) => record(i, i % 2 ? a : b));
    const source = shard(records, 10);
    let running = true;
    const releases: (() => void)[] = [];
    let batches = 0;

    // Act
    const reading = readInLanes({
      factor: 2,
      batchSize: 5,
      next: source.next,
      deliver: async (_batch, processed) => {
        batches++;
        await new Promise<void>((r) => releases.push(r));
        processed(_batch);
      },
      checkpoint: () => {},
      running: () => running,
    });
    await new Promise((r) => setTimeout(r, 20));
    const readsWhileBlocked = source.reads();
    running = false;
    for (const release of releases) release();
    await reading;

    // Assess: a batch of 5 a lane in flight (the first page) and 2 x 5 x 2 = 20 records waiting (two more pages), no
    // read past them; no batch starts after the stop
    expect(readsWhileBlocked).toBe(3);
    expect(batches).toBe(2);
  });
});
