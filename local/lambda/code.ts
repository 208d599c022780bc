/**
 * Function code for the Lambda twin: the packaged artifact (a zip that `osls package` wrote to .serverless/) is
 * unpacked in-process once per content hash, under the project so that modules the bundle leaves external
 * (the AWS SDK, which the Lambda runtime provides) resolve from the project's node_modules as they would in Lambda.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';

/** Raised when an artifact cannot be found or unpacked. */
export class ArtifactError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArtifactError';
  }
}

/**
 * Unpacks `zipPath` into `<cacheRoot>/<sha256 of the zip>/` (once; later calls reuse the directory) and returns
 * that directory.
 */
export function unpackArtifact(zipPath: string, cacheRoot: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(zipPath);
  } catch (error) {
    throw new ArtifactError(`Cannot read the function artifact ${zipPath}`, { cause: error });
  }
  return unpackZip(bytes, cacheRoot, zipPath);
}

/** SHA-256 of code bytes, computed once for the same bytes (a deploy wants it for a fingerprint and to unpack). */
const digests = new WeakMap<Uint8Array, Buffer>();
function sha256Of(bytes: Uint8Array): Buffer {
  let digest = digests.get(bytes);
  if (!digest) {
    digest = createHash('sha256').update(bytes).digest();
    digests.set(bytes, digest);
  }
  return digest;
}

/** What Lambda reports of a function's code: its CodeSha256 (base64) and CodeSize. */
export function codeDigest(bytes: Uint8Array): { sha256: string; size: number } {
  return { sha256: sha256Of(bytes).toString('base64'), size: bytes.length };
}

/** Unpacks zip bytes into `<cacheRoot>/<sha256 of the zip>/` (once) and returns that directory. */
export function unpackZip(bytes: Uint8Array, cacheRoot: string, zipPath = 'the function code'): string {
  const hash = sha256Of(bytes).toString('hex').slice(0, 16);
  const target = resolve(cacheRoot, hash);
  if (existsSync(join(target, '.complete'))) {
    // marks it used, so pruning of older packages keeps it
    const now = new Date();
    utimesSync(target, now, now);
    return target;
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    throw new ArtifactError(`Cannot unzip the function artifact ${zipPath}`, { cause: error });
  }
  // unpack beside the target and rename, so a concurrent or interrupted unpack never leaves half a directory
  const staging = `${target}.${process.pid}.${Date.now()}`;
  try {
    for (const [name, data] of Object.entries(files)) {
      if (name.endsWith('/')) continue;
      const path = resolve(staging, name);
      if (!path.startsWith(staging + sep)) throw new ArtifactError(`Unsafe path '${name}' in ${zipPath}`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
  } catch (error) {
    // a refused or failed unpack leaves nothing behind
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, '.complete'), zipPath);
  try {
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(target, '.complete'))) throw new ArtifactError(`Cannot unpack ${zipPath}`, { cause: error });
  }
  return target;
}
