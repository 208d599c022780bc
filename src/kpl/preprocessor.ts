/**
 * The KPL input preprocessor of a Kinesis Analytics application (lambda-preprocessing.md of the SQL developer
 * guide; the console's "KPL Input Processing" blueprint): the service hands the function a batch of Kinesis records,
 * base64, each with a recordId; every record comes back with the same recordId and
 *
 * - `Ok` with its user records' data concatenated (the SQL reads several JSON documents, or several CSV rows, from
 *   one payload): a newline goes between two user records when the first does not end with one, so CSV rows keep
 *   their default row delimiter and JSON documents stay apart;
 * - `Ok` with the data unchanged for a record that is not an aggregate (a plain producer on the same stream);
 * - `Dropped` for an aggregate that holds no user record;
 * - `ProcessingFailed` with the original data for a corrupt aggregate (bad MD5, bad protobuf): the application puts
 *   it on its error stream, and the rest of the batch goes on.
 *
 * Pure: handlers/kpl-preprocessor.ts parses the event and logs.
 */
import * as z from 'zod';
import { deaggregate, KplFormatError } from './index';

/** The event as Kinesis Analytics sends it for a Kinesis stream input (field names of AWS's event classes). */
export const preprocessingEventSchema = z.object({
  invocationId: z.string(),
  // Absent when DiscoverInputSchema runs the samples through the function: there is no application yet.
  applicationArn: z.string().optional(),
  streamArn: z.string(),
  records: z.array(
    z.object({
      recordId: z.string().min(1),
      data: z.base64(),
      kinesisStreamRecordMetadata: z
        .object({
          partitionKey: z.string().optional(),
          sequenceNumber: z.string().optional(),
          shardId: z.string().optional(),
          approximateArrivalTimestamp: z.number().optional(),
        })
        .optional(),
    }),
  ),
});

export type PreprocessingEvent = z.output<typeof preprocessingEventSchema>;

export type PreprocessingResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

export interface PreprocessingResponse {
  records: { recordId: string; result: PreprocessingResult; data?: string }[];
}

/** What one call did, for the handler's log line. */
export interface PreprocessingSummary {
  records: number;
  aggregates: number;
  userRecords: number;
  plain: number;
  dropped: number;
  failed: number;
  /** The first corrupt aggregate, for the log. */
  firstFailure?: { recordId: string; reason: string };
}

const NEWLINE = 0x0a;

/** The user records' data as one payload (a newline between two records when the first lacks one). */
function joined(parts: readonly Buffer[]): Buffer {
  const pieces: Buffer[] = [];
  parts.forEach((part, i) => {
    pieces.push(part);
    if (i < parts.length - 1 && part[part.length - 1] !== NEWLINE) pieces.push(Buffer.of(NEWLINE));
  });
  return Buffer.concat(pieces);
}

/**
 * Answers one preprocessing invocation: every record of the event, in order, with its recordId.
 *
 * @param event - the parsed event
 */
export function preprocess(event: PreprocessingEvent): {
  response: PreprocessingResponse;
  summary: PreprocessingSummary;
} {
  const summary: PreprocessingSummary = {
    records: event.records.length,
    aggregates: 0,
    userRecords: 0,
    plain: 0,
    dropped: 0,
    failed: 0,
  };
  const records = event.records.map((record): PreprocessingResponse['records'][number] => {
    const data = Buffer.from(record.data, 'base64');
    const partitionKey = record.kinesisStreamRecordMetadata?.partitionKey ?? '';
    try {
      const users = deaggregate({ data, partitionKey });
      if (users.length === 1 && users[0]!.subSequenceNumber === undefined) {
        summary.plain++;
        return { recordId: record.recordId, result: 'Ok', data: record.data };
      }
      summary.aggregates++;
      if (users.length === 0) {
        summary.dropped++;
        return { recordId: record.recordId, result: 'Dropped' };
      }
      summary.userRecords += users.length;
      return { recordId: record.recordId, result: 'Ok', data: joined(users.map((u) => u.data)).toString('base64') };
    } catch (error) {
      if (!(error instanceof KplFormatError)) throw error;
      summary.failed++;
      summary.firstFailure ??= { recordId: record.recordId, reason: error.message };
      return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
    }
  });
  return { response: { records }, summary };
}
