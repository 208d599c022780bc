/**
 * The Lambda runtime of the twin, run in a worker thread: loads one handler of the packaged bundle once (the cold
 * start), then answers invocations posted by the parent (local/lambda/environment.ts) one at a time, as one
 * execution environment of AWS Lambda does. Plain CommonJS, so it runs the same under tsx, jest and node.
 *
 * What the handler writes still goes to the worker's stdout and stderr; it is also posted to the parent as log
 * lines the way Lambda's Node.js runtime sends them to CloudWatch Logs: console calls prefixed with time, request id
 * and level, other writes line by line.
 */
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const util = require('node:util');
const v8 = require('node:v8');

const { codeDir, handler, functionName, functionArn, functionVersion, memorySize, logGroupName } = workerData;

/** The invocation running now, and the offset of the twin's clock from this thread's. */
let current;
let clockOffsetMs = 0;
const now = () => Date.now() + clockOffsetMs;
const postLog = (text) => parentPort.postMessage({ log: text, requestId: current?.requestId });

let inConsole = false;
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    if (!inConsole) {
      for (const line of String(chunk).split(/(?<=\n)/))
        if (line.length > 0) postLog(line.endsWith('\n') ? line : `${line}\n`);
    }
    return write(chunk, ...rest);
  };
}
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
]) {
  const original = console[method].bind(console);
  console[method] = (...args) => {
    const id = current ? current.requestId : 'undefined';
    postLog(`${new Date(now()).toISOString()}\t${id}\t${level}\t${util.format(...args)}\n`);
    inConsole = true;
    try {
      original(...args);
    } finally {
      inConsole = false;
    }
  };
}

function splitHandler(spec) {
  const dot = spec.lastIndexOf('.');
  if (dot <= 0)
    throw Object.assign(new Error(`Bad handler '${spec}': expected <file>.<export>`), {
      name: 'Runtime.MalformedHandlerName',
    });
  return { file: spec.slice(0, dot), exportName: spec.slice(dot + 1) };
}

/**
 * require() with V8's code cache kept beside the file: bundles are megabytes, and every execution environment of
 * every function parses its own. Falls back to plain require() for anything but a CommonJS .js file.
 *
 * The cache is written twice in a bundle's life: after its top level ran (what a load compiles), and once more after
 * its first invocation that succeeded, when V8 has compiled the functions an invocation runs too (the SDK's request
 * path, the handler's own): later environments then start their first invocation with them compiled. The first byte
 * of the file says which of the two it is (0 after loading, 1 after an invocation).
 */
const CACHE_LOADED = 0;
const CACHE_INVOKED = 1;
/** The loaded bundle's script and cache file, while its cache still lacks an invocation's functions. */
let uncached;

function writeCodeCache(script, cacheFile, stage) {
  try {
    // written whole then renamed: environments starting at the same time never read half a cache
    const tmp = `${cacheFile}.${process.pid}.${require('node:worker_threads').threadId}`;
    const fs = require('node:fs');
    fs.writeFileSync(tmp, Buffer.concat([Buffer.of(stage), script.createCachedData()]));
    fs.renameSync(tmp, cacheFile);
  } catch {}
}

function requireWithCodeCache(file) {
  if (!file.endsWith('.js') && !file.endsWith('.cjs')) return require(file);
  const fs = require('node:fs');
  const vm = require('node:vm');
  const Module = require('node:module');
  const cacheFile = `${file}.v8cache`;
  let stage;
  let cachedData;
  try {
    const bytes = fs.readFileSync(cacheFile);
    if (bytes.length > 1 && (bytes[0] === CACHE_LOADED || bytes[0] === CACHE_INVOKED)) {
      stage = bytes[0];
      cachedData = bytes.subarray(1);
    }
  } catch {}
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  const rejected = !cachedData || script.cachedDataRejected;
  if (rejected) writeCodeCache(script, cacheFile, CACHE_LOADED);
  if (rejected || stage === CACHE_LOADED) uncached = { script, cacheFile };
  return mod.exports;
}

/** After the first invocation that succeeded: the cache again, with what the invocation compiled (once a bundle). */
function cacheInvocation() {
  if (!uncached) return;
  const { script, cacheFile } = uncached;
  uncached = undefined;
  writeCodeCache(script, cacheFile, CACHE_INVOKED);
}

let loaded;
/** ms from the start of this environment until its handler was loaded: the cold start's Init Duration. */
let initMs;
function load() {
  if (loaded) return loaded;
  const { file, exportName } = splitHandler(handler);
  const base = path.resolve(codeDir, file);
  let mod;
  try {
    mod = requireWithCodeCache(require.resolve(base, { paths: [codeDir] }));
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(base)) {
      throw Object.assign(new Error(`Error: Cannot find module '${file}'`), { name: 'Runtime.ImportModuleError' });
    }
    throw error;
  }
  const fn = mod[exportName] ?? mod.default?.[exportName];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${file}.${exportName} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  loaded = fn;
  initMs = performance.now();
  return fn;
}

function toErrorPayload(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: String(error.stack || '')
        .split('\n')
        .slice(0, 20),
    };
  }
  return { errorType: 'Error', errorMessage: typeof error === 'string' ? error : JSON.stringify(error), trace: [] };
}

function invoke(fn, event, ctx) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (error, value) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(value);
    };
    const context = {
      functionName,
      functionVersion,
      invokedFunctionArn: functionArn,
      memoryLimitInMB: String(memorySize),
      awsRequestId: ctx.requestId,
      logGroupName,
      logStreamName: ctx.logStreamName,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, ctx.deadline - Date.now()),
      done: callback,
      succeed: (value) => callback(null, value),
      fail: (error) => callback(error ?? new Error('failed')),
    };
    try {
      const result = fn.length >= 3 ? fn(event, context, callback) : fn(event, context);
      if (result && typeof result.then === 'function') result.then((v) => callback(null, v), callback);
      else if (fn.length < 3) callback(null, result);
    } catch (error) {
      callback(error);
    }
  });
}

const memoryMb = () => Math.ceil(v8.getHeapStatistics().total_heap_size / 1048576);

parentPort.on('message', async (message) => {
  const { id, payload, requestId, timeoutMs, logStreamName } = message;
  if (typeof message.clockNow === 'number') clockOffsetMs = message.clockNow - Date.now();
  if (message.init) {
    // initialise ahead of the first invocation (the twin's provisioned concurrency); a failure shows on invoke
    try {
      load();
    } catch {}
    parentPort.postMessage({ id, ok: true, payload: 'null', memoryMb: memoryMb(), initMs });
    return;
  }
  current = { requestId };
  const deadline = Date.now() + timeoutMs;
  try {
    const fn = load();
    const event = payload.length === 0 ? {} : JSON.parse(payload);
    const value = await invoke(fn, event, { requestId, deadline, logStreamName });
    current = undefined;
    parentPort.postMessage({
      id,
      ok: true,
      payload: value === undefined ? 'null' : JSON.stringify(value),
      memoryMb: memoryMb(),
      initMs,
    });
    // after the answer is posted: the caller does not wait for it (and once the cache is written, nothing is queued)
    if (uncached) setImmediate(cacheInvocation);
  } catch (error) {
    current = undefined;
    parentPort.postMessage({
      id,
      ok: false,
      payload: JSON.stringify(toErrorPayload(error)),
      memoryMb: memoryMb(),
      initMs,
    });
  }
});
