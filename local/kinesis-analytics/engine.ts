/**
 * What the Kinesis Analytics twin needs from the SQL engine (src/streaming-sql). Injected, so the control plane
 * can be exercised without it and the twin can be handed a different engine.
 */
import type * as streamingSql from '../../src/streaming-sql';
import type { SourceSchema } from '../../src/streaming-sql';

export interface SqlEngine {
  compile: typeof streamingSql.compile;
  serializeRow: typeof streamingSql.serializeRow;
  discoverSchema: typeof streamingSql.discoverSchema;
}

/**
 * Fills what older clients could leave out of an input schema (MappingParameters), the way the service read such
 * requests: JSON rows at the top level, CSV lines of comma-separated values.
 */
export function withDefaultMappings(schema: SourceSchema): SourceSchema {
  const format = schema.RecordFormat;
  if (format.RecordFormatType === 'JSON' && !format.MappingParameters?.JSONMappingParameters) {
    return {
      ...schema,
      RecordFormat: { ...format, MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
    };
  }
  if (format.RecordFormatType === 'CSV' && !format.MappingParameters?.CSVMappingParameters) {
    return {
      ...schema,
      RecordFormat: {
        ...format,
        MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\n', RecordColumnDelimiter: ',' } },
      },
    };
  }
  return schema;
}
