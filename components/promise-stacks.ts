/**
 * The Pulumi SDK keeps a formatted stack on every promise behind a
 * resource's outputs and its resource operations (@pulumi/pulumi
 * runtime/debuggable.ts, debuggablePromise: `_debugStackTrace: new
 * Error().stack`; callers in runtime/resource.ts and rpc.ts), and prints it
 * only in its leak report, only when PULUMI_DEBUG_PROMISE_LEAKS is set
 * (debuggable.ts, `debugPromiseLeaks`, leakedPromises). Under the Pulumi
 * Node host every one is mapped through source maps, frame by frame: the
 * host registers source-map-support (sdk/nodejs/cmd/run/index.ts) and
 * ts-node replaces its formatter with its own (@cspotcode/source-map-support,
 * ts-node dist/index.js installSourceMapSupport). For prod that is about
 * 90,000 stacks and more than half of the program's time under the host
 * (README "The real engine's program", `npm run bench`).
 */

/**
 * True for the SDK's own debug stack: `new Error()` with no message, made
 * in its runtime/debuggable.js, where debuggablePromise makes the file's
 * only Error. The frame is checked first, so an object given to
 * `Error.captureStackTrace` elsewhere has nothing of its own read.
 */
export function isPromiseDebugStack(error: Error, frames: readonly NodeJS.CallSite[]): boolean {
  const top = frames[0];
  return (
    top !== undefined &&
    /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/.test(top.getFileName() ?? "") &&
    error.name === "Error" &&
    error.message === ""
  );
}

/**
 * Unless PULUMI_DEBUG_PROMISE_LEAKS is set, the SDK's per-promise debug
 * stacks are formatted as the error's own line, without frames; every other
 * stack (errors, the source positions and stack traces the engine records
 * for each resource: @pulumi/pulumi resource.ts, Resource.callsites) goes
 * to the formatter already installed, as before: the host's, or Node's own
 * default (Node 22 and later set one).
 */
export function skipUnreadPromiseStacks(env: NodeJS.ProcessEnv = process.env): void {
  // Typed as possibly unset: a runtime without a default formatter is left alone.
  const errors = Error as { prepareStackTrace?: (error: Error, frames: NodeJS.CallSite[]) => unknown };
  const format = errors.prepareStackTrace;
  // The SDK's own test: `!!process.env.PULUMI_DEBUG_PROMISE_LEAKS`.
  if (env.PULUMI_DEBUG_PROMISE_LEAKS || format === undefined) return;
  errors.prepareStackTrace = (error, frames) => (isPromiseDebugStack(error, frames) ? Error.prototype.toString.call(error) : format(error, frames));
}
