/**
 * A Kinesis port that calls as a role session: what a service calling Kinesis in process (Kinesis Analytics with
 * an application's RoleARNs, a Lambda mapping with its function's role) hands to the code that reads and writes,
 * so every call is checked as the same call over the wire would be. Wire operations carry the principal in their
 * context (the Kinesis twin checks them); the in-process GetRecords and PutRecords are checked here.
 */
import type { RequestContext } from '../service';
import type { Authorizer, Principal } from './index';

interface KinesisCalls {
  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  getRecords(shardIterator: string, limit?: number): unknown;
  putRecords?(stream: { StreamName?: string; StreamARN?: string }, records: never[]): unknown;
  onRecords?(streamName: string, listener: () => void): () => void;
}

export interface KinesisSessions {
  /** Who reads (wire operations and GetRecords). */
  readonly reader: Principal | undefined;
  /** Who writes to a stream (PutRecords); default the reader. */
  writer?(stream: { StreamName?: string; StreamARN?: string }): Principal | undefined;
}

/** `kinesis`, calling as the sessions given (the same object when nobody is to be checked). */
export function kinesisAs<T extends KinesisCalls>(kinesis: T, iam: Authorizer | undefined, who: KinesisSessions): T {
  if (!iam) return kinesis;
  const guarded: KinesisCalls = {
    handle: (operation, input, ctx) =>
      kinesis.handle(operation, input, who.reader ? { ...ctx, principal: who.reader } : ctx),
    getRecords: (shardIterator, limit) => {
      iam.authorize(who.reader, 'kinesis', 'GetRecords', { ShardIterator: shardIterator });
      return kinesis.getRecords(shardIterator, limit);
    },
  };
  if (kinesis.putRecords) {
    const put = kinesis.putRecords.bind(kinesis);
    guarded.putRecords = (stream, records) => {
      iam.authorize(who.writer ? who.writer(stream) : who.reader, 'kinesis', 'PutRecords', stream);
      return put(stream, records);
    };
  }
  if (kinesis.onRecords) guarded.onRecords = kinesis.onRecords.bind(kinesis);
  return guarded as T;
}
