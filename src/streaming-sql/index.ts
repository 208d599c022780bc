/**
 * The Kinesis Analytics SQL dialect: compile application code against a source schema, run it on records, serialize
 * its output rows, and discover schemas from samples. The modules and what is supported: README.md beside this file.
 */

export { compile, INPUT_NAME_PREFIX } from './compile';
export { discoverSchema, withVarcharHeadroom } from './discovery';
export { SchemaValidationError, SqlCompileError, SqlRuntimeError, UnableToDetectSchemaError } from './errors';
export type { RecordColumn, RecordFormat, SourceSchema } from './formats';
export type { CompiledApplication, ErrorRow, InputRecord, OutputStream, Runner, RunResult } from './plan';
export type { DestinationSchema, OutputRow } from './serialize';
export { serializeRow } from './serialize';
