/** The one error a bad fan-out file gives: where (file, line, field) and what is wrong, on one line. */

/** A path into the file as zod and the YAML parser give it: keys and array indexes. */
export type FieldPath = readonly (string | number)[];

/** `outputs[2].arn` */
export function formatPath(path: FieldPath): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : text ? `.${part}` : part;
  return text;
}

/** The fan-out file cannot be used. The message is one line: `fanout.yml:7:5: outputs[1].arn: what is wrong`. */
export class FanoutConfigError extends Error {
  readonly file: string;
  readonly field: string;
  readonly line: number | undefined;
  /** The message without the file and field. */
  readonly reason: string;

  constructor(
    reason: string,
    where: { file: string; path?: FieldPath; line?: number; column?: number },
    options?: { cause?: unknown },
  ) {
    const field = formatPath(where.path ?? []);
    const at = where.line === undefined ? where.file : `${where.file}:${where.line}:${where.column ?? 1}`;
    super(`${at}: ${field ? `${field}: ` : ''}${reason}`, options);
    this.name = 'FanoutConfigError';
    this.file = where.file;
    this.field = field;
    this.line = where.line;
    this.reason = reason;
    // A user's mistake, not a bug: the stack trace would only bury the one line that matters (the framework
    // prints `stack` when a variable resolver fails).
    this.stack = `${this.name}: ${this.message}`;
  }
}
