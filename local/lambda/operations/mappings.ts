/**
 * Event source mappings: CreateEventSourceMapping, GetEventSourceMapping, ListEventSourceMappings,
 * UpdateEventSourceMapping, DeleteEventSourceMapping, for Kinesis streams and their enhanced fan-out consumers.
 */
import type {
  CreateEventSourceMappingRequest,
  DeleteEventSourceMappingRequest,
  EventSourceMappingConfiguration,
  GetEventSourceMappingRequest,
  ListEventSourceMappingsRequest,
  ListEventSourceMappingsResponse,
  UpdateEventSourceMappingRequest,
} from '@aws-sdk/client-lambda';
import { type Authorizer, IamError } from '../../iam';
import { kinesisAs } from '../../iam/guard';
import { errors } from '../errors';
import type { MappingLifecycle } from '../lifecycle';
import { EventSourceMapping, type MappingDeps } from '../mapping/event-source-mapping';
import { type KinesisEventSource, kinesisSourceOf } from '../mapping/source';
import type { KinesisSource, MappingSettings } from '../mapping/types';
import { type LambdaStore, parseFunctionRef } from '../store';

/** What mappings need besides the store. */
export interface MappingContext {
  store: LambdaStore;
  lifecycle: MappingLifecycle;
  kinesis: KinesisSource | undefined;
  deps: Omit<MappingDeps, 'kinesis' | 'roleArn' | 'onCheckpoint'>;
  /** IAM: a mapping reads its stream with its function's role, as Lambda does. */
  iam?: Authorizer;
}

/** The role session a mapping calls Kinesis with: its function's role (read at each call: it may change). */
/** Who a mapping reads as: its function's role (IAM), looked up at each read. */
export function mappingReader(
  c: MappingContext,
  settings: MappingSettings,
): { readonly reader: ReturnType<Authorizer['session']> } {
  return {
    get reader() {
      const ref = parseFunctionRef(settings.functionArn);
      const record = c.store.functions.get(ref.name);
      const role = record ? c.store.version(record, ref.qualifier).version.runtime.config.role : undefined;
      return c.iam?.session(role, ref.name);
    },
  };
}

/**
 * What Lambda checks of the function's role when a mapping is created: that it can read the stream (and, for a
 * consumer, subscribe through it), with Lambda's message.
 */
function checkCanRead(
  c: MappingContext,
  eventSourceArn: string,
  source: KinesisEventSource,
  who: ReturnType<Authorizer['session']>,
): void {
  if (!c.iam || !who) return;
  const consumer = source.viaConsumer;
  const stream = source.streamArn;
  const needs = [
    ...['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream'].map((action) => ({
      action,
      resource: stream,
    })),
    { action: 'kinesis:ListStreams', resource: '*' },
    ...(consumer
      ? ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'].map((action) => ({
          action,
          resource: eventSourceArn,
        }))
      : []),
  ];
  try {
    for (const need of needs) c.iam.check(who, need, 'rest-json', { region: c.store.opts.region });
  } catch (error) {
    if (!(error instanceof IamError)) throw error;
    throw errors.invalid(
      consumer
        ? `Cannot access stream consumer ${eventSourceArn}. Please ensure the role can perform the SubscribeToShard, DescribeStreamConsumer, GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM. (${error.message})`
        : `Cannot access stream ${eventSourceArn}. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM. (${error.message})`,
      error,
    );
  }
}

/** The ARN a FunctionName designates, with its qualifier when it has one (a mapping may target a version). */
function targetArn(c: MappingContext, functionName: string): { arn: string; role?: string } {
  const { record, qualifier } = c.store.find(functionName);
  const { version } = c.store.version(record, qualifier);
  const role = version.runtime.config.role;
  return { arn: qualifier === undefined ? record.arn : `${record.arn}:${qualifier}`, ...(role ? { role } : {}) };
}

export function mappingOf(store: LambdaStore, uuid: string): EventSourceMapping {
  const m = store.mappings.get(uuid);
  if (!m) throw errors.noMapping(uuid);
  return m;
}

