/**
 * Function code for the Lambda twin: the packaged artifact (a zip that `osls package` wrote to .serverless/) is
 * unpacked in-process once per content hash, under the project so that modules the bundle leaves external
 * (the AWS SDK, which the Lambda runtime provides) resolve from the project's node_modules as they would in Lambda.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { inflateRaw as inflateRawCallback } from 'node:zlib';
import { unzipSync } from 'fflate';
import * as yauzl from 'yauzl';

const inflateRaw = promisify(inflateRawCallback);

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

/** Where zip bytes unpack: `<cacheRoot>/<first 16 hex of their SHA-256>`. */
function targetOf(bytes: Uint8Array, cacheRoot: string): string {
  return resolve(cacheRoot, sha256Of(bytes).toString('hex').slice(0, 16));
}

/** The target when an earlier unpack finished it (marked used, so pruning of older packages keeps it). */
function unpacked(target: string): string | undefined {
  if (!existsSync(join(target, '.complete'))) return undefined;
  const now = new Date();
  utimesSync(target, now, now);
  return target;
}

/** A staging directory beside the target: a concurrent or interrupted unpack never leaves half a directory. */
function stagingOf(target: string): string {
  return `${target}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
}

/** Where an entry of the zip goes in the staging directory; refuses one that would land outside it. */
function entryPath(staging: string, name: string, zipPath: string): string {
  const path = resolve(staging, name);
  if (!path.startsWith(staging + sep)) throw new ArtifactError(`Unsafe path '${name}' in ${zipPath}`);
  return path;
}

/** Marks the staging directory complete and moves it into place (another unpack may have got there first). */
function place(staging: string, target: string, zipPath: string): string {
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

/** Unpacks zip bytes into `<cacheRoot>/<sha256 of the zip>/` (once) and returns that directory. */
export function unpackZip(bytes: Uint8Array, cacheRoot: string, zipPath = 'the function code'): string {
  const target = targetOf(bytes, cacheRoot);
  const done = unpacked(target);
  if (done) return done;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    throw new ArtifactError(`Cannot unzip the function artifact ${zipPath}`, { cause: error });
  }
  const staging = stagingOf(target);
  try {
    for (const [name, data] of Object.entries(files)) {
      if (name.endsWith('/')) continue;
      const path = entryPath(staging, name, zipPath);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
  } catch (error) {
    // a refused or failed unpack leaves nothing behind
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return place(staging, target, zipPath);
}

/** The unpacks under way, by target: a function's code asked for while it is being unpacked waits for that one. */
const unpacking = new Map<string, Promise<string>>();

/**
 * unpackZip off the main thread, for a deploy, CreateFunction and UpdateFunctionCode (a restore at start-up keeps
 * unpackZip): the entries are inflated by zlib on libuv's thread pool (both cores, natively: fflate inflates in
 * JavaScript, on the one thread) and written asynchronously. A deploy's twelve functions, 85 MB unpacked: 0.7 s of
 * inflating and 0.1-0.2 s of writing on the main thread before, the deploy 0.3 s shorter (docs/performance.md).
 */
export function unpackZipAsync(bytes: Uint8Array, cacheRoot: string, zipPath = 'the function code'): Promise<string> {
  const target = targetOf(bytes, cacheRoot);
  const done = unpacked(target);
  if (done) return Promise.resolve(done);
  let job = unpacking.get(target);
  if (!job) {
    job = unpackInto(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), target, zipPath).finally(() =>
      unpacking.delete(target),
    );
    unpacking.set(target, job);
  }
  return job;
}

async function unpackInto(bytes: Buffer, target: string, zipPath: string): Promise<string> {
  const staging = stagingOf(target);
  try {
    const entries = await zipEntries(bytes, zipPath);
    await Promise.all(
      entries.map(async ({ name, data }) => {
        const path = entryPath(staging, name, zipPath);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, await data());
      }),
    );
  } catch (error) {
    // a refused or failed unpack leaves nothing behind
    rmSync(staging, { recursive: true, force: true });
    throw error instanceof ArtifactError
      ? error
      : new ArtifactError(`Cannot unzip the function artifact ${zipPath}`, { cause: error });
  }
  return place(staging, target, zipPath);
}

/** The files of a zip (yauzl reads its directory and checks names and sizes), each inflated when asked for. */
function zipEntries(bytes: Buffer, zipPath: string): Promise<{ name: string; data: () => Promise<Buffer> }[]> {
  return new Promise((resolveEntries, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const entries: { name: string; data: () => Promise<Buffer> }[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolveEntries(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('/')) {
          const raw = rawOf(zip, entry);
          entries.push({ name: entry.fileName, data: () => raw.then((r) => inflated(entry, r, zipPath)) });
        }
        zip.readEntry();
      });
      zip.readEntry();
    });
  });
}

/** An entry's bytes as stored (yauzl's own inflate streams 16 KB at a time; one zlib call is quicker). */
function rawOf(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolveRaw, reject) => {
    zip.openReadStream(entry, { decompress: false }, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => resolveRaw(Buffer.concat(chunks)));
    });
  });
}

async function inflated(entry: yauzl.Entry, raw: Buffer, zipPath: string): Promise<Buffer> {
  const data =
    entry.compressionMethod === 0
      ? raw
      : entry.compressionMethod === 8
        ? await inflateRaw(raw, {
            chunkSize: Math.max(64 * 1024, Math.min(entry.uncompressedSize, 64 * 1024 * 1024)),
            // an entry that inflates past what the zip says it holds is refused, not inflated on
            maxOutputLength: Math.max(1, entry.uncompressedSize),
          })
        : undefined;
  if (!data) throw new ArtifactError(`${entry.fileName} in ${zipPath}: compression method ${entry.compressionMethod}`);
  if (data.length !== entry.uncompressedSize)
    throw new ArtifactError(
      `${entry.fileName} in ${zipPath}: ${data.length} bytes, the zip says ${entry.uncompressedSize}`,
    );
  return data;
}
