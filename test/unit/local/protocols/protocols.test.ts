import { queryParams } from '../../../../local/protocols/aws-query';
import { startServer, type TwinServer } from '../../../../local/server';
import { AwsServiceError, awsQuery, type QueryService, restXml } from '../../../../local/service';

const sts: QueryService = {
  version: '2011-06-15',
  signingName: 'sts',
  xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  handle: async (action, params) => {
    if (action === 'Fail') throw new AwsServiceError('ExpiredTokenException', 'too <old>', 400);
    return `<Echo>${params.get('Name') ?? ''}</Echo>`;
  },
};

async function post(url: string, path: string, headers: Record<string, string>, body: string) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('Module: protocols', () => {
  let server: TwinServer;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      access: { auth: false },
      mounts: [
        awsQuery(sts),
        restXml([
          {
            method: 'GET',
            path: /^\/(?<bucket>[^/]+)$/,
            handle: async (req) => {
              throw new AwsServiceError('NoSuchBucket', `The bucket ${req.params['bucket']} does not exist`, 404);
            },
          },
        ]),
      ],
    });
  });

  afterAll(async () => {
    await server.close();
  });

  describe('Method: aws-query', () => {
    it('dispatches on Version and Action and wraps the result in the Response and Result elements', async () => {
      // Act
      const res = await post(
        server.url,
        '/',
        { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        'Action=GetCallerIdentity&Version=2011-06-15&Name=a',
      );

      // Assess
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/xml');
      expect(res.body).toMatch(
        /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetCallerIdentityResult><Echo>a<\/Echo><\/GetCallerIdentityResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetCallerIdentityResponse>$/,
      );
    });

    it('puts errors in an ErrorResponse with Type, Code and an escaped Message', async () => {
      // Act
      const res = await post(
        server.url,
        '/',
        { 'content-type': 'application/x-www-form-urlencoded' },
        'Action=Fail&Version=2011-06-15',
      );

      // Assess
      expect(res.status).toBe(400);
      expect(res.body).toContain(
        '<Error><Type>Sender</Type><Code>ExpiredTokenException</Code><Message>too &lt;old&gt;</Message></Error>',
      );
    });

    it('decodes member lists and entry maps into a tree', () => {
      // Act
      const tree = queryParams(
        new URLSearchParams(
          'Action=X&Version=1&StackName=s&Parameters.member.1.ParameterKey=A&Parameters.member.1.ParameterValue=1' +
            '&Parameters.member.2.ParameterKey=B&Tags.entry.1.key=k&Tags.entry.1.value=v',
        ),
      );

      // Assess
      expect(tree).toEqual({
        StackName: 's',
        Parameters: [{ ParameterKey: 'A', ParameterValue: '1' }, { ParameterKey: 'B' }],
        Tags: { k: 'v' },
      });
    });
  });

  describe('Method: rest-xml', () => {
    it('answers errors as an XML Error element', async () => {
      // Act
      const res = await fetch(`${server.url}/my-bucket`);

      // Assess
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/xml');
      expect(await res.text()).toContain(
        '<Error><Code>NoSuchBucket</Code><Message>The bucket my-bucket does not exist</Message></Error>',
      );
    });

    it('leaves the twin its own routes', async () => {
      // Act
      const res = await fetch(`${server.url}/_twin/health`);

      // Assess
      expect(res.status).toBe(200);
    });
  });
});
