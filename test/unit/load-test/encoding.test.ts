import { KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { deaggregate, isAggregated } from '../../../src/kpl';
import { kplEncoding } from '../../../src/load-test/encoding';
import { produce } from '../../../src/load-test/kinesis-io';

const kinesisMock = mockClient(KinesisClient);
const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/Input';

function virtualTimer(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

/** Every PutRecords entry Kinesis accepted, in call order, as its user records. */
function acceptAll(): { user: () => { key: string; text: string }[]; entries: () => number } {
  const put: { data: Uint8Array; key: string }[] = [];
  let n = 0;
  kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
    for (const r of input.Records!) put.push({ data: r.Data!, key: r.PartitionKey! });
    return {
      FailedRecordCount: 0,
      Records: input.Records!.map(() => ({ SequenceNumber: String(++n), ShardId: 'shardId-000000000000' })),
    };
  });
  return {
    user: () =>
      put.flatMap((p) =>
        deaggregate({ data: p.data, partitionKey: p.key }).map((u) => ({ key: u.partitionKey, text: `${u.data}` })),
      ),
    entries: () => put.length,
  };
}

describe('Function: kplEncoding', () => {
  beforeEach(() => kinesisMock.reset());

  it('packs each partition key into aggregates of at most N records, and unpacks them in order', () => {
    // Prepare
    const encoding = kplEncoding(3);
    const records = Array.from({ length: 8 }, (_, seq) => ({
      seq,
      data: Buffer.from(`r${seq}`),
      partitionKey: `k${seq % 2}`,
    }));

    // Act
    const entries = encoding.pack(records);

    // Assess
    expect(entries.map((e) => [e.partitionKey, e.seqs])).toEqual([
      ['k0', [0, 2, 4]],
      ['k0', [6]],
      ['k1', [1, 3, 5]],
      ['k1', [7]],
    ]);
    expect(entries.every((e) => isAggregated(e.data))).toBe(true);
    expect(encoding.unpack(entries[0]!.data).map(String)).toEqual(['r0', 'r2', 'r4']);
    // plain records and corrupt aggregates are handed on whole
    expect(encoding.unpack(Buffer.from('plain')).map(String)).toEqual(['plain']);
    const corrupt = Buffer.from(entries[0]!.data);
    corrupt[5] ^= 0xff;
    expect(encoding.unpack(corrupt)).toEqual([corrupt]);
  });

  it('produces every record once, each key in order, when aggregates do not all fit one PutRecords call', async () => {
    // Prepare: 14 records of 400 KB in aggregates of 2: 7 entries of ~800 KB, more than a call's 5 MiB
    const put = acceptAll();
    const sent: number[] = [];

    // Act
    const result = await produce(new KinesisClient({}), {
      streamArn: STREAM,
      total: 14,
      rate: 1000,
      record: (seq) => ({ data: Buffer.alloc(400_000, 0x61 + seq), partitionKey: 'only-key' }),
      partitionKeyOf: () => 'only-key',
      encoding: kplEncoding(2),
      onSent: (seq) => sent.push(seq),
      onThrottle: () => {},
      timer: virtualTimer(),
    });

    // Assess
    expect(result).toMatchObject({ sent: 14, failed: 0 });
    expect(sent).toEqual(Array.from({ length: 14 }, (_, i) => i));
    expect(kinesisMock.commandCalls(PutRecordsCommand).length).toBeGreaterThan(1);
    expect(put.entries()).toBe(7);
    expect(put.user().map((u) => u.text.charCodeAt(0) - 0x61)).toEqual(sent);
  });
});