export async function createEventSourceMapping(
  c: MappingContext,
  input: CreateEventSourceMappingRequest,
): Promise<EventSourceMappingConfiguration> {
  const { store, kinesis } = c;
  const eventSourceArn = input.EventSourceArn;
  const target = targetArn(c, input.FunctionName!);
  const source = eventSourceArn === undefined ? undefined : kinesisSourceOf(eventSourceArn);
  if (eventSourceArn === undefined || !source)
    throw errors.invalid(`Unsupported event source ${eventSourceArn ?? '(none)'}: the twin maps Kinesis streams`);
  if (!kinesis) throw errors.service('The Lambda twin has no Kinesis twin to poll');
  for (const m of store.mappings.values()) {
    if (m.settings.eventSourceArn === eventSourceArn && m.settings.functionArn === target.arn)
      throw errors.mappingExists(eventSourceArn, parseFunctionRef(target.arn).name, m.uuid);
  }
  const startingPosition = input.StartingPosition;
  if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST' && startingPosition !== 'AT_TIMESTAMP')
    throw errors.invalid('StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP for a Kinesis event source');
  const settings: MappingSettings = {
    eventSourceArn,
    functionArn: target.arn,
    batchSize: 100,
    startingPosition,
    maximumBatchingWindowInSeconds: 0,
    maximumRetryAttempts: -1,
    bisectBatchOnFunctionError: false,
    functionResponseTypes: [],
    parallelizationFactor: 1,
    maximumRecordAgeInSeconds: -1,
  };
  if (input.StartingPositionTimestamp !== undefined)
    settings.startingPositionTimestamp = input.StartingPositionTimestamp.getTime();
  applySettings(settings, input);
  const who = mappingReader(c, settings);
  checkCanRead(c, eventSourceArn, source, who.reader);
  const ctx = { region: store.opts.region, accountId: store.opts.accountId, headers: {} };
  try {
    await kinesis.handle('DescribeStreamSummary', { StreamName: source.streamName }, ctx);
  } catch (error) {
    throw errors.invalid(`Stream not found: ${eventSourceArn}`, error);
  }
  if (source.viaConsumer) {
    // an enhanced fan-out consumer must exist and be ACTIVE; its records come from its stream's shards
    const described = await kinesis
      .handle('DescribeStreamConsumer', { ConsumerARN: eventSourceArn }, ctx)
      .catch((error: unknown) => {
        throw errors.invalid(`Consumer not found: ${eventSourceArn}`, error);
      });
    const status = (described as { ConsumerDescription?: { ConsumerStatus?: string } }).ConsumerDescription
      ?.ConsumerStatus;
    if (status !== 'ACTIVE') throw errors.invalid(`The consumer ${eventSourceArn} is ${status}, not ACTIVE`);
  }
  const mapping: EventSourceMapping = new EventSourceMapping(settings, {
    ...c.deps,
    kinesis: kinesisAs(kinesis, c.iam, who),
    ...(target.role ? { roleArn: target.role } : {}),
    onCheckpoint: (shardId, sequenceNumber) =>
      store.changed({ type: 'checkpoint', uuid: mapping.uuid, shardId, sequenceNumber }),
  });
  store.mappings.set(mapping.uuid, mapping);
  store.changed({ type: 'mapping-put', uuid: mapping.uuid });
  c.lifecycle.settle(mapping, input.Enabled !== false ? 'Enabled' : 'Disabled');
  return mapping.describe();
}

export function getEventSourceMapping(
  store: LambdaStore,
  input: GetEventSourceMappingRequest,
): EventSourceMappingConfiguration {
  return mappingOf(store, input.UUID!).describe();
}

export function listEventSourceMappings(
  store: LambdaStore,
  input: ListEventSourceMappingsRequest,
): ListEventSourceMappingsResponse {
  let fnArn: string | undefined;
  if (input.FunctionName) {
    const ref = parseFunctionRef(input.FunctionName);
    fnArn = store.functionArn(ref.name) + (ref.qualifier ? `:${ref.qualifier}` : '');
  }
  const all = [...store.mappings.values()].filter(
    (m) =>
      (!input.EventSourceArn || m.settings.eventSourceArn === input.EventSourceArn) &&
      (!fnArn || m.settings.functionArn === fnArn),
  );
  const start = Number(input.Marker ?? 0) || 0;
  const max = Math.min(100, input.MaxItems ?? 100);
  return {
    EventSourceMappings: all.slice(start, start + max).map((m) => m.describe()),
    ...(start + max < all.length ? { NextMarker: String(start + max) } : {}),
  };
}

/** UpdateEventSourceMapping: settings, FunctionName (another function or version), and Enabled to start or stop. */
export function updateEventSourceMapping(
  c: MappingContext,
  input: UpdateEventSourceMappingRequest,
): EventSourceMappingConfiguration {
  const m = mappingOf(c.store, input.UUID!);
  if (m.state === 'Deleting') throw errors.mappingBusy(m.uuid, 'being deleted');
  if (input.FunctionName !== undefined) m.settings.functionArn = targetArn(c, input.FunctionName).arn;
  applySettings(m.settings, input);
  m.lastModified = c.store.clock.now();
  const wasOn = m.state === 'Enabled' || m.state === 'Enabling' || m.state === 'Creating';
  const on = input.Enabled ?? wasOn;
  if (on !== wasOn) {
    m.state = on ? 'Enabling' : 'Disabling';
    c.lifecycle.settle(m, on ? 'Enabled' : 'Disabled');
  } else {
    m.state = 'Updating';
    c.lifecycle.settle(m, on ? 'Enabled' : 'Disabled', true);
  }
  c.store.changed({ type: 'mapping-put', uuid: m.uuid });
  return m.describe();
}

export function deleteEventSourceMapping(
  c: MappingContext,
  input: DeleteEventSourceMappingRequest,
): EventSourceMappingConfiguration {
  const m = mappingOf(c.store, input.UUID!);
  c.lifecycle.delete(m);
  return m.describe();
}

function applySettings(
  s: MappingSettings,
  input: CreateEventSourceMappingRequest | UpdateEventSourceMappingRequest,
): void {
  s.batchSize = input.BatchSize ?? s.batchSize;
  s.maximumBatchingWindowInSeconds = input.MaximumBatchingWindowInSeconds ?? s.maximumBatchingWindowInSeconds;
  s.maximumRetryAttempts = input.MaximumRetryAttempts ?? s.maximumRetryAttempts;
  s.parallelizationFactor = input.ParallelizationFactor ?? s.parallelizationFactor;
  s.maximumRecordAgeInSeconds = input.MaximumRecordAgeInSeconds ?? s.maximumRecordAgeInSeconds;
  if (input.BisectBatchOnFunctionError !== undefined) s.bisectBatchOnFunctionError = input.BisectBatchOnFunctionError;
  if (input.FunctionResponseTypes !== undefined) s.functionResponseTypes = input.FunctionResponseTypes.map(String);
  if (input.DestinationConfig !== undefined) s.destinationConfig = input.DestinationConfig;
}
