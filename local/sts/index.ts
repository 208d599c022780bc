/**
 * The STS twin (query protocol, API version 2011-06-15): GetCallerIdentity, which the framework and the AWS CLI call
 * to learn the account. Every caller is the account's root, 000000000000, whatever its credentials.
 */
import { xml } from '../protocols/xml';
import { AwsServiceError, type QueryService, type RequestContext } from '../service';

export class StsTwin implements QueryService {
  readonly version = '2011-06-15';
  readonly signingName = 'sts';
  readonly xmlNamespace = 'https://sts.amazonaws.com/doc/2011-06-15/';

  async handle(action: string, _params: URLSearchParams, ctx: RequestContext): Promise<string | undefined> {
    if (action !== 'GetCallerIdentity')
      throw new AwsServiceError('InvalidAction', `The action ${action} is not valid for this web service.`);
    const key = /Credential=([^/,\s]+)\//.exec(String(ctx.headers.authorization ?? ''))?.[1] ?? 'AKIAIOSFODNN7EXAMPLE';
    return xml('UserId', key) + xml('Account', ctx.accountId) + xml('Arn', `arn:aws:iam::${ctx.accountId}:root`);
  }
}
