/**
 * The errors of the engines, in one place. Each name is what a Task state's Retry or Catch matches (Lambda reports
 * a thrown error's `name` as its `errorType`), so a name never changes once a state machine relies on it:
 * `ApplicationBusyError` is retried by the shared Retry block (statemachines/fragments/retry.yml); the others fail
 * the task at once.
 */
import type { ApplicationStatus } from './types';

/** The base of every engine error: `instanceof EngineError` tells an engine's refusal from an SDK failure. */
export class EngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/** A field of a task's input (from the execution input) has a value the engine cannot use. */
export class InvalidInputError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/** Schema discovery could not produce a schema; the message says what to do. */
export class SchemaDiscoveryError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaDiscoveryError';
  }
}

/** The application is in a state where the operation cannot succeed (and waiting will not help). */
export class ApplicationStateError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApplicationStateError';
  }
}

/** The application does not exist (where it must, e.g. to start it). */
export class ApplicationNotFoundError extends EngineError {
  constructor(name: string, options?: { cause?: unknown }) {
    super(`Application ${name} does not exist`, options);
    this.name = 'ApplicationNotFoundError';
  }
}

/** The application (or a part of it) is between states; the state machine retries the task shortly. */
export class ApplicationBusyError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApplicationBusyError';
  }

  /** An application whose status does not allow the operation yet. */
  static inStatus(name: string, status: ApplicationStatus, options?: { cause?: unknown }): ApplicationBusyError {
    return new ApplicationBusyError(`Application ${name} is ${status}; try again when it is READY or RUNNING`, options);
  }
}

/** An engine is named but not built in this version of the service. */
export class EngineNotAvailableError extends EngineError {
  constructor(name: string) {
    super(`Engine ${name} is not available in this build`);
    this.name = 'EngineNotAvailableError';
  }
}

/** Whether `error` is an Error (an SDK exception, usually) of one of these names. */
export function isNamed(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}
