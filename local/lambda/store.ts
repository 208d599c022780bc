/**
 * The state of the Lambda twin: functions (their `$LATEST`, published versions and aliases) and event source
 * mappings, with the lookups that turn a name, a qualified name or an ARN into a function version with Lambda's
 * errors. Every change goes through `changed()`, the one seam a durable journal (issue 11 §3) will hook into.
 */
import { validate as isArn, parse as parseArn } from '@aws-sdk/util-arn-parser';
import type { Clock } from '../clock';
import type { CredentialIssuer } from '../iam';
import { errors } from './errors';
import type { LambdaFunction } from './function';
import type { LogSink } from './logs';
import type { EventSourceMapping } from './mapping/event-source-mapping';

/** One version of a function: what it runs and how it describes itself. */
export interface FunctionVersion {
  runtime: LambdaFunction;
  /** The function's own variables (Environment.Variables), without those the runtime adds. */
  variables: Record<string, string>;
  description: string;
  code: { sha256: string; size: number };
  /** ms epoch. */
  lastModified: number;
  revisionId: string;
  state: 'Pending' | 'Active';
  lastUpdateStatus: 'Successful' | 'InProgress';
}

export interface Alias {
  name: string;
  functionVersion: string;
  description: string;
  revisionId: string;
  /** Extra versions and the share of invocations each gets (RoutingConfig.AdditionalVersionWeights). */
  weights: Record<string, number>;
}

export interface FunctionRecord {
  name: string;
  /** Unqualified. */
  arn: string;
  latest: FunctionVersion;
  /** Published versions, by number. */
  versions: Map<string, FunctionVersion>;
  aliases: Map<string, Alias>;
  nextVersion: number;
  tags: Record<string, string>;
  /** PutFunctionConcurrency: environments at most, for every version. */
  reservedConcurrency?: number;
}

/** A change of the store, as a journal would write it. */
export type StoreChange =
  | { type: 'function-put'; name: string }
  | { type: 'function-deleted'; name: string }
  | { type: 'mapping-put'; uuid: string }
  | { type: 'mapping-deleted'; uuid: string }
  | { type: 'checkpoint'; uuid: string; shardId: string; sequenceNumber: string };

export interface Journal {
  append(change: StoreChange): void;
}

export interface StoreOptions {
  clock: Clock;
  region: string;
  accountId: string;
  sink: LogSink;
  journal?: Journal;
  /** Issues a function's environment the credentials of its role (IAM); without it, functions get test keys. */
  credentials?: CredentialIssuer;
}

export class LambdaStore {
  readonly functions = new Map<string, FunctionRecord>();
  readonly mappings = new Map<string, EventSourceMapping>();
  /** The twin's endpoint: functions call AWS through it (AWS_ENDPOINT_URL). Set once the server listens. */
  endpoint = 'http://127.0.0.1:4566';
  /** Where zips are unpacked (one directory per content hash). */
  codeCacheDir: string;
  /** Fetches `Code.S3Bucket/S3Key` (an S3 twin plugs in here); without it such code is refused. */
  fetchS3Object: ((bucket: string, key: string, version?: string) => Promise<Uint8Array>) | undefined;
  /** Receives what functions write to stdout/stderr, raw (replaceable, e.g. by the CLI). */
  onStdout: (functionName: string, chunk: string) => void = () => {};

  constructor(
    readonly opts: StoreOptions,
    codeCacheDir: string,
  ) {
    this.codeCacheDir = codeCacheDir;
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  functionArn(name: string): string {
    return `arn:aws:lambda:${this.opts.region}:${this.opts.accountId}:function:${name}`;
  }

  changed(change: StoreChange): void {
    this.opts.journal?.append(change);
  }

  /** The function a name, `name:qualifier`, partial ARN or ARN names, and the qualifier when there is one. */
  find(nameOrArn: string, qualifier?: string): { record: FunctionRecord; qualifier: string | undefined } {
    const ref = parseFunctionRef(nameOrArn);
    const record = this.functions.get(ref.name);
    if (!record) throw errors.noFunction(nameOrArn.startsWith('arn:') ? nameOrArn : this.functionArn(nameOrArn));
    if (qualifier !== undefined && ref.qualifier !== undefined && qualifier !== ref.qualifier)
      throw errors.invalid(`The derived qualifier from the function name does not match the specified qualifier.`);
    return { record, qualifier: qualifier ?? ref.qualifier };
  }

  /** The version a qualifier designates: `$LATEST`, a version number, or an alias (its main version). */
  version(record: FunctionRecord, qualifier: string | undefined): { version: FunctionVersion; name: string } {
    if (qualifier === undefined || qualifier === '$LATEST') return { version: record.latest, name: '$LATEST' };
    const published = record.versions.get(qualifier);
    if (published) return { version: published, name: qualifier };
    const alias = record.aliases.get(qualifier);
    const target = alias && record.versions.get(alias.functionVersion);
    if (alias && alias.functionVersion === '$LATEST') return { version: record.latest, name: '$LATEST' };
    if (target) return { version: target, name: alias.functionVersion };
    throw errors.noFunction(`${record.arn}:${qualifier}`);
  }
}

/** The name and qualifier in a function name, `name:qualifier`, partial ARN (`acct:function:name`) or ARN. */
export function parseFunctionRef(nameOrArn: string): { name: string; qualifier?: string } {
  let resource = nameOrArn;
  if (isArn(nameOrArn)) {
    const arn = parseArn(nameOrArn);
    if (arn.service !== 'lambda') throw errors.invalid(`${nameOrArn} is not a Lambda function ARN`);
    resource = arn.resource;
  } else if (/^\d{12}:function:/.test(nameOrArn)) resource = nameOrArn.slice(nameOrArn.indexOf(':') + 1);
  const parts = resource.split(':');
  if (parts[0] === 'function') parts.shift();
  const [name, qualifier] = parts;
  if (!name) throw errors.invalid(`Invalid function name ${nameOrArn}`);
  return qualifier === undefined ? { name } : { name, qualifier };
}
