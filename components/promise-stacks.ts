/**
 * The Pulumi SDK keeps a formatted stack on every promise behind an Output
 * (@pulumi/pulumi runtime/debuggable.ts, debuggablePromise:
 * `_debugStackTrace: new Error().stack`), and prints it only in its leak
 * report, only when PULUMI_DEBUG_PROMISE_LEAKS is set (debuggable.ts,
 * `debugPromiseLeaks`, leakedPromises). Under the Pulumi Node host every one
 * is mapped through source maps, frame by frame: the host registers
 * source-map-support (sdk/nodejs/cmd/run/index.ts) and ts-node its own
 * (ts-node dist/index.js, installSourceMapSupport). For prod that is about
 * 90,000 stacks and about two thirds of the program's time under the host
 * (README "The real engine's program", `npm run bench`).
 */

/** True for the SDK's own debug stack: `new Error()` with no message, made in debuggablePromise. */
function isPromiseDebugStack(error: Error, frames: readonly NodeJS.CallSite[]): boolean {
  const top = frames[0];
  return (
    top !== undefined &&
    error.name === "Error" &&
    error.message === "" &&
    top.getFunctionName() === "debuggablePromise" &&
    /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/.test(top.getFileName() ?? "")
  );
}

/**
 * Unless PULUMI_DEBUG_PROMISE_LEAKS is set, the SDK's per-promise debug
 * stacks are formatted as the error's own line, without frames; every other
 * stack (errors, the source positions and stack traces the engine records
 * for each resource: @pulumi/pulumi resource.ts, Resource.callsites) goes
 * to the formatter already installed, as before. Without an installed
 * formatter V8 formats stacks natively, which costs little: nothing changes.
 */
export function skipUnreadPromiseStacks(env: NodeJS.ProcessEnv = process.env): void {
  // Unset unless something installed one (Node's types declare it always set).
  const errors = Error as { prepareStackTrace?: (error: Error, frames: NodeJS.CallSite[]) => unknown };
  const format = errors.prepareStackTrace;
  // The SDK's own test: `!!process.env.PULUMI_DEBUG_PROMISE_LEAKS`.
  if (env.PULUMI_DEBUG_PROMISE_LEAKS || format === undefined) return;
  errors.prepareStackTrace = (error, frames) => (isPromiseDebugStack(error, frames) ? Error.prototype.toString.call(error) : format(error, frames));
}
