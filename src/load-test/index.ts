/**
 * The load test: generator, verifier and report data. Safe to bundle into Lambda; the report writers for the
 * terminal and files (report-terminal.ts, report-html.ts) are imported by the CLI only.
 */
export type { Expectation } from './expected';
export { compileForLoadTest, computeExpectation, UnknownSqlStreamError } from './expected';
export type { GeneratedRecord, GeneratorOptions, LoadTestFields } from './generator';
export {
  encodeRecord,
  newRunId,
  parseUsername,
  partitionKeysForShards,
  RecordGenerator,
  usernameOf,
} from './generator';
export { columnValue, identify } from './identity';
export type { ConsumedRecord, ConsumerOptions, ProducerOptions, ProducerResult } from './kinesis-io';
export { consume, listShards, produce, READ_INTERVAL_MS } from './kinesis-io';
export type { LoadTestDependencies, LoadTestOptions } from './run';
export { LoadTestInputError, MAX_RECORDS, runLoadTest, validateLoadTestOptions } from './run';
export * from './types';
export type { Arrival, RunFacts, VerifierOptions } from './verifier';
export { parseOutputRecord, Verifier } from './verifier';
