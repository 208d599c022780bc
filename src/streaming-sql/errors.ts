/** Errors of the streaming SQL engine. Names follow the Kinesis Analytics API where one exists. */

/** A position in the application code, 1-based. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * The application code does not compile: bad syntax, an unknown stream or column, a type mismatch or a feature
 * this engine does not support. Named like the API's CodeValidationException so callers can pass it through.
 */
export class SqlCompileError extends Error {
  override name = 'CodeValidationException';
  readonly line: number;
  readonly column: number;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(reason: string, position: SourcePosition, options?: { cause?: unknown }) {
    super(`line ${position.line}, column ${position.column}: ${reason}`, options);
    this.line = position.line;
    this.column = position.column;
    this.reason = reason;
  }
}

/** Schema discovery found nothing it could infer; carries the records it looked at, like the API's exception. */
export class UnableToDetectSchemaError extends Error {
  override name = 'UnableToDetectSchemaException';
  readonly rawInputRecords: string[];
  readonly processedInputRecords: string[];

  constructor(
    message: string,
    rawInputRecords: string[],
    processedInputRecords: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.rawInputRecords = rawInputRecords;
    this.processedInputRecords = processedInputRecords;
  }
}

/** An invalid source schema given to compile() (unknown SQL type, bad mapping, bad delimiters). */
export class SchemaValidationError extends Error {
  override name = 'InvalidArgumentException';
}

/**
 * A record or a value that cannot be brought into the application; becomes a row of `error_stream`, never thrown out
 * of a runner. `errorName` is the ERROR_NAME column.
 */
export class SqlRuntimeError extends Error {
  override name = 'SqlRuntimeError';
  readonly errorName: string;

  constructor(errorName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errorName = errorName;
  }
}
