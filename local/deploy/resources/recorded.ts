/**
 * Types that need no twin service (instance profiles, versions, permissions, keys): recorded with the names
 * and attributes AWS would give them, so Ref and Fn::GetAtt resolve as on AWS.
 */
import { type DeployContext, generatedName, hash, type Made, str } from '../context';
import { type ResourceType, recorded } from './types';

const named = (ctx: DeployContext, id: string): Made => ({ physicalId: generatedName(ctx, id), attributes: {} });

const functionArn = (ctx: DeployContext, fn: string): string =>
  fn.startsWith('arn:') ? fn : `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${fn}`;

export const RECORDED_TYPES: Record<string, ResourceType> = {
  'AWS::IAM::InstanceProfile': recorded((ctx, id, p) => {
    const name = str(p['InstanceProfileName']) ?? generatedName(ctx, id);
    return { physicalId: name, attributes: { Arn: `arn:aws:iam::${ctx.accountId}:instance-profile/${name}` } };
  }),
  'AWS::Logs::SubscriptionFilter': recorded(named),
  'AWS::Lambda::Version': recorded((ctx, _id, p) => {
    const arn = functionArn(ctx, String(p['FunctionName']));
    return { physicalId: `${arn}:1`, attributes: { Version: '1', FunctionArn: arn } };
  }),
  'AWS::Lambda::Permission': recorded(named),
  'AWS::Lambda::EventInvokeConfig': recorded(named),
  'AWS::Lambda::Alias': recorded((ctx, _id, p) => {
    const arn = `${functionArn(ctx, String(p['FunctionName']))}:${str(p['Name'])}`;
    return { physicalId: arn, attributes: { AliasArn: arn } };
  }),
  'AWS::KMS::Key': recorded((ctx, id) => {
    const keyId = `${hash(id, 8)}-0000-0000-0000-000000000000`;
    return {
      physicalId: keyId,
      attributes: { Arn: `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${keyId}`, KeyId: keyId },
    };
  }),
  'AWS::KMS::Alias': recorded(named),
};

/** What Fn::GetAtt reads of a bucket. */
export function bucketAttributes(name: string, region: string): Record<string, string> {
  return {
    Arn: `arn:aws:s3:::${name}`,
    DomainName: `${name}.s3.amazonaws.com`,
    RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
    WebsiteURL: `http://${name}.s3-website-${region}.amazonaws.com`,
  };
}
