/**
 * Parsing with zod, and what a failed parse says: every wrong field named by its path (`a.b[0].c: ...`). Handlers
 * parse their events with it (handlers/step.ts), the state machines their execution inputs (src/execution-input.ts).
 */
import type { z } from 'zod';
import { InvalidInputError } from './engines/errors';

/** `a.b[0].c: message; ...`: every issue of a failed parse, each naming its field (under `root`, if given). */
export function describeIssues(error: z.ZodError, root = ''): string {
  return error.issues
    .map((issue) => {
      let path = root;
      for (const key of issue.path) {
        path = typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${String(key)}` : String(key);
      }
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * Parses `value` with `schema`.
 *
 * @param what - the start of the message, e.g. `The event is invalid`
 * @throws InvalidInputError naming every field that is wrong
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(`${what}: ${describeIssues(parsed.error)}`, { cause: parsed.error });
}
