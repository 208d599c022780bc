/**
 * What a fan-out file will make exist, for one engine: the streams the stack creates or only references, the
 * applications (Kinesis Analytics: one per three outputs, grouped as the lifecycle groups them), the lambda engine's
 * function and mapping, the consumers, and what it all costs a month at a given rate (prices: src/pricing.ts).
 * Pure: `fanout plan` and `fanout init` print it.
 */
import type { EngineName } from '../config';
import { planApplications } from '../engines/types';
import {
  analyticsCost,
  type BilledStream,
  type CostAssumptions,
  type Estimate,
  lambdaCost,
  type PriceName,
  streamsCost,
} from '../pricing';
import { destinationNameOf, type FanoutDefinition, kinesisOutputs, type StreamSource } from './definition';
import { ENGINE_LIMITS } from './limits';

export interface PlannedStream {
  readonly role: 'input' | 'output';
  readonly name: string;
  /** `created` by the stack, or `referenced` (the user's, by ARN). */
  readonly source: 'created' | 'referenced';
  /** `1 shard`, `ON_DEMAND`, or the ARN of a referenced stream. */
  readonly detail: string;
  /** The in-application stream an output receives. */
  readonly sqlStream?: string;
  readonly consumer: boolean;
}

export interface PlannedApplication {
  readonly name: string;
  readonly outputs: readonly string[];
}

export interface Plan {
  readonly engine: EngineName;
  readonly streams: readonly PlannedStream[];
  /** `sql/fanout.sql`, or `copy` (generated from the discovered columns, one pump per output). */
  readonly application: string;
  readonly applications: readonly PlannedApplication[];
  /** The lambda engine's function, its mapping on the input, and the streams it finds by prefix. */
  readonly lambda?: { readonly functionName: string; readonly mapping: string; readonly outputPrefix?: string };
  /** Logging consumer functions, one per output that asks for it. */
  readonly consumers: readonly string[];
  readonly cost: {
    readonly assumptions: CostAssumptions;
    readonly streams: Estimate;
    /** Each engine's own cost, beside the streams' (the engine planned and the other, to compare). */
    readonly engines: Readonly<Record<EngineName, Estimate>>;
    /** The prices the lines above use. */
    readonly prices: readonly PriceName[];
  };
}

export interface PlanOptions {
  readonly engine: EngineName;
  /** `${service}-${stage}`: the prefix of applications and functions. */
  readonly prefix: string;
  readonly assumptions: CostAssumptions;
}

function detailOf(stream: StreamSource): string {
  if (!stream.created) return stream.arn;
  return stream.capacity.mode === 'ON_DEMAND'
    ? 'ON_DEMAND'
    : `${stream.capacity.shards} shard${stream.capacity.shards === 1 ? '' : 's'}`;
}

function shardsOf(stream: StreamSource): number {
  // A stream the user brings: its shard count is not in the file; one is the floor of what its consumer pays for.
  return stream.created && stream.capacity.mode === 'PROVISIONED' ? stream.capacity.shards : 1;
}

/**
 * The plan of a fan-out for an engine.
 *
 * @param definition - the validated fan-out
 * @param options - engine, names, and what the estimate assumes (rate, record size...)
 */
export function planOf(definition: FanoutDefinition, options: PlanOptions): Plan {
  const { engine, prefix, assumptions } = options;
  const streams: PlannedStream[] = [
    {
      role: 'input',
      name: definition.input.name,
      source: definition.input.created ? 'created' : 'referenced',
      detail: detailOf(definition.input),
      consumer: false,
    },
    ...kinesisOutputs(definition).map(
      (o): PlannedStream => ({
        role: 'output',
        name: o.stream.name,
        source: o.stream.created ? 'created' : 'referenced',
        detail: detailOf(o.stream),
        sqlStream: o.sqlStream,
        consumer: o.consumer,
      }),
    ),
  ];
  const bindings = definition.outputs.map((o) => ({ sqlStream: o.sqlStream, streamArn: destinationNameOf(o) }));
  const groups = (perApplication: number) =>
    bindings.length === 0
      ? [{ name: `${prefix}-1`, outputs: [] }]
      : planApplications(prefix, bindings, perApplication).map((a) => ({
          name: a.name,
          outputs: a.outputs.map((o) => o.streamArn),
        }));
  const analyticsApplications = groups(ENGINE_LIMITS['kinesis-analytics'].outputsPerApplication);
  const lambdaApplications = [{ name: `${prefix}-1`, outputs: bindings.map((b) => b.streamArn) }];

  // Every copy or SQL output is costed at the input's rate: the SQL's filters can only lower it.
  const billed: BilledStream[] = [definition.input, ...kinesisOutputs(definition).map((o) => o.stream)].map((s) => ({
    name: s.name,
    rate: assumptions.rate,
    ...(s.created ? { capacity: s.capacity } : {}),
  }));
  const engines = {
    'kinesis-analytics': analyticsCost(analyticsApplications.length, assumptions),
    lambda: lambdaCost(shardsOf(definition.input), assumptions, !definition.input.created),
  };
  const streamCost = streamsCost(billed, assumptions.recordBytes);
  const prices = [...new Set([streamCost, ...Object.values(engines)].flatMap((e) => e.lines.flatMap((l) => l.prices)))];
  return {
    engine,
    streams,
    application: definition.application.kind === 'sql' ? definition.application.path : 'copy',
    applications: engine === 'lambda' ? lambdaApplications : analyticsApplications,
    ...(engine === 'lambda'
      ? {
          lambda: {
            functionName: `${prefix}-fanout`,
            mapping: `${definition.input.name} -> ${prefix}-fanout (${assumptions.enhancedFanOut ? 'enhanced fan-out consumer' : 'shared throughput'}, batches of ${assumptions.batchSize})`,
            ...(definition.outputPrefix
              ? { outputPrefix: `${definition.outputPrefix.prefix}* (${definition.outputPrefix.sqlStream})` }
              : {}),
          },
        }
      : {}),
    consumers: kinesisOutputs(definition)
      .filter((o) => o.consumer)
      .map((o) => `${prefix}-consume${o.id}`),
    cost: { assumptions, streams: streamCost, engines, prices },
  };
}
