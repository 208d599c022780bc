/**
 * The labelled sample records that let schema discovery work on an empty input stream (sql/fanout.sample.json,
 * bundled into the functions): both engines put them into the input before they discover its schema
 * (src/engines/sample.ts), and every consumer of the outputs can tell them from real traffic by their label.
 */

import sample from '../sql/fanout.sample.json';

/**
 * Every sample record's USERNAME starts with this label, so consumers and the load-test verifier can tell the
 * records put for schema discovery from real traffic.
 */
export const SCHEMA_SAMPLE_LABEL = 'fanout-schema-sample';

/** The sample records put into an empty input stream before schema discovery, as JSON documents. */
export const schemaSample: readonly Record<string, unknown>[] = sample;

/** Partition key of the sample records (one shard gets them all, in order). */
export const SCHEMA_SAMPLE_PARTITION_KEY = SCHEMA_SAMPLE_LABEL;
