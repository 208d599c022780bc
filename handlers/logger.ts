/**
 * The structured logger every handler writes with. A module of its own, so that a handler which needs nothing
 * else of handlers/runtime.ts (the fan-out function, the consumers) does not bundle the engines and their clients.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

export const logger = new Logger({ serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'kinesis-fanout' });

/** Puts this invocation's Lambda context (request id, function, cold start) on every log line that follows. */
export function useLambdaContext(context: Context | undefined): void {
  logger.resetKeys();
  if (context) logger.addContext(context);
}
