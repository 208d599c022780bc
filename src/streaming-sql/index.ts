/**
 * The Kinesis Analytics SQL dialect: compile application code against a source schema, run it on records, serialize
 * its output rows, and discover schemas from samples. See CONTRACTS.md (A).
 */
export type { CompiledApplication, ErrorRow, InputRecord, OutputStream, Runner, RunResult } from './application';
export { compile } from './application';
export { discoverSchema, withVarcharHeadroom } from './discovery';
export { SchemaValidationError, SqlCompileError, SqlRuntimeError, UnableToDetectSchemaError } from './errors';
export type { RecordColumn, RecordFormat, SourceSchema } from './formats';
export type { DestinationSchema, OutputRow } from './serialize';
export { serializeRow } from './serialize';
