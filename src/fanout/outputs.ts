/**
 * Where each in-application stream's rows go: the output streams named in the application, and, when output prefixes
 * are configured, every Kinesis stream whose name starts with a prefix (listed once per cold start).
 */
import { type KinesisClient, paginateListStreams } from '@aws-sdk/client-kinesis';
import { streamNameOf } from '../arn';
import type { FanoutApplication, OutputPrefix } from './environment';

/** A stream of the account: its name and ARN. */
export interface StreamRef {
  readonly name: string;
  readonly arn: string;
}

/** In-application stream name (upper case) -> the ARNs of the Kinesis streams that receive its rows. */
export type OutputTargets = ReadonlyMap<string, readonly string[]>;

/**
 * Every stream of the account and region, following ListStreams pages.
 *
 * @param client - the Kinesis client
 */
export async function listStreams(client: KinesisClient): Promise<StreamRef[]> {
  const streams: StreamRef[] = [];
  for await (const page of paginateListStreams({ client }, {})) {
    for (const summary of page.StreamSummaries ?? []) {
      if (summary.StreamName && summary.StreamARN) streams.push({ name: summary.StreamName, arn: summary.StreamARN });
    }
  }
  return streams;
}

/**
 * The targets of every in-application stream: the named outputs plus, for each prefix, the streams it matches.
 * A stream gets each row once even when named and matched, or matched by two prefixes.
 *
 * @param application - the application's outputs and prefixes
 * @param streams - the account's streams (needed only when there are prefixes)
 * @param exclude - streams that never receive output rows (the input stream, the error stream)
 */
export function resolveTargets(
  application: Pick<FanoutApplication, 'outputs' | 'outputPrefixes'>,
  streams: readonly StreamRef[],
  exclude: readonly string[] = [],
): OutputTargets {
  const excluded = new Set(exclude.map(streamNameOf));
  const targets = new Map<string, string[]>();
  const add = (sqlStream: string, arn: string) => {
    const key = sqlStream.toUpperCase();
    const list = targets.get(key) ?? [];
    if (!list.includes(arn)) list.push(arn);
    targets.set(key, list);
  };
  for (const output of application.outputs) add(output.sqlStream, output.streamArn);
  for (const prefix of application.outputPrefixes) {
    for (const stream of matching(prefix, streams)) {
      if (!excluded.has(stream.name)) add(prefix.sqlStream, stream.arn);
    }
  }
  return targets;
}

function matching(prefix: OutputPrefix, streams: readonly StreamRef[]): StreamRef[] {
  return streams.filter((s) => s.name.startsWith(prefix.streamNamePrefix));
}
