import { resolve } from 'node:path';
import { loadFanoutFile, parseFanout } from '../../../src/fanout-config/load';
import { planOf } from '../../../src/fanout-config/plan';
import { DEFAULT_ASSUMPTIONS, PRICES } from '../../../src/pricing';

const ROOT = resolve(__dirname, '..', '..', '..');
const ARN = (name: string) => `arn:aws:kinesis:eu-west-1:123456789012:stream/${name}`;
const assumptions = { ...DEFAULT_ASSUMPTIONS, rate: 1000, recordBytes: 1024 };
const copies = (n: number, input = 'input: {stream: In}') =>
  parseFanout(
    `${input}\noutputs:\n${Array.from({ length: n }, (_, i) => `  - stream: C${i + 1}\n`).join('')}`,
    '/p/f.yml',
    {
      projectDir: '/p',
      engine: 'lambda',
    },
  ).definition;

describe('Function: planOf', () => {
  it('plans the worked example on kinesis-analytics: three streams created, one application, two consumers', () => {
    // Prepare
    const { definition } = loadFanoutFile('fanout.yml', { projectDir: ROOT });

    // Act
    const plan = planOf(definition, { engine: 'kinesis-analytics', prefix: 'kinesis-fanout-dev', assumptions });

    // Assess
    expect(plan.streams.map((s) => [s.role, s.name, s.source, s.detail, s.sqlStream, s.consumer])).toEqual([
      ['input', 'Transactions', 'created', '1 shard', undefined, false],
      ['output', 'PositiveTransactions', 'created', '1 shard', 'POSITIVE_TRANSACTIONS', true],
      ['output', 'NegativeTransactions', 'created', '1 shard', 'NEGATIVE_TRANSACTIONS', true],
    ]);
    expect(plan.application).toBe('sql/fanout.sql');
    expect(plan.applications).toEqual([
      { name: 'kinesis-fanout-dev-1', outputs: ['PositiveTransactions', 'NegativeTransactions'] },
    ]);
    expect(plan.lambda).toBeUndefined();
    expect(plan.consumers).toEqual([
      'kinesis-fanout-dev-consumePositiveTransactions',
      'kinesis-fanout-dev-consumeNegativeTransactions',
    ]);
  });

  it('gives kinesis-analytics ceil(N/3) applications, three outputs each in file order', () => {
    // Act
    const plan = planOf(copies(7), { engine: 'kinesis-analytics', prefix: 'p', assumptions });

    // Assess
    expect(plan.applications).toEqual([
      { name: 'p-1', outputs: ['C1', 'C2', 'C3'] },
      { name: 'p-2', outputs: ['C4', 'C5', 'C6'] },
      { name: 'p-3', outputs: ['C7'] },
    ]);
    expect(plan.application).toBe('copy');
    expect(plan.cost.engines['kinesis-analytics'].usd).toBeCloseTo(3 * 730 * PRICES.kpuHour.usd, 6);
  });

  it('gives the lambda engine one function and its mapping, and the prefix it writes', () => {
    // Prepare
    const { definition } = parseFanout(
      'input: {stream: In}\noutputs: [{stream: A}]\noutputPrefix: app-out-\n',
      '/p/f.yml',
      {
        projectDir: '/p',
        engine: 'lambda',
      },
    );

    // Act
    const plan = planOf(definition, { engine: 'lambda', prefix: 'p', assumptions });

    // Assess
    expect(plan.applications).toEqual([{ name: 'p-1', outputs: ['A'] }]);
    expect(plan.lambda).toEqual({
      functionName: 'p-fanout',
      mapping: 'In -> p-fanout (enhanced fan-out consumer, batches of 100)',
      outputPrefix: 'app-out-* (COPY)',
    });
  });

  it('costs the streams the stack creates, the two engines, and names every price it used', () => {
    // Act
    const plan = planOf(copies(2), { engine: 'lambda', prefix: 'p', assumptions });

    // Assess: per stream 730 shard-hours and 1,000 one-unit puts a second for 730 h
    const perStream = 730 * 0.015 + ((1000 * 730 * 3600) / 1e6) * 0.014;
    expect(plan.cost.streams.lines).toHaveLength(3);
    expect(plan.cost.streams.usd).toBeCloseTo(3 * perStream, 6);
    // kinesis-analytics: one application of one KPU (1,000 KB/s is under 1 MB/s)
    expect(plan.cost.engines['kinesis-analytics'].usd).toBeCloseTo(730 * 0.11, 6);
    // lambda: 10 invocations a second of 100 ms at 1 GB, and the enhanced fan-out consumer on one shard
    const invocations = 10 * 730 * 3600;
    const gbRead = (1000 * 1024 * 730 * 3600) / 1024 ** 3;
    expect(plan.cost.engines.lambda.usd).toBeCloseTo(
      (invocations / 1e6) * 0.2 + invocations * 0.1 * 0.0000133334 + 730 * 0.015 + gbRead * 0.013,
      6,
    );
    expect([...plan.cost.prices].sort()).toEqual(
      [
        'shardHour',
        'putPayloadUnits',
        'kpuHour',
        'lambdaRequests',
        'lambdaGbSecond',
        'enhancedFanOutShardHour',
        'enhancedFanOutDataGb',
      ].sort(),
    );
  });

  it('bills nothing for streams the user brings, and on-demand streams by the hour and the GB', () => {
    // Prepare
    const { definition } = parseFanout(
      `input: {arn: "${ARN('Clicks')}"}\noutputs:\n  - arn: ${ARN('Mine')}\n  - {stream: New, mode: ON_DEMAND}\n`,
      '/p/f.yml',
      { projectDir: '/p' },
    );

    // Act
    const plan = planOf(definition, { engine: 'kinesis-analytics', prefix: 'p', assumptions });

    // Assess
    expect(plan.streams.map((s) => [s.name, s.source, s.detail])).toEqual([
      ['Clicks', 'referenced', ARN('Clicks')],
      ['Mine', 'referenced', ARN('Mine')],
      ['New', 'created', 'ON_DEMAND'],
    ]);
    const gbIn = (1000 * 1024 * 730 * 3600) / 1024 ** 3;
    expect(plan.cost.streams.lines).toHaveLength(1);
    expect(plan.cost.streams.usd).toBeCloseTo(730 * 0.04 + gbIn * 0.08, 6);
  });
});

describe('Module: pricing', () => {
  it('names a source and a date for every price', () => {
    // Assess
    for (const [name, price] of Object.entries(PRICES)) {
      expect([name, price.usd > 0, price.unit.length > 0]).toEqual([name, true, true]);
      expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(price.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});
