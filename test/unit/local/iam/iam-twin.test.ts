import { IamTwin } from '../../../../local/iam';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/FanoutRole`;
const stream = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;
const FANOUT = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:svc-dev-fanout`;

function twin(mode: 'enforce' | 'warn' | 'off' = 'enforce', warn: (line: string) => void = () => {}) {
  const iam = new IamTwin({ mode, warn });
  iam.putRole({
    arn: ROLE,
    name: 'FanoutRole',
    policies: [
      {
        PolicyName: 'fanout',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['kinesis:PutRecords'], Resource: [stream('out-1')] },
            {
              Effect: 'Allow',
              Action: 'lambda:CreateEventSourceMapping',
              Resource: '*',
              Condition: { ArnLike: { 'lambda:FunctionArn': [FANOUT, `${FANOUT}:*`] } },
            },
            {
              Effect: 'Allow',
              Action: 'iam:PassRole',
              Resource: `arn:aws:iam::${ACCOUNT}:role/AnalyticsRole`,
              Condition: { StringEquals: { 'iam:PassedToService': 'kinesisanalytics.amazonaws.com' } },
            },
          ],
        },
      },
    ],
    managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole'],
  });
  return iam;
}

describe('IAM twin', () => {
  it('issues credentials for a role it holds and maps the key back to the role session', () => {
    const iam = twin();
    const creds = iam.credentialsFor(ROLE, 'svc-dev-fanout')!;
    expect(creds.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(iam.principalOfKey(creds.accessKeyId)).toEqual({
      roleArn: ROLE,
      roleName: 'FanoutRole',
      sessionName: 'svc-dev-fanout',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/FanoutRole/svc-dev-fanout`,
    });
    // keys it did not issue are the account root; roles it does not hold get no credentials
    expect(iam.principalOfKey('test')).toBeUndefined();
    expect(iam.credentialsFor(`arn:aws:iam::${ACCOUNT}:role/unknown`, 'f')).toBeUndefined();
  });

  it('denies as Kinesis answers: AccessDeniedException with AWS message, naming the stream', () => {
    const iam = twin();
    const who = iam.session(ROLE, 'svc-dev-fanout');
    expect(() => iam.authorize(who, 'kinesis', 'PutRecords', { StreamName: 'out-1', Records: [] })).not.toThrow();
    let error: unknown;
    try {
      iam.authorize(who, 'kinesis', 'PutRecords', { StreamARN: stream('out-2'), Records: [] });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      status: 400,
      message:
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/FanoutRole/svc-dev-fanout is not authorized to perform: ` +
        `kinesis:PutRecords on resource: ${stream('out-2')} because no identity-based policy allows the ` +
        'kinesis:PutRecords action',
    });
    expect(iam.stats).toEqual({ checked: 2, denied: 1 });
  });

  it('reads the AWS-managed policy the role attaches (GetRecords by iterator names the stream)', () => {
    const iam = twin();
    const who = iam.session(ROLE, 'f');
    const iterator = Buffer.from(`kt1|1|2|0|0|in`).toString('base64');
    expect(() => iam.authorize(who, 'kinesis', 'GetRecords', { ShardIterator: iterator })).not.toThrow();
    expect(() => iam.authorize(who, 'kinesis', 'DeleteStream', { StreamName: 'in' })).toThrow(
      `on resource: ${stream('in')} because`,
    );
    expect(() =>
      new IamTwin().putRole({ arn: ROLE, name: 'r', managedPolicyArns: ['arn:aws:iam::aws:policy/Nope'] }),
    ).toThrow(expect.objectContaining({ name: 'NoSuchEntity' }));
  });

  it('Lambda: 403 AccessDeniedException; CreateEventSourceMapping only for the fan-out function', () => {
    const iam = twin();
    const who = iam.session(ROLE, 'f');
    const create = (FunctionName: string) => () =>
      iam.authorize(who, 'lambda', 'CreateEventSourceMapping', { FunctionName, EventSourceArn: stream('in') });
    expect(create('svc-dev-fanout')).not.toThrow();
    expect(create(`${FANOUT}:2`)).not.toThrow();
    expect(create('svc-dev-loadTest')).toThrow(
      expect.objectContaining({
        name: 'AccessDeniedException',
        status: 403,
        message: expect.stringContaining('lambda:CreateEventSourceMapping on resource: * because'),
      }),
    );
  });

  it('iam:PassRole with iam:PassedToService when Kinesis Analytics is handed a role', () => {
    const iam = twin();
    const who = iam.session(ROLE, 'f');
    const input = (role: string) => ({
      ApplicationName: 'x',
      Inputs: [{ KinesisStreamsInput: { ResourceARN: stream('in'), RoleARN: role } }],
    });
    // the role may pass AnalyticsRole but not call CreateApplication
    expect(() => iam.authorize(who, 'kinesisAnalytics', 'CreateApplication', input('x'))).toThrow(
      /kinesisanalytics:CreateApplication on resource: arn:aws:kinesisanalytics:us-east-1:000000000000:application\/x/,
    );
  });

  it('warn logs each would-be denial once and lets the call go on; off checks nothing', () => {
    const lines: string[] = [];
    const iam = twin('warn', (l) => lines.push(l));
    const who = iam.session(ROLE, 'f');
    for (let i = 0; i < 3; i++) iam.authorize(who, 'kinesis', 'PutRecords', { StreamName: 'out-2' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      'role FanoutRole would be denied kinesis:PutRecords on arn:aws:kinesis:us-east-1:000000000000:stream/out-2',
    );
    expect(iam.stats).toEqual({ checked: 3, denied: 3 });
    const off = twin('off');
    off.authorize(off.session(ROLE, 'f'), 'kinesis', 'PutRecords', { StreamName: 'out-2' });
    expect(off.stats).toEqual({ checked: 0, denied: 0 });
  });
});

describe('IAM twin: Firehose', () => {
  const hose = (name: string) => `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/${name}`;
  const iam = new IamTwin();
  iam.putRole({
    arn: ROLE,
    name: 'FanoutRole',
    policies: [
      {
        PolicyName: 'fanout',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'firehose:PutRecordBatch', Resource: hose('archive') }],
        },
      },
    ],
  });
  const who = iam.session(ROLE, 'svc-dev-fanout');

  it('checks PutRecordBatch on the delivery stream named, as Firehose answers a denial', () => {
    const put = (DeliveryStreamName: string) => () =>
      iam.authorize(who, 'firehose', 'PutRecordBatch', { DeliveryStreamName, Records: [] });
    expect(put('archive')).not.toThrow();
    expect(put('other')).toThrow(
      expect.objectContaining({
        name: 'AccessDeniedException',
        status: 400,
        message: expect.stringContaining(`firehose:PutRecordBatch on resource: ${hose('other')} because`),
      }),
    );
    expect(() => iam.authorize(who, 'firehose', 'PutRecord', { DeliveryStreamName: 'archive' })).toThrow(
      /firehose:PutRecord on resource/,
    );
  });

  it('asks for * on ListDeliveryStreams and iam:PassRole for the role a created stream delivers with', () => {
    expect(() => iam.authorize(who, 'firehose', 'ListDeliveryStreams', {})).toThrow(/on resource: \* because/);
    expect(() =>
      iam.authorize(who, 'firehose', 'CreateDeliveryStream', {
        DeliveryStreamName: 'archive',
        ExtendedS3DestinationConfiguration: { RoleARN: `arn:aws:iam::${ACCOUNT}:role/Delivery` },
      }),
    ).toThrow(/firehose:CreateDeliveryStream/);
  });
});
