/**
 * The lambda engine's hold on the fan-out function: an application runs on a published version of it, pinned by
 * the event source mapping, whose environment carries the two things the deployment cannot know (the application's
 * name and the schema discovery found). Everything else (the SQL, the outputs, the settings) comes with the
 * deployment: the bundle and the environment the template gives `$LATEST`, copied into the version when it is
 * published. A deploy changes `$LATEST` only, so it never touches a running fan-out; `create` publishes a new version
 * from the new deployment and moves the mapping onto it (its checkpoints stay). See docs/architecture.md.
 */
import {
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  PublishVersionCommand,
  paginateListVersionsByFunction,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { parseFunctionArn, qualifiedFunctionArn } from '../arn';
import {
  APPLICATION_NAME_VARIABLE,
  ENVIRONMENT_LIMIT_BYTES,
  encodeSchema,
  environmentSize,
  SCHEMA_VARIABLE,
} from '../fanout/environment';
import type { SourceSchema } from '../streaming-sql';
import { ApplicationBusyError, ApplicationStateError, InvalidInputError, isNamed } from './errors';

/** The description of every version the engine publishes: how `list` and `delete` know theirs. */
export function versionDescription(name: string): string {
  return `kinesis-fanout application ${name}`;
}

const DESCRIPTION = /^kinesis-fanout application (\S+)$/;

/** The application a published version belongs to, from its description. */
export function applicationOfVersion(version: FunctionConfiguration): string | undefined {
  return DESCRIPTION.exec(version.Description ?? '')?.[1];
}

export interface FunctionHoldOptions {
  readonly lambda: LambdaClient;
  readonly functionName: string;
  readonly waitAttempts: number;
  readonly waitDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** What a version must carry to be the application's: the deployment of `$LATEST`, plus its name and schema. */
function wantedVariables(latest: FunctionConfiguration, name: string, schema: SourceSchema): Record<string, string> {
  return {
    ...(latest.Environment?.Variables ?? {}),
    [APPLICATION_NAME_VARIABLE]: name,
    [SCHEMA_VARIABLE]: encodeSchema(schema),
  };
}

function sameVariables(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const left = Object.entries(a ?? {}).sort(([x], [y]) => x.localeCompare(y));
  const right = Object.entries(b).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(left) === JSON.stringify(right);
}

/** Whether `version` runs the deployment `$LATEST` holds now (code and configuration), with these variables. */
function runsDeployment(
  version: FunctionConfiguration,
  latest: FunctionConfiguration,
  variables: Record<string, string>,
) {
  return (
    version.CodeSha256 === latest.CodeSha256 &&
    version.Handler === latest.Handler &&
    version.Runtime === latest.Runtime &&
    version.MemorySize === latest.MemorySize &&
    version.Timeout === latest.Timeout &&
    version.Role === latest.Role &&
    sameVariables(version.Environment?.Variables, variables)
  );
}

/** Publishes, finds and removes the versions of the fan-out function that applications run on. */
export class FunctionHold {
  readonly #o: FunctionHoldOptions;

  constructor(options: FunctionHoldOptions) {
    this.#o = options;
  }

  /** `$LATEST`, or a version (`qualifier`); undefined when that version does not exist. */
  async configuration(qualifier?: string): Promise<FunctionConfiguration | undefined> {
    try {
      return await this.#o.lambda.send(
        new GetFunctionConfigurationCommand({
          FunctionName: this.#o.functionName,
          ...(qualifier === undefined ? {} : { Qualifier: qualifier }),
        }),
      );
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException') && qualifier !== undefined) return undefined;
      if (isNamed(error, 'ResourceNotFoundException')) {
        throw new ApplicationStateError(
          `The fan-out function ${this.#o.functionName} does not exist: deploy the service first`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** The configuration of the version a mapping targets (its FunctionArn), when it is a version of this function. */
  async targetOf(functionArn: string | undefined): Promise<FunctionConfiguration | undefined> {
    const parts = parseFunctionArn(functionArn);
    if (!parts || parts.functionName !== this.#o.functionName || parts.qualifier === undefined) return undefined;
    return this.configuration(parts.qualifier);
  }

  /**
   * The version `name` should run: `current` when it already runs today's deployment with this schema, else a new one
   * published from `$LATEST`. Returns its qualified ARN, and whether it is new.
   */
  async pin(
    name: string,
    schema: SourceSchema,
    current: FunctionConfiguration | undefined,
  ): Promise<{ arn: string; published: boolean }> {
    const latest = (await this.configuration())!;
    const variables = wantedVariables(latest, name, schema);
    if (current?.Version && runsDeployment(current, latest, variables)) {
      return { arn: qualifiedFunctionArn(latest.FunctionArn!, current.Version), published: false };
    }
    const version = await this.#publish(name, latest, variables);
    return { arn: qualifiedFunctionArn(latest.FunctionArn!, version.Version!), published: true };
  }

  async #publish(
    name: string,
    latest: FunctionConfiguration,
    variables: Record<string, string>,
  ): Promise<FunctionConfiguration> {
    const fn = this.#o.functionName;
    if (latest.LastUpdateStatus === 'InProgress') {
      throw new ApplicationBusyError(`Function ${fn} is being updated (a deploy?); try again shortly`);
    }
    let revision = latest.RevisionId;
    if (!sameVariables(latest.Environment?.Variables, variables)) {
      const size = environmentSize(variables);
      if (size > ENVIRONMENT_LIMIT_BYTES) {
        throw new InvalidInputError(
          `The schema makes the environment of ${fn} ${size} bytes (with the deployment's variables); Lambda allows ` +
            `${ENVIRONMENT_LIMIT_BYTES}. Fewer or shorter columns, or fewer variables on the function`,
        );
      }
      const updated = await this.#busyOnConflict(() =>
        this.#o.lambda.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: fn,
            Environment: { Variables: variables },
            ...(revision === undefined ? {} : { RevisionId: revision }),
          }),
        ),
      );
      revision = (await this.#settled(updated)).RevisionId;
    }
    const version = await this.#busyOnConflict(() =>
      this.#o.lambda.send(
        new PublishVersionCommand({
          FunctionName: fn,
          Description: versionDescription(name),
          ...(latest.CodeSha256 === undefined ? {} : { CodeSha256: latest.CodeSha256 }),
          ...(revision === undefined ? {} : { RevisionId: revision }),
        }),
      ),
    );
    // A deploy between the update and the publication would have changed what the version holds.
    if (!sameVariables(version.Environment?.Variables, variables)) {
      throw new ApplicationBusyError(
        `Function ${fn} changed while version ${version.Version} was published; try again`,
      );
    }
    return version;
  }

  /** Waits until an update of `$LATEST` is done. */
  async #settled(updated: FunctionConfiguration): Promise<FunctionConfiguration> {
    let current = updated;
    for (let check = 1; current.LastUpdateStatus === 'InProgress'; check++) {
      if (check >= this.#o.waitAttempts)
        throw new ApplicationBusyError(`Function ${this.#o.functionName} is still updating`);
      await this.#o.sleep(this.#o.waitDelayMs);
      current = (await this.configuration())!;
    }
    if (current.LastUpdateStatus === 'Failed') {
      throw new ApplicationStateError(
        `Lambda could not update ${this.#o.functionName}: ${current.LastUpdateStatusReason ?? 'no reason given'}`,
      );
    }
    return current;
  }

  async #busyOnConflict<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // another update (a deploy) got there first, or is still running: the state machine retries busy errors
      if (isNamed(error, 'ResourceConflictException', 'PreconditionFailedException')) {
        throw new ApplicationBusyError(`Function ${this.#o.functionName} is being changed; try again shortly`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** The versions published for applications of this function, by application name. */
  async versions(): Promise<Map<string, FunctionConfiguration[]>> {
    const byName = new Map<string, FunctionConfiguration[]>();
    const pages = paginateListVersionsByFunction({ client: this.#o.lambda }, { FunctionName: this.#o.functionName });
    for await (const page of pages) {
      for (const version of page.Versions ?? []) {
        const name = applicationOfVersion(version);
        if (name === undefined || version.Version === '$LATEST') continue;
        byName.set(name, [...(byName.get(name) ?? []), version]);
      }
    }
    return byName;
  }

  /**
   * Deletes the versions of application `name` but those in `keep` (qualifiers). A version Lambda will not delete yet
   * (still in use) is left for the next clean-up.
   */
  async removeVersions(name: string, keep: readonly string[] = []): Promise<number> {
    let removed = 0;
    for (const version of (await this.versions()).get(name) ?? []) {
      if (!version.Version || keep.includes(version.Version)) continue;
      try {
        await this.#o.lambda.send(
          new DeleteFunctionCommand({ FunctionName: this.#o.functionName, Qualifier: version.Version }),
        );
        removed++;
      } catch (error) {
        if (!isNamed(error, 'ResourceNotFoundException', 'ResourceConflictException')) throw error;
      }
    }
    return removed;
  }
}
