/**
 * The Kinesis pages' API: streams with their shards, per-second counters and consumers (enhanced fan-out
 * consumers, and the event source mappings of the Lambda twin that read the stream), and the record browser:
 * the latest records of a shard, each decoded as JSON, else UTF-8 text, else shown as base64.
 */
import type { KinesisTwin } from '../kinesis';
import type { LambdaTwin } from '../lambda';
import type { RestRoute } from '../service';
import { intParam, json, notFound } from './http';
import type { MappingView, RecordsAnswer, RecordView, StreamDetailAnswer, StreamListAnswer } from './streams-api';

export interface StreamsContext {
  kinesis: KinesisTwin;
  lambda: LambdaTwin | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** How the record browser shows a record's bytes. */
export function decodeData(data: Buffer): Pick<RecordView, 'kind' | 'text'> {
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return { kind: 'binary', text: data.toString('base64') };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') return { kind: 'json', text: JSON.stringify(parsed, null, 2) };
  } catch {
    // text, not JSON
  }
  return { kind: 'text', text };
}

function sum(values: number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

export function streamRoutes(ctx: StreamsContext): RestRoute[] {
  const inspect = ctx.kinesis.inspect;
  const mappingsOf = async (streamArn: string): Promise<MappingView[]> => {
    if (!ctx.lambda) return [];
    const out = await ctx.lambda.listEventSourceMappings({});
    return (out.EventSourceMappings ?? [])
      .filter((m) => m.EventSourceArn === streamArn || m.EventSourceArn?.startsWith(`${streamArn}/consumer/`))
      .map(
        (m): MappingView => ({
          uuid: m.UUID,
          functionArn: m.FunctionArn,
          state: m.State,
          batchSize: m.BatchSize,
          startingPosition: m.StartingPosition,
          viaConsumer: m.EventSourceArn !== streamArn,
          lastProcessingResult: m.LastProcessingResult,
        }),
      );
  };
  return [
    {
      method: 'GET',
      path: /^\/_console\/api\/streams$/,
      handle: async () =>
        json({
          streams: inspect
            .streams()
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((s) => {
              const detail = inspect.stream(s.name, 60);
              const shards = detail?.shards ?? [];
              return {
                ...s,
                records: sum(shards.map((sh) => sh.records)),
                incomingLastMinute: sum(shards.map((sh) => sum(sh.metrics.incomingRecords))),
                outgoingLastMinute: sum(shards.map((sh) => sum(sh.metrics.outgoingRecords))),
              };
            }),
        } satisfies StreamListAnswer),
    },
    {
      method: 'GET',
      path: /^\/_console\/api\/streams\/(?<name>[a-zA-Z0-9_.-]{1,128})$/,
      handle: async ({ params, query }) => {
        const seconds = intParam(query, 'seconds', 300, 10, 300);
        const detail = inspect.stream(params['name']!, seconds);
        if (!detail) throw notFound(`Stream ${params['name']}`);
        return json({ ...detail, mappings: await mappingsOf(detail.arn) } satisfies StreamDetailAnswer);
      },
    },
    {
      method: 'GET',
      path: /^\/_console\/api\/streams\/(?<name>[a-zA-Z0-9_.-]{1,128})\/shards\/(?<shard>[a-zA-Z0-9_.-]{1,128})\/records$/,
      handle: async ({ params, query }) => {
        const limit = intParam(query, 'limit', 25, 1, 500);
        const records = inspect.latestRecords(params['name']!, params['shard']!, limit);
        if (!records) throw notFound(`Shard ${params['shard']} of stream ${params['name']}`);
        return json({
          records: records.reverse().map((r) => ({
            sequenceNumber: r.sequenceNumber,
            arrival: r.arrival,
            partitionKey: r.partitionKey,
            size: r.data.length,
            ...decodeData(r.data),
          })),
        } satisfies RecordsAnswer);
      },
    },
  ];
}
