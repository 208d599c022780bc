import { evaluate } from '../../../../local/iam/evaluate';
import { arnMatches } from '../../../../local/iam/match';
import { parsePolicy } from '../../../../local/iam/policy';

const ACCOUNT = '000000000000';
const stream = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;
const policy = (...Statement: unknown[]) => parsePolicy('p', { Version: '2012-10-17', Statement });
const req = (action: string, resource: string, context: Record<string, string | string[]> = {}) => ({
  action,
  resource,
  context,
});

describe('IAM policy evaluation', () => {
  const writeFirst = policy({ Effect: 'Allow', Action: 'kinesis:PutRecords', Resource: stream('out-1') });

  it('allows only what an Allow names: another action or resource is denied implicitly', () => {
    expect(evaluate([writeFirst], req('kinesis:PutRecords', stream('out-1'))).allowed).toBe(true);
    expect(evaluate([writeFirst], req('kinesis:PutRecords', stream('out-2')))).toEqual({
      allowed: false,
      reason: 'no-allow',
    });
    expect(evaluate([writeFirst], req('kinesis:PutRecord', stream('out-1'))).allowed).toBe(false);
    expect(evaluate([], req('kinesis:PutRecords', stream('out-1'))).allowed).toBe(false);
  });

  it('an explicit Deny beats any Allow, in the same or another policy', () => {
    const deny = policy({ Effect: 'Deny', Action: 'kinesis:*', Resource: stream('out-1') });
    const decision = evaluate([writeFirst, deny], req('kinesis:PutRecords', stream('out-1')));
    expect(decision).toMatchObject({ allowed: false, reason: 'explicit-deny' });
    const both = policy(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 'kinesis:PutRecords', Resource: '*' },
    );
    expect(evaluate([both], req('kinesis:PutRecords', stream('x')))).toMatchObject({ reason: 'explicit-deny' });
    expect(evaluate([both], req('kinesis:GetRecords', stream('x'))).allowed).toBe(true);
  });

  it('matches actions with * and ? and without regard to case', () => {
    const p = policy({ Effect: 'Allow', Action: ['kinesis:Get*', 'Kinesis:describestream?ummary'], Resource: '*' });
    expect(evaluate([p], req('kinesis:GetRecords', stream('a'))).allowed).toBe(true);
    expect(evaluate([p], req('kinesis:GetShardIterator', stream('a'))).allowed).toBe(true);
    expect(evaluate([p], req('kinesis:DescribeStreamSummary', stream('a'))).allowed).toBe(true);
    expect(evaluate([p], req('kinesis:DescribeStream', stream('a'))).allowed).toBe(false);
    expect(evaluate([p], req('kinesisanalytics:GetRecords', stream('a'))).allowed).toBe(false);
  });

  it('matches resources component by component, wildcards spanning : and / only in the resource part', () => {
    expect(arnMatches('arn:aws:kinesis:*:*:stream/fanout-*', stream('fanout-out'))).toBe(true);
    expect(arnMatches('arn:aws:kinesis:*:*:stream/fanout-*', stream('other'))).toBe(false);
    expect(arnMatches(`${stream('in')}/consumer/app-*`, `${stream('in')}/consumer/app-1:1700000000`)).toBe(true);
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`;
    expect(arnMatches(fn, `${fn}:1`)).toBe(false);
    expect(arnMatches(`${fn}:*`, `${fn}:1`)).toBe(true);
    expect(arnMatches(`${fn}:*`, fn)).toBe(false);
    expect(arnMatches(`${fn}*`, `${fn}:live`)).toBe(true);
    expect(arnMatches('arn:aws:kinesis:us-east-?:*:stream/a', stream('a'))).toBe(true);
    expect(arnMatches('arn:aws:kinesis:us-west-2:*:stream/a', stream('a'))).toBe(false);
    // a wildcard of the region may not eat the account's colon
    expect(arnMatches('arn:aws:kinesis:*:stream/a', stream('a'))).toBe(false);
  });

  it('NotAction and NotResource allow everything but what they name', () => {
    const p = policy({ Effect: 'Allow', NotAction: 'kinesis:DeleteStream', NotResource: stream('keep') });
    expect(evaluate([p], req('kinesis:PutRecords', stream('a'))).allowed).toBe(true);
    expect(evaluate([p], req('kinesis:DeleteStream', stream('a'))).allowed).toBe(false);
    expect(evaluate([p], req('kinesis:PutRecords', stream('keep'))).allowed).toBe(false);
  });

  describe('conditions', () => {
    const fanout = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:svc-dev-fanout`;
    const mappings = policy({
      Effect: 'Allow',
      Action: 'lambda:CreateEventSourceMapping',
      Resource: '*',
      Condition: { ArnLike: { 'lambda:FunctionArn': [fanout, `${fanout}:*`] } },
    });

    it('lambda:FunctionArn with ArnLike: the named function (and its versions) only', () => {
      const create = (fn?: string) =>
        evaluate([mappings], req('lambda:CreateEventSourceMapping', '*', fn ? { 'lambda:FunctionArn': fn } : {}));
      expect(create(fanout).allowed).toBe(true);
      expect(create(`${fanout}:3`).allowed).toBe(true);
      expect(create(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:svc-dev-loadTest`).allowed).toBe(false);
      // a request that carries no such key does not satisfy a positive operator
      expect(create().allowed).toBe(false);
    });

    it('StringEquals, StringLike and their negations; key names in any case, values exactly', () => {
      const p = policy({
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': 'kinesis.us-east-1.amazonaws.com' },
          StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/blocked-*' },
        },
      });
      const ctx = (via: string, principal: string) => ({ 'KMS:viaservice': via, 'aws:PrincipalArn': principal });
      const role = `arn:aws:iam::${ACCOUNT}:role/ok`;
      expect(evaluate([p], req('kms:Decrypt', '*', ctx('kinesis.us-east-1.amazonaws.com', role))).allowed).toBe(true);
      expect(evaluate([p], req('kms:Decrypt', '*', ctx('KINESIS.us-east-1.amazonaws.com', role))).allowed).toBe(false);
      expect(evaluate([p], req('kms:Decrypt', '*', ctx('s3.us-east-1.amazonaws.com', role))).allowed).toBe(false);
      const blocked = `arn:aws:iam::${ACCOUNT}:role/blocked-x`;
      expect(evaluate([p], req('kms:Decrypt', '*', ctx('kinesis.us-east-1.amazonaws.com', blocked))).allowed).toBe(
        false,
      );
    });

    it('a negated operator passes on an absent key; IfExists passes; Null tests presence', () => {
      const absent = (Condition: unknown) =>
        evaluate([policy({ Effect: 'Allow', Action: 's:A', Resource: '*', Condition })], req('s:A', '*')).allowed;
      expect(absent({ StringNotEquals: { 'aws:SourceArn': 'x' } })).toBe(true);
      expect(absent({ StringEquals: { 'aws:SourceArn': 'x' } })).toBe(false);
      expect(absent({ StringEqualsIfExists: { 'aws:SourceArn': 'x' } })).toBe(true);
      expect(absent({ Null: { 'aws:SourceArn': 'true' } })).toBe(true);
      expect(absent({ Null: { 'aws:SourceArn': 'false' } })).toBe(false);
    });

    it('ForAnyValue / ForAllValues over a multi-valued key', () => {
      const p = (op: string) =>
        policy({
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { [op]: { 'kms:ResourceAliases': ['alias/a', 'alias/b'] } },
        });
      const with_ = (values: string[]) => req('kms:Decrypt', '*', { 'kms:ResourceAliases': values });
      expect(evaluate([p('ForAnyValue:StringEquals')], with_(['alias/x', 'alias/b'])).allowed).toBe(true);
      expect(evaluate([p('ForAnyValue:StringEquals')], with_(['alias/x'])).allowed).toBe(false);
      expect(evaluate([p('ForAllValues:StringEquals')], with_(['alias/a', 'alias/b'])).allowed).toBe(true);
      expect(evaluate([p('ForAllValues:StringEquals')], with_(['alias/a', 'alias/x'])).allowed).toBe(false);
    });

    it('a Deny with a condition denies only when it holds', () => {
      const p = policy(
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
        {
          Effect: 'Deny',
          Action: 'iam:PassRole',
          Resource: '*',
          Condition: { StringNotEquals: { 'iam:PassedToService': 'kinesisanalytics.amazonaws.com' } },
        },
      );
      const pass = (service: string) =>
        evaluate([p], req('iam:PassRole', 'arn:aws:iam::0:role/r', { 'iam:PassedToService': service }));
      expect(pass('kinesisanalytics.amazonaws.com').allowed).toBe(true);
      expect(pass('lambda.amazonaws.com')).toMatchObject({ reason: 'explicit-deny' });
    });
  });

  it('refuses documents IAM would refuse, and operators the twin does not evaluate, when recorded', () => {
    expect(() => parsePolicy('p', { Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] })).toThrow(
      /Effect must be Allow or Deny/,
    );
    expect(() => parsePolicy('p', { Statement: [{ Effect: 'Allow', Resource: '*' }] })).toThrow(/Action/);
    expect(() =>
      parsePolicy('p', {
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': 'x' } } },
        ],
      }),
    ).toThrow(expect.objectContaining({ name: 'MalformedPolicyDocument' }));
    // a JSON text is a document too (CloudFormation passes strings through)
    expect(parsePolicy('p', '{"Statement":{"Effect":"Allow","Action":"a:B","Resource":"*"}}').statements).toHaveLength(
      1,
    );
  });
});
