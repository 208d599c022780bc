/** Where a template comes from (TemplateBody, or TemplateURL on the S3 twin) and what ValidateTemplate says of it. */
import { DeployError, parseTemplate, type Template } from '../deploy/template';
import type { S3Twin } from '../s3';
import { cfnError } from './errors';

export interface TemplateSource {
  TemplateBody?: string | undefined;
  TemplateURL?: string | undefined;
}

/** The bucket and key of a template URL: path-style (`https://s3.amazonaws.com/b/k`, the twin) or virtual-hosted. */
export function s3Location(url: string): { bucket: string; key: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const path = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const virtual = /^(.+)\.s3[.-]/.exec(u.hostname);
  if (virtual) return path ? { bucket: virtual[1]!, key: path } : undefined;
  const slash = path.indexOf('/');
  return slash > 0 ? { bucket: path.slice(0, slash), key: path.slice(slash + 1) } : undefined;
}

export function templateText(source: TemplateSource, s3: S3Twin | undefined): string {
  if (source.TemplateBody !== undefined) return source.TemplateBody;
  if (source.TemplateURL === undefined)
    throw cfnError('ValidationError', 'Either Template URL or Template Body must be specified.');
  const where = s3Location(source.TemplateURL);
  if (!where || !s3) throw cfnError('ValidationError', 'TemplateURL must be a supported URL.');
  try {
    return s3.object(where.bucket, where.key).body.toString('utf8');
  } catch {
    throw cfnError('ValidationError', `S3 error: The specified key does not exist. (${source.TemplateURL})`);
  }
}

export function readTemplateSource(
  source: TemplateSource,
  s3: S3Twin | undefined,
): { template: Template; body: string } {
  const body = templateText(source, s3);
  try {
    return { template: parseTemplate(body), body };
  } catch (error) {
    if (error instanceof DeployError) throw cfnError('ValidationError', error.message);
    throw error;
  }
}

const IAM = /^AWS::IAM::/;

/** ValidateTemplate's answer: parameters, description, the capabilities the template needs. */
export function validation(template: Template): Record<string, unknown> {
  const iam = Object.values(template.Resources).filter((r) => IAM.test(r.Type));
  const named = iam.some(
    (r) => r.Properties?.['RoleName'] !== undefined || r.Properties?.['ManagedPolicyName'] !== undefined,
  );
  return {
    Parameters: Object.entries(template.Parameters ?? {}).map(([k, p]) => ({
      ParameterKey: k,
      ...(p.Default !== undefined ? { DefaultValue: String(p.Default) } : {}),
      NoEcho: p.NoEcho === true || p.NoEcho === 'true',
      ...(p.Description ? { Description: p.Description } : {}),
    })),
    ...(template.Description ? { Description: template.Description } : {}),
    ...(iam.length > 0
      ? {
          Capabilities: [named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM'],
          CapabilitiesReason: `The following resource(s) require capabilities: [${[...new Set(iam.map((r) => r.Type))].join(', ')}]`,
        }
      : {}),
  };
}
