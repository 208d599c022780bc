import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { startTwin, type Twin } from '../../../local/twin';

const code = (tag: string): Uint8Array =>
  zipSync({ 'index.js': strToU8(`exports.handler = async (e) => ({ tag: '${tag}', e });`) });

describe('Lambda twin over the wire: @aws-sdk/client-lambda', () => {
  let twin: Twin;
  let client: LambdaClient;

  beforeAll(async () => {
    twin = await startTwin({ port: 0, fast: true });
    client = new LambdaClient({
      endpoint: twin.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await twin.close();
  });

  it('creates a function from a zip, publishes versions, invokes through an alias and deletes it', async () => {
    // Prepare
    const role = 'arn:aws:iam::000000000000:role/r';
    const decode = (p?: Uint8Array): unknown => JSON.parse(Buffer.from(p ?? []).toString());

    // Act
    const created = await client.send(
      new CreateFunctionCommand({
        FunctionName: 'wire',
        Role: role,
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Code: { ZipFile: code('one') },
      }),
    );
    const v1 = await client.send(new PublishVersionCommand({ FunctionName: 'wire' }));
    await client.send(new CreateAliasCommand({ FunctionName: 'wire', Name: 'live', FunctionVersion: '1' }));
    await client.send(new UpdateFunctionCodeCommand({ FunctionName: 'wire', ZipFile: code('two') }));
    const latest = await client.send(new InvokeCommand({ FunctionName: 'wire', Payload: strToU8('{"a":1}') }));
    const live = await client.send(
      new InvokeCommand({ FunctionName: 'wire', Qualifier: 'live', Payload: strToU8('{"a":2}'), LogType: 'Tail' }),
    );
    const versions = await client.send(new ListVersionsByFunctionCommand({ FunctionName: 'wire' }));
    await client.send(new DeleteFunctionCommand({ FunctionName: 'wire' }));
    const gone = await client
      .send(new GetFunctionConfigurationCommand({ FunctionName: 'wire' }))
      .catch((e: unknown) => e);

    // Assess
    expect(created).toMatchObject({ FunctionName: 'wire', Version: '$LATEST', Role: role, State: 'Active' });
    expect(v1.Version).toBe('1');
    expect(decode(latest.Payload)).toEqual({ tag: 'two', e: { a: 1 } });
    expect(latest.ExecutedVersion).toBe('$LATEST');
    expect(decode(live.Payload)).toEqual({ tag: 'one', e: { a: 2 } });
    expect(live.ExecutedVersion).toBe('1');
    expect(Buffer.from(live.LogResult ?? '', 'base64').toString()).toMatch(/^START RequestId: .* Version: 1\n/);
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException' });
  }, 60_000);
});
