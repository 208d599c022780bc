import { resolve } from 'node:path';
import { FanoutConfigError } from '../../../src/fanout-config/errors';
import { loadFanoutFile, parseFanout } from '../../../src/fanout-config/load';
import { FUNCTIONS } from '../../../src/fanout-config/template/functions';
import { createResolver, piecesOf } from '../../../src/fanout-config/template/resolver';

const ROOT = resolve(__dirname, '..', '..', '..');
const NAMES = { service: 'kinesis-fanout', stage: 'dev', applicationPrefix: 'kinesis-fanout-dev' };
const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/existing';

const definitionOf = (text: string, engine: 'lambda' | 'kinesis-analytics' = 'lambda') =>
  parseFanout(text, 'fanout.yml', { projectDir: ROOT, engine }).definition;

const copies = (n: number, extra = '') =>
  `input: {stream: In}\noutputs:\n${Array.from({ length: n }, (_, i) => `  - stream: copy-${i + 1}\n${extra}`).join('')}`;

describe('Function: piecesOf', () => {
  it('gives every function of the table and every consumer its own role and environment', () => {
    // Prepare
    const { definition } = loadFanoutFile('fanout.yml', { projectDir: ROOT });

    // Act
    const { functions, resources } = piecesOf(definition, NAMES);

    // Assess
    // (the KPL preprocessor only for a KPL input: see below)
    expect(Object.keys(functions)).toEqual([
      ...Object.keys(FUNCTIONS).filter((key) => key !== 'kplPreprocessor'),
      'consumePositiveTransactions',
      'consumeNegativeTransactions',
    ]);
    const roles = Object.values(functions).map((f) => f['role']);
    expect(new Set(roles).size).toBe(roles.length);
    for (const role of roles) expect(resources.Resources[role as string]?.Type).toBe('AWS::IAM::Role');
    expect(Object.keys(resources.Resources).filter((id) => id.endsWith('Stream'))).toEqual([
      'InputStream',
      'PositiveTransactionsStream',
      'NegativeTransactionsStream',
    ]);
    expect(functions['consumePositiveTransactions']?.['environment']).toEqual({
      POWERTOOLS_SERVICE_NAME: 'kinesis-fanout',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('deploys the KPL preprocessor for input.kplAggregated only, with the analytics role allowed to invoke it alone', () => {
    // Act
    const plain = piecesOf(definitionOf('input: {stream: In}\noutputs: [{stream: A}]\n'), NAMES);
    const kpl = piecesOf(definitionOf('input: {stream: In, kplAggregated: true}\noutputs: [{stream: A}]\n'), NAMES);

    // Assess
    const lambdaStatements = (pieces: typeof plain) =>
      JSON.stringify(pieces.resources.Resources['AnalyticsRole']).match(/lambda:[A-Za-z]+/g) ?? [];
    expect(plain.functions).not.toHaveProperty('kplPreprocessor');
    expect(lambdaStatements(plain)).toEqual([]);
    expect(JSON.stringify(plain.functions)).not.toContain('KPL_PREPROCESSOR_ARN');

    expect(kpl.functions['kplPreprocessor']).toMatchObject({ handler: 'handlers/kpl-preprocessor.handler' });
    expect(lambdaStatements(kpl)).toEqual(['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration']);
    const policy = JSON.stringify(kpl.resources.Resources['AnalyticsRole']);
    expect(policy).toContain(':function:kinesis-fanout-dev-kplPreprocessor"');
    const arnOf = (key: string) =>
      JSON.stringify((kpl.functions[key]!['environment'] as Record<string, unknown>)['KPL_PREPROCESSOR_ARN']);
    expect(arnOf('createApplication')).toContain(':function:kinesis-fanout-dev-kplPreprocessor');
    expect(arnOf('discoverSchema')).toBe(arnOf('createApplication'));
    // the preprocessor's own role writes its logs and nothing else
    const role = JSON.stringify(kpl.resources.Resources[kpl.functions['kplPreprocessor']!['role'] as string]);
    expect(role.match(/"(kinesis|lambda|kinesisanalytics|iam):[A-Za-z]+"/g)).toBeNull();
  });

  it('lets the fan-out function write the streams of the output prefix, which it reads from the bundled definition', () => {
    // Act
    const { functions, resources } = piecesOf(
      definitionOf('input: {stream: In}\noutputs: []\noutputPrefix: app-\n'),
      NAMES,
    );

    // Assess: the prefix travels in the definition compiled into the code, not in any environment
    for (const fn of Object.values(functions)) {
      expect(JSON.stringify(fn['environment'])).not.toContain('app-');
    }
    const role = resources.Resources[functions['fanout']!['role'] as string] as { Properties: object };
    expect(JSON.stringify(role.Properties)).toContain(':stream/app-*');
  });

  it('creates no input stream for an existing one, and lets discovery put no sample into it', () => {
    // Act
    const { resources } = piecesOf(definitionOf(`input: {arn: "${ARN}"}\noutputs: [{stream: A}]\n`), NAMES);

    // Assess
    expect(resources.Resources['InputStream']).toBeUndefined();
    expect(resources.Outputs['InputStreamArn']).toEqual({
      Description: 'The input stream the fan-out reads (an existing stream)',
      Value: ARN,
    });
    expect(JSON.stringify(resources.Resources['DiscoverSchemaRole'])).not.toContain('kinesis:PutRecords');
  });

  it('refuses a fan-out whose template CloudFormation would refuse, before packaging', () => {
    // Prepare: 80 consumers are 80 functions, roles, versions, log groups and mappings: over 500 resources
    const many = definitionOf(copies(80, '    consumer: true\n'));

    // Act & Assess
    expect(() => piecesOf(many, NAMES)).toThrow(FanoutConfigError);
    expect(() => piecesOf(many, NAMES)).toThrow(
      /^fanout\.yml: outputs: the stack would hold \d+ resources; CloudFormation allows 500/,
    );
    expect(() => piecesOf(definitionOf(copies(80)), NAMES)).not.toThrow();
  });

  it('refuses a role policy IAM would refuse', () => {
    // Prepare: long names make the fan-out role's list of output ARNs too long
    const long = `input: {stream: In}\noutputs:\n${Array.from({ length: 150 }, (_, i) => `  - stream: ${'s'.repeat(60)}-${i}\n`).join('')}`;

    // Act & Assess
    expect(() => piecesOf(definitionOf(long), NAMES)).toThrow(/characters of policy; IAM allows 10240/);
  });

  it('refuses a consumer whose function name Lambda would refuse', () => {
    // Prepare
    const definition = definitionOf(
      `input: {stream: In}\noutputs:\n  - stream: ${'x'.repeat(50)}\n    consumer: true\n`,
    );

    // Act & Assess
    expect(() => piecesOf(definition, NAMES)).toThrow(
      /^fanout\.yml: outputs\[0\]\.consumer: the consumer function kinesis-fanout-dev-consume.* would have 76 characters; Lambda allows 64/,
    );
  });
});

describe('Function: createResolver', () => {
  it('reads the file once for every piece and asks the framework for the stage names', async () => {
    // Prepare
    const asked: string[] = [];
    const resolver = createResolver(ROOT, () => {});
    const input = {
      options: {},
      resolveVariable: async (address: string) => {
        asked.push(address);
        return {
          'param:engine': 'lambda',
          'self:service': 'svc',
          'sls:stage': 'prod',
          'param:applicationPrefix': 'svc-prod',
        }[address];
      },
    };

    // Act
    const functions = (await resolver.functions(input)) as Record<string, { environment: Record<string, unknown> }>;
    await resolver.resources(input);

    // Assess
    expect(asked.filter((a) => !a.startsWith('param:alarm')).sort()).toEqual([
      'param:applicationPrefix',
      'param:engine',
      'self:service',
      'sls:stage',
    ]);
    expect(functions['describeApplication']?.environment['FANOUT_FUNCTION_NAME']).toBe('svc-prod-fanout');
  });

  it('asks again when the framework could not resolve a variable yet', async () => {
    // Prepare
    const resolver = createResolver(ROOT, () => {});
    let calls = 0;
    const input = {
      options: {},
      resolveVariable: async (address: string) => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('not yet'), { code: 'MISSING_VARIABLE_DEPENDENCY' });
        // the alarm thresholds keep their defaults
        return address.startsWith('param:alarm') ? undefined : 'x';
      },
    };

    // Act & Assess
    await expect(resolver.functions(input)).rejects.toThrow('not yet');
    await expect(resolver.functions(input)).resolves.toBeDefined();
  });
});
