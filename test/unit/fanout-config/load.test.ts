import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kinesisOutputs } from '../../../src/fanout-config/definition';
import { FanoutConfigError } from '../../../src/fanout-config/errors';
import { configFileOf, configInputs, loadFanoutFile, parseFanout } from '../../../src/fanout-config/load';

const ROOT = resolve(__dirname, '..', '..', '..');
const ARN = (name: string) => `arn:aws:kinesis:eu-west-1:123456789012:stream/${name}`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fanout-config-'));
  mkdirSync(join(dir, 'sql'));
  writeFileSync(
    join(dir, 'sql', 'two.sql'),
    'CREATE STREAM "A_OUT" (x INTEGER);\nCREATE STREAM "B_OUT" (x INTEGER);\n' +
      'CREATE PUMP "P1" AS INSERT INTO "A_OUT" SELECT STREAM x FROM "SOURCE_SQL_STREAM_001";\n' +
      'CREATE PUMP "P2" AS INSERT INTO "B_OUT" SELECT STREAM x FROM "SOURCE_SQL_STREAM_001";\n',
  );
  writeFileSync(join(dir, 'sql', 'two.sql.json'), '{"log": "not in an array"}');
  writeFileSync(join(dir, 'sql', 'empty.txt'), '\n\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const parse = (text: string, engine: 'kinesis-analytics' | 'lambda' = 'kinesis-analytics') =>
  parseFanout(text, join(dir, 'fanout.yml'), { projectDir: dir, engine });

describe('Function: loadFanoutFile', () => {
  it('reads the default fanout.yml into the worked example', () => {
    // Act
    const { definition, warnings } = loadFanoutFile('fanout.yml', { projectDir: ROOT });

    // Assess
    expect(warnings).toEqual([]);
    expect(definition.input).toEqual({
      created: true,
      name: 'Transactions',
      capacity: { mode: 'PROVISIONED', shards: 1 },
      kmsKey: 'alias/aws/kinesis',
    });
    expect(definition.application).toMatchObject({ kind: 'sql', path: 'sql/fanout.sql' });
    expect(kinesisOutputs(definition).map((o) => [o.id, o.stream.name, o.sqlStream, o.consumer])).toEqual([
      ['PositiveTransactions', 'PositiveTransactions', 'POSITIVE_TRANSACTIONS', true],
      ['NegativeTransactions', 'NegativeTransactions', 'NEGATIVE_TRANSACTIONS', true],
    ]);
  });

  it('refuses a file that does not exist', () => {
    // Act & Assess
    expect(() => loadFanoutFile('nope.yml', { projectDir: dir })).toThrow('nope.yml: the fan-out file does not exist');
  });
});

describe('Function: parseFanout', () => {
  it('makes a copy fan-out of outputs without sql, existing streams by ARN, and ON_DEMAND streams', () => {
    // Act
    const { definition } = parse(
      `input:\n  arn: ${ARN('Clicks')}\noutputs:\n  - stream: copy-a\n    mode: ON_DEMAND\n  - arn: ${ARN('B')}\n    kmsKey: alias/b-key\n`,
    );

    // Assess
    expect(definition.application).toEqual({ kind: 'copy' });
    expect(definition.input).toEqual({ created: false, name: 'Clicks', arn: ARN('Clicks') });
    expect(definition.outputs).toEqual([
      {
        kind: 'kinesis',
        index: 0,
        id: 'CopyA',
        stream: { created: true, name: 'copy-a', capacity: { mode: 'ON_DEMAND' }, kmsKey: 'alias/aws/kinesis' },
        sqlStream: 'COPY',
        consumer: false,
      },
      {
        kind: 'kinesis',
        index: 1,
        id: 'B',
        stream: { created: false, name: 'B', arn: ARN('B'), kmsKey: 'alias/b-key' },
        sqlStream: 'COPY',
        consumer: false,
      },
    ]);
  });

  it('binds outputs to the in-application streams of the SQL, relative to the file', () => {
    // Act
    const { definition, warnings } = parse(
      'input: {stream: In}\nsql: sql/two.sql\noutputs:\n  - {stream: A, sqlStream: A_OUT}\n  - {stream: B, sqlStream: B_OUT}\n',
    );

    // Assess
    expect(warnings).toEqual([]);
    expect(definition.application).toMatchObject({ kind: 'sql', path: join('sql', 'two.sql') });
    expect(definition.outputs.map((o) => o.sqlStream)).toEqual(['A_OUT', 'B_OUT']);
  });

  it('warns about an in-application stream the SQL writes that no output receives', () => {
    // Act
    const { warnings } = parse('input: {stream: In}\nsql: sql/two.sql\noutputs:\n  - {stream: A, sqlStream: A_OUT}\n');

    // Assess
    expect(warnings).toEqual(['sql: sql/two.sql writes the in-application stream B_OUT, which no output receives']);
  });

  it('takes an output prefix: a plain copy without sql, a named stream with it; warns off the lambda engine', () => {
    // Act
    const copy = parse('input: {stream: In}\noutputs: []\noutputPrefix: app-output-\n', 'lambda');
    const sql = parse(
      'input: {stream: In}\nsql: sql/two.sql\noutputs: [{stream: A, sqlStream: A_OUT}]\noutputPrefix: {prefix: app-, sqlStream: B_OUT}\n',
    );

    // Assess
    expect(copy.definition.outputPrefix).toEqual({ prefix: 'app-output-', sqlStream: 'COPY' });
    expect(copy.warnings).toEqual([]);
    expect(sql.definition.outputPrefix).toEqual({ prefix: 'app-', sqlStream: 'B_OUT' });
    expect(sql.warnings).toEqual([expect.stringMatching(/^outputPrefix: only the lambda engine/)]);
  });

  it('reads the loadTest section: defaults synthetic for a stream it creates, live for one the user brings', () => {
    // Prepare
    writeFileSync(join(dir, 'clicks.jsonl'), '{"log": "Record 0"}\n{"log": "Record 1"}\n');
    writeFileSync(join(dir, 'gen.js'), 'module.exports = (seq) => ({ log: "Record " + seq });\n');

    // Act
    const created = parse('input: {stream: In}\noutputs: [{stream: A}]\n');
    const existing = parse(`input: {arn: "${ARN('In')}"}\noutputs: [{stream: A}]\n`);
    const off = parse('input: {stream: In}\noutputs: [{stream: A}]\nloadTest: off\n');
    const sample = parse(
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest:\n  records: 50\n  rate: 20\n  sample: clicks.jsonl\n',
    );
    const generator = parse('input: {stream: In}\noutputs: [{stream: A}]\nloadTest: {sample: gen.js}\n');
    const liveSample = parse(`input: {arn: "${ARN('In')}"}\noutputs: [{stream: A}]\nloadTest: {sample: gen.js}\n`);

    // Assess
    const defaults = { off: false, records: 500, rate: 1000, timeoutSeconds: 60, liveSeconds: 30, keysPerShard: 100 };
    expect(created.definition.loadTest).toEqual({ ...defaults, mode: 'synthetic' });
    expect(existing.definition.loadTest).toEqual({ ...defaults, mode: 'live' });
    expect(existing.warnings).toEqual([]);
    expect(off.definition.loadTest).toEqual({ ...defaults, off: true, records: 0, mode: 'synthetic' });
    expect(sample.definition.loadTest).toEqual({
      ...defaults,
      records: 50,
      rate: 20,
      mode: 'synthetic',
      sample: { kind: 'sample', file: 'clicks.jsonl', records: 2 },
    });
    expect(sample.loadTestSource).toEqual({ kind: 'sample', records: ['{"log": "Record 0"}', '{"log": "Record 1"}'] });
    expect(generator.definition.loadTest?.sample).toEqual({ kind: 'generator', file: 'gen.js' });
    expect(generator.loadTestSource).toEqual({ kind: 'generator', module: join(dir, 'gen.js') });
    expect(liveSample.warnings).toEqual([
      'loadTest.sample: live mode watches the traffic flowing and puts no records; the sample is unused',
    ]);
  });

  it('warns when synthetic mode is asked for on a stream the user brings', () => {
    // Act
    const { warnings } = parse(`input: {arn: "${ARN('In')}"}\noutputs: [{stream: A}]\nloadTest: {mode: synthetic}\n`);

    // Assess
    expect(warnings).toEqual([
      'loadTest.mode: synthetic puts test records into your stream In and every output receives them',
    ]);
  });

  it('takes keysPerShard for the synthetic load test, and warns that live mode leaves it unused', () => {
    // Act
    const few = parse('input: {stream: In}\noutputs: [{stream: A}]\nloadTest: {keysPerShard: 4}\n');
    const live = parse(`input: {arn: "${ARN('In')}"}\noutputs: [{stream: A}]\nloadTest: {keysPerShard: 4}\n`);

    // Assess
    expect(few.definition.loadTest).toMatchObject({ mode: 'synthetic', keysPerShard: 4 });
    expect(few.warnings).toEqual([]);
    expect(live.warnings).toEqual([
      'loadTest.keysPerShard: live mode watches the traffic flowing and puts no records; it is unused',
    ]);
  });

  // Each bad file: the one-line message names the file, the line and the field.
  it.each([
    [
      'an unknown key',
      'input: {stream: In}\noutputs:\n  - stream: A\n    consumers: true\n',
      'fanout.yml:4:5: outputs[0].consumers: unknown key',
    ],
    ['an unknown top-level key', 'input: {stream: In}\noutput: []\n', 'fanout.yml:2:1: output: unknown key'],
    [
      'both stream and arn',
      `input: {stream: In}\noutputs:\n  - stream: A\n    arn: ${ARN('A')}\n`,
      'fanout.yml:4:5: outputs[0].arn: give stream (created by the stack) or arn (an existing stream), not both',
    ],
    ['neither stream nor arn', 'input: {shards: 2}\noutputs: [{stream: A}]\n', 'fanout.yml:1:1: input: give stream'],
    [
      'an arn that is not a Kinesis stream ARN',
      'input: {stream: In}\noutputs:\n  - arn: arn:aws:sqs:us-east-1:123456789012:queue\n',
      'fanout.yml:3:5: outputs[0].arn: not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME), got "arn:aws:sqs:us-east-1:123456789012:queue"',
    ],
    [
      'a consumer ARN',
      `input:\n  arn: ${ARN('In')}/consumer/c:1\noutputs: [{stream: A}]\n`,
      'fanout.yml:2:3: input.arn: not a Kinesis stream ARN',
    ],
    [
      'a duplicate stream',
      'input: {stream: In}\noutputs:\n  - stream: A\n  - stream: A\n',
      'fanout.yml:4:5: outputs[1].stream: stream A is already outputs[0]; every stream may appear once',
    ],
    [
      'the input as an output',
      `input: {arn: "${ARN('In')}"}\noutputs:\n  - arn: ${ARN('In')}\n`,
      `fanout.yml:3:5: outputs[0].arn: arn ${ARN('In')} is already the input`,
    ],
    [
      'two names with one CloudFormation name',
      'input: {stream: In}\noutputs:\n  - stream: a-b\n  - stream: a_b\n',
      'fanout.yml:4:5: outputs[1].stream: a_b and a-b give the same CloudFormation name ABStream; rename one',
    ],
    [
      'a sqlStream the SQL does not create',
      'input: {stream: In}\nsql: sql/two.sql\noutputs:\n  - {stream: A, sqlStream: A_OUT}\n  - {stream: B, sqlStream: b_out}\n',
      'fanout.yml:5:17: outputs[1].sqlStream: sql/two.sql creates no in-application stream b_out (it creates A_OUT, B_OUT); did you mean B_OUT?',
    ],
    [
      'a missing sqlStream with sql',
      'input: {stream: In}\nsql: sql/two.sql\noutputs:\n  - stream: A\n',
      'fanout.yml:4:5: outputs[0].sqlStream: required with sql',
    ],
    [
      'a sqlStream without sql',
      'input: {stream: In}\noutputs:\n  - {stream: A, sqlStream: X}\n',
      'fanout.yml:3:17: outputs[0].sqlStream: only with sql',
    ],
    [
      'a missing SQL file',
      'input: {stream: In}\nsql: sql/missing.sql\noutputs: [{stream: A, sqlStream: X}]\n',
      'fanout.yml:2:1: sql: the SQL file sql/missing.sql does not exist',
    ],
    [
      'more outputs than the engine takes',
      `input: {stream: In}\noutputs:\n${Array.from({ length: 151 }, (_, i) => `  - stream: S${i}\n`).join('')}`,
      'fanout.yml:2:1: outputs: 151 outputs: the kinesis-analytics engine takes at most 150',
    ],
    ['no outputs', 'input: {stream: In}\noutputs: []\n', 'fanout.yml:2:1: outputs: at least one output is needed'],
    [
      'shards on an existing stream',
      `input: {arn: "${ARN('In')}", shards: 2}\noutputs: [{stream: A}]\n`,
      'input.shards: only for a stream the stack creates',
    ],
    [
      'shards with ON_DEMAND',
      'input: {stream: In, mode: ON_DEMAND, shards: 2}\noutputs: [{stream: A}]\n',
      'input.shards: an ON_DEMAND stream has no shard count',
    ],
    ['a bad stream name', 'input: {stream: "a b"}\noutputs: [{stream: A}]\n', 'input.stream: a Kinesis stream name'],
    ['a missing input', 'outputs: [{stream: A}]\n', 'fanout.yml:1:1: input: required'],
    [
      'an unknown loadTest key',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest:\n  recrods: 10\n',
      'fanout.yml:4:3: loadTest.recrods: unknown key',
    ],
    [
      'a loadTest that is neither off nor a section',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest: on\n',
      'fanout.yml:3:1: loadTest: off, or any of off, records, rate, timeoutSeconds, mode, liveSeconds, keysPerShard, sample, got "on"',
    ],
    [
      'a negative record count',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest: {records: -1}\n',
      'loadTest.records: Too small',
    ],
    [
      'no partition keys a shard',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest:\n  keysPerShard: 0\n',
      'fanout.yml:4:3: loadTest.keysPerShard: Too small: expected number to be >=1, got 0',
    ],
    [
      'partition keys a shard that are not a whole number',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest: {keysPerShard: 2.5}\n',
      'loadTest.keysPerShard: Invalid input: expected int, received number',
    ],
    [
      'more partition keys a shard than the load test finds',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest: {keysPerShard: 10001}\n',
      'loadTest.keysPerShard: Too big',
    ],
    [
      'a load test off and given records',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest: {off: true, records: 10}\n',
      'fanout.yml:3:23: loadTest.records: the load test is off (off: true)',
    ],
    [
      'a missing sample',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest: {sample: nope.jsonl}\n',
      'fanout.yml:3:12: loadTest.sample: the sample nope.jsonl does not exist',
    ],
    [
      'a .json sample that is not an array',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest: {sample: sql/two.sql.json}\n',
      'loadTest.sample: the sample sql/two.sql.json is not an array (a .json sample holds an array of records)',
    ],
    [
      'an empty sample',
      'input: {stream: In}\noutputs: [{stream: A}]\nloadTest: {sample: sql/empty.txt}\n',
      'loadTest.sample: the sample sql/empty.txt holds no records',
    ],
    ['YAML that does not parse', 'input: {stream: In\noutputs: []\n', 'fanout.yml:'],
    ['an empty file', '', 'fanout.yml: the file is empty'],
    [
      'a duplicate key',
      'input: {stream: In}\ninput: {stream: X}\noutputs: [{stream: A}]\n',
      'fanout.yml:2:1: not valid YAML: Map keys must be unique',
    ],
  ])('refuses %s, naming the field', (_, text, message) => {
    // Act
    let error: unknown;
    try {
      parse(text);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(FanoutConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('Function: configFileOf', () => {
  it('takes --config, else FANOUT_CONFIG, else fanout.yml, relative to the project', () => {
    // Assess
    expect(configFileOf('/p', 'five.yml', {})).toBe('/p/five.yml');
    expect(configFileOf('/p', undefined, { FANOUT_CONFIG: '/abs/x.yml' })).toBe('/abs/x.yml');
    expect(configFileOf('/p', undefined, {})).toBe('/p/fanout.yml');
  });
});

describe('Function: configInputs', () => {
  it('names the file and the SQL file it points at', () => {
    // Prepare
    const file = join(dir, 'fanout.yml');
    writeFileSync(file, 'input: {stream: In}\nsql: sql/two.sql\noutputs: []\n');

    // Assess
    expect(configInputs(file)).toEqual([file, join(dir, 'sql', 'two.sql')]);
  });
});
