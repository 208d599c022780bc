/** Test doubles for the load test: an in-memory Kinesis behind aws-sdk-client-mock, and time that moves on sleep. */
import {
  GetRecordsCommand,
  type GetRecordsCommandInput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  KinesisClient,
  ListShardsCommand,
  type ListShardsCommandInput,
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
  type PutRecordsCommandInput,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { deaggregate } from '../../../src/kpl';
import type { SourceSchema } from '../../../src/streaming-sql';

export const kinesisMock = mockClient(KinesisClient);
export const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
export const schema: SourceSchema = {
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordColumns: [
    { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
    { Name: 'USERNAME', SqlType: 'VARCHAR(32)', Mapping: '$.USERNAME' },
    { Name: 'AMOUNT', SqlType: 'DOUBLE', Mapping: '$.AMOUNT' },
  ],
};
export const outputs = [
  { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
  { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
];

interface Stored {
  data: Uint8Array;
  partitionKey: string;
  at: number;
}

/**
 * An in-memory Kinesis with one shard per stream and a stand-in fan-out: every record put into Input (every user
 * record of a KPL aggregate) is copied at once to Positive or Negative by the sign of its AMOUNT, 7 ms later, unless
 * `lose` says to drop it.
 */
export function fakeKinesis(
  now: () => number,
  options: {
    lose?: (n: number) => boolean;
    throttleFirstPut?: boolean;
    /** GetRecords on `stream` answers ProvisionedThroughputExceededException while this says so. */
    throttleReads?: (stream: string) => boolean;
  } = {},
) {
  const streams = new Map<string, Stored[]>([
    ['Input', []],
    ['Positive', []],
    ['Negative', []],
  ]);
  const nameOf = (streamArn?: string) => streamArn!.slice(streamArn!.lastIndexOf('/') + 1);
  let puts = 0;
  let routed = 0;
  kinesisMock.on(ListShardsCommand).callsFake((input: ListShardsCommandInput) => {
    if (!streams.has(nameOf(input.StreamARN))) throw new Error('no such stream');
    return {
      Shards: [
        {
          ShardId: 'shardId-000000000000',
          HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(2n ** 128n - 1n) },
          SequenceNumberRange: { StartingSequenceNumber: '0' },
        },
      ],
    };
  });
  kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
    puts++;
    const input_ = streams.get(nameOf(input.StreamARN))!;
    const results = input.Records!.map((r, i) => {
      if (options.throttleFirstPut && puts === 1 && i % 2 === 0)
        return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' };
      input_.push({ data: r.Data!, partitionKey: r.PartitionKey!, at: now() });
      // a KPL aggregate is copied as its user records, as both engines read it
      for (const user of deaggregate({ data: r.Data!, partitionKey: r.PartitionKey! })) {
        const { ID, USERNAME, AMOUNT } = JSON.parse(user.data.toString()) as Record<string, number | string>;
        if (!options.lose?.(routed++))
          streams.get(Number(AMOUNT) >= 0 ? 'Positive' : 'Negative')!.push({
            data: Buffer.from(JSON.stringify({ ID, USERNAME, AMOUNT })),
            partitionKey: user.partitionKey,
            at: now() + 7,
          });
      }
      return { SequenceNumber: String(input_.length), ShardId: 'shardId-000000000000' };
    });
    return { FailedRecordCount: results.filter((r) => 'ErrorCode' in r).length, Records: results };
  });
  kinesisMock.on(GetShardIteratorCommand).callsFake((input: GetShardIteratorCommandInput) => {
    const name = nameOf(input.StreamARN);
    const from = input.Timestamp!.getTime();
    const index = streams.get(name)!.findIndex((r) => r.at >= from);
    return { ShardIterator: `${name}|${index < 0 ? streams.get(name)!.length : index}` };
  });
  kinesisMock.on(GetRecordsCommand).callsFake((input: GetRecordsCommandInput) => {
    const [name, at] = input.ShardIterator!.split('|');
    if (options.throttleReads?.(name!))
      throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard', $metadata: {} });
    const all = streams.get(name!)!;
    // only what has arrived by now is visible
    const visible = all.filter((r) => r.at <= now()).length;
    const start = Number(at);
    const records = all.slice(start, Math.max(start, visible)).map((r, i) => ({
      SequenceNumber: String(start + i + 1),
      Data: r.data,
      PartitionKey: r.partitionKey,
      ApproximateArrivalTimestamp: new Date(r.at),
    }));
    return {
      Records: records,
      NextShardIterator: `${name}|${start + records.length}`,
      MillisBehindLatest: 0,
    };
  });
  return streams;
}

export function virtualTimer(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
