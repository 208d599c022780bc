import { createHash } from 'node:crypto';
import { handler } from '../../../handlers/kpl-preprocessor';
import { aggregate, KPL_MAGIC } from '../../../src/kpl';
import { type PreprocessingEvent, preprocess } from '../../../src/kpl/preprocessor';

const b64 = (data: Uint8Array | string) => Buffer.from(data).toString('base64');
const text = (data: string | undefined) => Buffer.from(data ?? '', 'base64').toString();

function eventOf(records: { id: string; data: Uint8Array | string }[]): PreprocessingEvent {
  return {
    invocationId: 'b2a4a4c4-1f3d-4a0e-9a55-0d2a4c1f7e10',
    applicationArn: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/fanout-dev-1',
    streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/Transactions',
    records: records.map((r) => ({
      recordId: r.id,
      data: b64(r.data),
      kinesisStreamRecordMetadata: { partitionKey: 'pk', sequenceNumber: r.id, shardId: 'shardId-000000000000' },
    })),
  };
}

const [packed] = aggregate([
  { data: Buffer.from('{"n":1}'), partitionKey: 'a' },
  { data: Buffer.from('{"n":2}\n'), partitionKey: 'b' },
  { data: Buffer.from('{"n":3}'), partitionKey: 'c' },
]);
const corrupt = Buffer.from(packed!.data);
corrupt[6] ^= 0xff;
const empty = Buffer.concat([KPL_MAGIC, createHash('md5').update(Buffer.alloc(0)).digest()]);

describe('KPL input preprocessor (the Kinesis Analytics blueprint contract)', () => {
  it('answers every record with its recordId: Ok with the user records, Ok unchanged, Dropped, ProcessingFailed', () => {
    // Act
    const { response, summary } = preprocess(
      eventOf([
        { id: '1', data: packed!.data },
        { id: '2', data: '{"n":4}' },
        { id: '3', data: empty },
        { id: '4', data: corrupt },
      ]),
    );

    // Assess
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ['1', 'Ok'],
      ['2', 'Ok'],
      ['3', 'Dropped'],
      ['4', 'ProcessingFailed'],
    ]);
    // one newline between two documents, none doubled
    expect(text(response.records[0]!.data)).toBe('{"n":1}\n{"n":2}\n{"n":3}');
    expect(text(response.records[1]!.data)).toBe('{"n":4}');
    expect(response.records[2]!.data).toBeUndefined();
    expect(response.records[3]!.data).toBe(b64(corrupt));
    expect(summary).toMatchObject({ records: 4, aggregates: 2, userRecords: 3, plain: 1, dropped: 1, failed: 1 });
    expect(summary.firstFailure).toEqual({ recordId: '4', reason: expect.stringContaining('Corrupt KPL aggregate') });
  });

  it('is the handler the service deploys: an event that is not the contract fails with the field named', async () => {
    // Act
    const answer = await handler(eventOf([{ id: '7', data: packed!.data }]));

    // Assess
    expect(answer.records).toHaveLength(1);
    expect(answer.records[0]).toMatchObject({ recordId: '7', result: 'Ok' });
    await expect(handler({ invocationId: 'x', records: [{ recordId: '1' }] })).rejects.toThrow(
      /streamArn.*records\[0\]\.data|records\[0\]\.data.*streamArn/s,
    );
  });
});
