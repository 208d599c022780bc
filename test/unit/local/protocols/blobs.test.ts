import { startTwin, type Twin } from '../../../../local/twin';

const SIGNED = {
  'x-amz-date': '20260101T000000Z',
  authorization:
    'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=0a1b',
};

describe('Blobs of every service: base64 checked whole', () => {
  let twin: Twin;

  beforeAll(async () => {
    twin = await startTwin({ port: 0, fast: true });
  });

  afterAll(async () => {
    await twin.close();
  });

  it('refuses a Lambda ZipFile that is not base64 past its first 4 KiB with SerializationException', async () => {
    // Act
    const res = await fetch(`${twin.endpoint}/2015-03-31/functions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...SIGNED },
      body: JSON.stringify({
        FunctionName: 'f',
        Runtime: 'nodejs22.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: { ZipFile: `${'UEsDBA'.repeat(1000)}!!!!` },
      }),
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
    expect(((await res.json()) as { message: string }).message).toContain("at 'zipFile'");
  });
});
