import {
  encodeRecord,
  hashKeyOf,
  maxCentsFor,
  newRunId,
  parseUsername,
  partitionKeysForShards,
  RecordGenerator,
  usernameOf,
} from '../../../src/load-test/generator';
import type { SourceSchema } from '../../../src/streaming-sql';

const jsonSchema: SourceSchema = {
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: [
    { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
    { Name: 'USERNAME', SqlType: 'VARCHAR(64)', Mapping: '$.USERNAME' },
    { Name: 'AMOUNT', SqlType: 'DECIMAL(5,2)', Mapping: '$.AMOUNT' },
  ],
};

/** Four shards splitting the 128-bit hash space evenly. */
const fourShards = [0n, 1n, 2n, 3n].map((i) => {
  const quarter = 2n ** 126n;
  return {
    ShardId: `shardId-00000000000${i}`,
    HashKeyRange: { StartingHashKey: String(i * quarter), EndingHashKey: String((i + 1n) * quarter - 1n) },
  };
});

function generator(overrides: Partial<ConstructorParameters<typeof RecordGenerator>[0]> = {}) {
  return new RecordGenerator({
    runId: 'run-1',
    negativeShare: 0.3,
    partitionKeys: ['a', 'b', 'c'],
    schema: jsonSchema,
    ...overrides,
  });
}

describe('Function: usernameOf / parseUsername', () => {
  it('round-trips run ids that contain dashes', () => {
    // Act
    const parsed = parseUsername(usernameOf('lt-2026-x', 42));

    // Assess
    expect(parsed).toEqual({ runId: 'lt-2026-x', seq: 42 });
    expect(parseUsername('fanout-schema-sample')).toBeUndefined();
    expect(parseUsername('42')).toBeUndefined();
  });

  it('makes run ids that fit USERNAME and partition keys', () => {
    expect(newRunId(Date.UTC(2026, 0, 1))).toMatch(/^lt[a-z0-9]+$/);
  });
});

describe('Function: partitionKeysForShards', () => {
  it('gives every shard the same number of keys, each hashing into its shard', () => {
    // Act
    const keys = partitionKeysForShards('run-1', fourShards, 3);

    // Assess
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
    const perShard = fourShards.map(
      (s) =>
        keys.filter((k) => {
          const h = hashKeyOf(k);
          return h >= BigInt(s.HashKeyRange.StartingHashKey) && h <= BigInt(s.HashKeyRange.EndingHashKey);
        }).length,
    );
    expect(perShard).toEqual([3, 3, 3, 3]);
    // Interleaved: the first four keys land on four different shards.
    const firstShards = keys
      .slice(0, 4)
      .map((k) => fourShards.findIndex((s) => hashKeyOf(k) <= BigInt(s.HashKeyRange.EndingHashKey)));
    expect(new Set(firstShards).size).toBe(4);
  });

  it('falls back to plain keys when the shards are unknown', () => {
    expect(partitionKeysForShards('r', [], 2)).toEqual(['r-k0', 'r-k1']);
  });
});

describe('Class: RecordGenerator', () => {
  describe('Method: record', () => {
    it('is deterministic per run and carries the run id and sequence', () => {
      // Act
      const a = generator().record(17);
      const b = generator().record(17);
      const other = generator({ runId: 'run-2' }).record(17);

      // Assess
      expect(Buffer.from(a.data).toString()).toBe(Buffer.from(b.data).toString());
      expect(a.fields).not.toEqual(other.fields);
      const json = JSON.parse(Buffer.from(a.data).toString());
      expect(json).toMatchObject({ ID: 17, USERNAME: 'run-1-17' });
      expect(a.partitionKey).toBe('c');
    });

    it('draws the asked share of negative amounts, never a negative zero', () => {
      // Prepare
      const g = generator();

      // Act
      const amounts = Array.from({ length: 10_000 }, (_, seq) => g.record(seq).fields.cents);

      // Assess
      const negatives = amounts.filter((c) => c < 0).length;
      expect(negatives).toBeGreaterThan(2800);
      expect(negatives).toBeLessThan(3200);
      expect(amounts.every((c) => Math.abs(c) <= 99_999)).toBe(true);
      expect(
        Array.from({ length: 200 }, (_, s) => generator({ negativeShare: 0 }).record(s).fields.cents).every(
          (c) => c >= 0,
        ),
      ).toBe(true);
      expect(
        Array.from({ length: 200 }, (_, s) => generator({ negativeShare: 1 }).record(s).fields.cents).every(
          (c) => c < 0,
        ),
      ).toBe(true);
    });

    it('keeps amounts within a narrower DECIMAL column of the schema', () => {
      // Prepare
      const schema: SourceSchema = {
        ...jsonSchema,
        RecordColumns: [
          ...jsonSchema.RecordColumns.slice(0, 2),
          { Name: 'AMOUNT', SqlType: 'DECIMAL(4,2)', Mapping: '$.AMOUNT' },
        ],
      };

      // Act
      const g = generator({ schema });
      const amounts = Array.from({ length: 2000 }, (_, seq) => g.record(seq).fields.cents);

      // Assess
      expect(maxCentsFor(schema)).toBe(9999);
      expect(amounts.every((c) => Math.abs(c) <= 9999)).toBe(true);
    });
  });
});

describe('Function: encodeRecord', () => {
  it('writes JSON with two-decimal amounts, padded to the record size exactly', () => {
    // Act
    const data = encodeRecord({ ID: 3, USERNAME: 'r-3', cents: -1230 }, jsonSchema, 200);

    // Assess
    const text = Buffer.from(data).toString();
    expect(data.byteLength).toBe(200);
    expect(text.startsWith('{"ID":3,"USERNAME":"r-3","AMOUNT":-12.30,"PAD":"xxx')).toBe(true);
    expect(JSON.parse(text).AMOUNT).toBe(-12.3);
  });

  it('never truncates a record below its natural size', () => {
    const data = encodeRecord({ ID: 3, USERNAME: 'r-3', cents: 5 }, jsonSchema, 10);
    expect(JSON.parse(Buffer.from(data).toString())).toEqual({ ID: 3, USERNAME: 'r-3', AMOUNT: 0.05, PAD: '' });
  });

  it('writes CSV rows in the schema column order with its delimiters', () => {
    // Prepare
    const schema: SourceSchema = {
      RecordFormat: {
        RecordFormatType: 'CSV',
        MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\n', RecordColumnDelimiter: '|' } },
      },
      RecordColumns: [
        { Name: 'AMOUNT', SqlType: 'DECIMAL(5,2)' },
        { Name: 'USERNAME', SqlType: 'VARCHAR(64)' },
        { Name: 'ID', SqlType: 'INTEGER' },
      ],
    };

    // Act
    const text = Buffer.from(encodeRecord({ ID: 9, USERNAME: 'r-9', cents: 100 }, schema)).toString();

    // Assess
    expect(text).toBe('1.00|r-9|9\n');
  });
});
