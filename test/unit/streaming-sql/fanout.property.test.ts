import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { compile, discoverSchema, serializeRow } from '../../../src/streaming-sql';
import { transactionsSchema } from './helpers';

const fanoutSql = readFileSync(join(__dirname, '../../../sql/fanout.sql'), 'utf8');

// AMOUNT fits the output's DECIMAL(5,2): at most 3 integer digits and 2 decimals
const transaction = fc.record({
  ID: fc.integer({ min: -2147483648, max: 2147483647 }),
  USERNAME: fc.string({ maxLength: 200 }),
  AMOUNT: fc.integer({ min: -99999, max: 99999 }).map((cents) => cents / 100),
});

describe('Property: sql/fanout.sql', () => {
  it.each([
    ['the documented schema', () => transactionsSchema],
    // a sample name of 200 characters makes discovery choose VARCHAR(256), so no name is truncated
    [
      'a discovered schema',
      () =>
        discoverSchema([Buffer.from(JSON.stringify({ ID: 1, USERNAME: 'u'.repeat(200), AMOUNT: 1.5 }))]).InputSchema,
    ],
  ])('puts every valid record in exactly one output, chosen by the sign of AMOUNT (%s)', (_, schemaOf) => {
    const app = compile(fanoutSql, { schema: schemaOf() });
    const columns = new Map(app.outputs.map((o) => [o.name, o.columns]));
    fc.assert(
      fc.property(fc.array(transaction, { maxLength: 50 }), (txs) => {
        // Prepare
        const runner = app.createRunner();
        const input = txs.map((t, i) => ({
          data: Buffer.from(JSON.stringify(t)),
          arrivalTime: 1000 + i,
          partitionKey: `pk-${i}`,
        }));

        // Act
        const { rows, errors } = runner.push(input);

        // Assess
        expect(errors).toEqual([]);
        expect(rows).toHaveLength(txs.length);
        rows.forEach((row, i) => {
          const t = txs[i]!;
          expect(row.partitionKey).toBe(`pk-${i}`);
          expect(row.stream).toBe(t.AMOUNT >= 0 ? 'POSITIVE_TRANSACTIONS' : 'NEGATIVE_TRANSACTIONS');
          const out = JSON.parse(serializeRow(row, { RecordFormatType: 'JSON' }, columns.get(row.stream)!).toString());
          expect(out).toEqual({ ID: t.ID, USERNAME: t.USERNAME, AMOUNT: t.AMOUNT === 0 ? 0 : t.AMOUNT });
        });
      }),
      { numRuns: 200 },
    );
  });
});
