/**
 * The load test: record sources, expectation, verifier, synthetic and live runs, and the report data. Safe to
 * bundle into Lambda. The HTML page (report-html.ts) is pure rendering for the CLI and the twin's console; the CLI
 * writes the files and prints the terminal summary (bin/report.ts).
 */

export { parseOutputRecord } from './content';
export type { PackedEntry, RecordEncoding } from './encoding';
export { kplEncoding, plainEncoding } from './encoding';
export type { Expectation, ExpectationInput, MatchBy, OutputExpectation } from './expected';
export { compileForLoadTest, computeExpectation, UnknownSqlStreamError } from './expected';
export { columnValue, TokenFinder, tagOf, tokenFor } from './identity';
export type { ConsumedRecord, ConsumerOptions, ProducerOptions, ProducerResult } from './kinesis-io';
export { consume, listShards, produce, READ_INTERVAL_MS } from './kinesis-io';
export type { LiveDependencies, LiveOptions } from './live';
export { LiveInputError, runLiveTest } from './live';
export { DEFAULT_KEYS_PER_SHARD, MAX_KEYS_PER_SHARD, newRunId, partitionKeysForShards } from './partition-keys';
export { outputKindOf, readOutput, UnsupportedOutputError } from './readers';
export type { GeneratorContext, RecordGeneratorFn, RecordSourceSpec } from './records';
export type { LoadTestDependencies, LoadTestOptions } from './run';
export { LoadTestInputError, MAX_RECORDS, runLoadTest, validateLoadTestOptions } from './run';
export { RecordSource } from './source';
export * from './types';
export type { Arrival, RunFacts, VerifierOptions } from './verifier';
export { Verifier } from './verifier';
export { warningsOf } from './warnings';
