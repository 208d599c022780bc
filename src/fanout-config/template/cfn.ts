/** CloudFormation values as the template builder writes them: plain JSON with intrinsic functions. */
import type { StreamSource } from '../definition';

export type Cfn = string | number | boolean | readonly Cfn[] | { readonly [key: string]: Cfn };

// Type aliases rather than interfaces, so a resource is also a Cfn value.
export type Resource = {
  readonly Type: string;
  readonly Properties: { readonly [key: string]: Cfn };
  /** Kept when the stack goes (a bucket holding delivered data). */
  readonly DeletionPolicy?: 'Retain' | 'Delete';
  readonly UpdateReplacePolicy?: 'Retain' | 'Delete';
};

export type StackOutput = {
  readonly Description: string;
  readonly Value: Cfn;
};

export const getAtt = (id: string, attribute = 'Arn'): Cfn => ({ 'Fn::GetAtt': [id, attribute] });
/** `Fn::Sub` of a text, or the text itself when it has nothing to substitute (cfn-lint W1020). */
export const sub = (text: string): Cfn => (text.includes('${') ? { 'Fn::Sub': text } : text);

/** Logical id of the resource of a stream the stack creates; the input's is `InputStream`. */
export const streamResourceId = (id: string): string => `${id}Stream`;

/** The ARN of a stream in the template: `Fn::GetAtt` of its resource, or the ARN of an existing one. */
export function streamArn(stream: StreamSource, id: string): Cfn {
  return stream.created ? getAtt(streamResourceId(id)) : stream.arn;
}

/** The same ARN inside a `Fn::Sub` text (`${XStream.Arn}`, or the literal ARN). */
export function streamArnInSub(stream: StreamSource, id: string): string {
  return stream.created ? `\${${streamResourceId(id)}.Arn}` : stream.arn;
}
