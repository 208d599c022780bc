/**
 * Read-only views of the Kinesis twin for its console: streams with their shards and consumers, the per-second
 * counters of each shard, and the latest records of a shard. Peeking at records spends no read limit and moves
 * no iterator: a person looking at a stream must not throttle the readers under test.
 */
import { LIMITS } from './limits';
import { METRIC_SECONDS } from './metrics';
import { sequenceNumber } from './sequence';
import type { KinesisState } from './state';
import type { Stream } from './store';
import type { ShardView, StreamOverview, StreamView } from './views';

export type { ConsumerView, ShardSeries, ShardView, StreamOverview, StreamView } from './views';

export interface PeekedRecord {
  sequenceNumber: string;
  /** ms epoch. */
  arrival: number;
  partitionKey: string;
  data: Buffer;
}

export class KinesisInspector {
  constructor(private readonly state: KinesisState) {}

  streams(): StreamOverview[] {
    return [...this.state.streams.values()].map((s) => ({
      name: s.name,
      arn: s.arn,
      status: s.status,
      mode: s.mode,
      openShards: s.open.length,
      consumers: s.consumers.size,
      retentionHours: s.retentionHours,
      created: s.createdMs,
    }));
  }

  /** The stream with its shards (and their counters over the last `seconds`) and consumers; undefined if none. */
  stream(name: string, seconds = METRIC_SECONDS): StreamView | undefined {
    const s: Stream | undefined = this.state.streams.get(name);
    if (!s) return undefined;
    const now = this.state.now();
    const shards: ShardView[] = s.shards.map((shard) => ({
      shardId: shard.id,
      open: !shard.closed,
      ...(shard.parentShardId !== undefined ? { parentShardId: shard.parentShardId } : {}),
      ...(shard.adjacentParentShardId !== undefined ? { adjacentParentShardId: shard.adjacentParentShardId } : {}),
      startingHashKey: shard.startHash.toString(),
      endingHashKey: shard.endHash.toString(),
      records: shard.log.size,
      bytes: shard.log.bytes,
      ...(shard.log.size > 0 ? { lastArrival: shard.log.lastTime } : {}),
      metrics: shard.metrics.series(now, seconds),
    }));
    return {
      ...this.streams().find((o) => o.name === name)!,
      encryption: s.encryption.type,
      maxRecordKiB: s.maxRecordKiB,
      limits: this.state.opts.limits
        ? { writeRecordsPerSecond: LIMITS.writeRecordsPerSecond, readCallsPerSecond: LIMITS.readCallsPerSecond }
        : undefined,
      now,
      shards,
      consumers: [...s.consumers.values()].map((c) => ({
        name: c.name,
        arn: c.arn,
        status: c.status,
        created: c.createdMs,
      })),
    };
  }

  /** The newest `limit` records of a shard, oldest first; undefined when the stream or shard does not exist. */
  latestRecords(name: string, shardId: string, limit: number): PeekedRecord[] | undefined {
    const stream = this.state.streams.get(name);
    const shard = stream?.shards.find((s) => s.id === shardId);
    if (!stream || !shard) return undefined;
    const log = shard.log;
    const from = Math.max(log.first, log.next - limit);
    const records: PeekedRecord[] = [];
    log.read(from, limit, LIMITS.getRecordsMaxBytes, (buf, s, e, time, key, i) => {
      records.push({
        sequenceNumber: sequenceNumber(shard.prefix, i),
        arrival: time,
        partitionKey: key,
        data: Buffer.from(buf.subarray(s, e)),
      });
    });
    return records;
  }
}
