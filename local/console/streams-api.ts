/**
 * The answers of the console's streams API (local/console/streams.ts writes them, web/src/pages/streams.tsx reads
 * them): types only, importing only types that import nothing, so `tsc -p web` checks the page against them
 * without Node's types.
 */
import type { StreamOverview, StreamView } from '../kinesis/views';

/** GET /_console/api/streams: each stream with its records held and its last minute's traffic. */
export interface StreamListAnswer {
  streams: (StreamOverview & { records: number; incomingLastMinute: number; outgoingLastMinute: number })[];
}

/** An event source mapping of the Lambda twin that reads the stream, directly or through a consumer. */
export interface MappingView {
  uuid: string | undefined;
  functionArn: string | undefined;
  state: string | undefined;
  batchSize: number | undefined;
  startingPosition: string | undefined;
  /** Through an enhanced fan-out consumer (else GetRecords polling). */
  viaConsumer: boolean;
  lastProcessingResult: string | undefined;
}

/** GET /_console/api/streams/{name}: the stream, its shards and consumers, and the mappings that read it. */
export interface StreamDetailAnswer extends StreamView {
  mappings: MappingView[];
}

/** One record of the record browser, its bytes shown as JSON, else UTF-8 text, else base64. */
export interface RecordView {
  sequenceNumber: string;
  /** ms epoch. */
  arrival: number;
  partitionKey: string;
  size: number;
  kind: 'json' | 'text' | 'binary';
  text: string;
}

/** GET /_console/api/streams/{name}/shards/{shard}/records: the latest records, newest first. */
export interface RecordsAnswer {
  records: RecordView[];
}
