import { kinesisEventJson } from '../../../../local/lambda/mapping/event';
import type { KinesisRecord } from '../../../../local/lambda/mapping/types';

const source = {
  invokeIdentityArn: 'arn:aws:iam::000000000000:role/fan"out',
  awsRegion: 'eu-west-1',
  eventSourceArn: 'arn:aws:kinesis:eu-west-1:000000000000:stream/in/consumer/c:1700000000',
};

/** The event as Lambda documents it, built as objects: what the JSON text must parse to. */
function expected(shardId: string, records: KinesisRecord[]): unknown {
  return {
    Records: records.map((r) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.PartitionKey,
        sequenceNumber: r.SequenceNumber,
        data: r.data64 ?? Buffer.from(r.Data ?? []).toString('base64'),
        approximateArrivalTimestamp: r.ApproximateArrivalTimestamp / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${r.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: source.invokeIdentityArn,
      awsRegion: source.awsRegion,
      eventSourceARN: source.eventSourceArn,
    })),
  };
}

describe('Function: kinesisEventJson', () => {
  it('writes the Kinesis event Lambda hands a function, byte for byte what JSON.stringify of its objects gives', () => {
    // Prepare: keys that need escaping, bytes and pushed base64, whole and fractional arrival times
    const records: KinesisRecord[] = [
      {
        SequenceNumber: '49630000000000000001',
        ApproximateArrivalTimestamp: 1_700_000_000_123,
        Data: Buffer.from('{"A":1}'),
        PartitionKey: 'plain',
      },
      {
        SequenceNumber: '49630000000000000002',
        ApproximateArrivalTimestamp: 1_700_000_001_000,
        data64: Buffer.from([0, 255, 10]).toString('base64'),
        PartitionKey: 'quote " and \\ back',
      },
      {
        SequenceNumber: '49630000000000000003',
        ApproximateArrivalTimestamp: 1_700_000_002_005,
        Data: new Uint8Array(0),
        PartitionKey: 'ключ 🔑 \n\t\u0001 \u2028',
      },
    ];

    // Act
    const json = kinesisEventJson('shardId-000000000007', records, source);

    // Assess
    expect(JSON.parse(json)).toEqual(expected('shardId-000000000007', records));
    expect(json).toBe(JSON.stringify(expected('shardId-000000000007', records)));
  });

  it('writes an empty batch as an empty Records list', () => {
    expect(kinesisEventJson('shardId-000000000000', [], source)).toBe('{"Records":[]}');
  });
});
