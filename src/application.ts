/**
 * The application the user edits: the SQL in sql/fanout.sql and the labelled sample records that let schema
 * discovery work on an empty input stream (sql/fanout.sample.json). Both are bundled into the functions.
 */

import sample from '../sql/fanout.sample.json';
import applicationSqlText from '../sql/fanout.sql';

/** The SQL of every fan-out application (Kinesis Analytics SQL dialect). */
export const applicationSql: string = applicationSqlText;

/** Name prefix of the in-application input stream: the SQL reads `SOURCE_SQL_STREAM_001`. */
export const INPUT_NAME_PREFIX = 'SOURCE_SQL_STREAM';

/**
 * Every sample record's USERNAME starts with this label, so consumers and the load-test verifier can tell the
 * records put for schema discovery from real traffic.
 */
export const SCHEMA_SAMPLE_LABEL = 'fanout-schema-sample';

/** The sample records put into an empty input stream before schema discovery, as JSON documents. */
export const schemaSample: readonly Record<string, unknown>[] = sample;

/** Partition key of the sample records (one shard gets them all, in order). */
export const SCHEMA_SAMPLE_PARTITION_KEY = SCHEMA_SAMPLE_LABEL;
