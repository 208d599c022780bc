/**
 * Node 20 support, in one place (the decision: README "Node versions", docs/architecture.md "Decisions"). Importing
 * this module installs what Node 20 lacks and quiets one warning; it changes nothing on Node 22+.
 *
 * - `Promise.withResolvers`: aws-local-stepfunctions 3 targets Node 22 and calls it.
 * - The AWS SDK's NodeVersionSupportWarning ("versions published after the first week of January 2027 will require
 *   node >=22"), printed once per loaded copy of the SDK: once per test file, once per CLI run, once per `osls` child.
 *   It speaks of SDK releases we have not installed (the lock pins the SDK), and the day we take one, npm's engine
 *   check says the same at install time; so the processes we start set the SDK's own switch, unless it is set
 *   already (`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false` brings the warning back).
 */
type Resolvers<T> = {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};

const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

if (Number(process.versions.node.split('.')[0]) < 22)
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export {};
