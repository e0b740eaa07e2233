import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Resource } from "@pulumi/pulumi";
// The SDK's own function, which every Output's promise goes through (internal: not in its types).
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import { isPromiseDebugStack, skipUnreadPromiseStacks } from "./promise-stacks";

const { debuggablePromise } = debuggable as unknown as { debuggablePromise: (promise: Promise<unknown>, ctx: string) => Promise<unknown> };
/** Error's formatter, unset unless something installed one (Node's types declare it always set). */
const errors = Error as { prepareStackTrace?: unknown };

/** The debug stack the SDK puts on a promise it is given (and tracks until it settles). */
function promiseStack(): string {
  const promise = Promise.resolve(1);
  void debuggablePromise(promise, "test");
  return (promise as unknown as { _debugStackTrace: string })._debugStackTrace;
}

/** The source positions the SDK sends the engine for a resource declared here (private static; skip: its own frame). */
const sourcePositions = (): { uri: string; line: number }[] =>
  (Resource as unknown as { stackTrace(skip: number): { uri: string; line: number }[] }).stackTrace(1); // POSITIONS
const errorStack = (): string => new Error("boom").stack!; // ERROR

/** V8's CallSites of the one stack `make` formats, as a formatter receives them. */
function framesOf(make: () => unknown): NodeJS.CallSite[] {
  let frames: NodeJS.CallSite[] = [];
  const installed = errors.prepareStackTrace;
  errors.prepareStackTrace = (_error: Error, callSites: NodeJS.CallSite[]) => ((frames = callSites), "");
  try {
    make();
  } finally {
    errors.prepareStackTrace = installed;
  }
  return frames;
}
/** A function of the SDK's name in another file. */
const lookalike = { debuggablePromise: () => new Error().stack };

const lineOf = (marker: string): number => readFileSync(__filename, "utf8").split("\n").findIndex((l) => l.trimEnd().endsWith(`// ${marker}`)) + 1;

describe("the SDK's per-promise stacks under a source-mapping formatter (ts-node's, as under the Pulumi host)", () => {
  let installed: unknown;
  beforeEach(() => (installed = errors.prepareStackTrace));
  afterEach(() => (errors.prepareStackTrace = installed));

  it("runs under a formatter that maps the SDK's stacks frame by frame (to the SDK's TypeScript sources)", () => {
    assert.equal(typeof installed, "function");
    assert.match(promiseStack(), /^Error\n\s+at debuggablePromise \(.*[\\/]runtime[\\/]debuggable\.ts:\d+:\d+\)\n\s+at promiseStack /);
  });

  it("formats the SDK's per-promise stack as its first line only", () => {
    skipUnreadPromiseStacks({});
    assert.equal(promiseStack(), "Error");
  });

  it("keeps every other stack as the installed formatter writes it: errors, mapped to this file's lines", () => {
    const before = errorStack().split("\n").slice(0, 2);
    skipUnreadPromiseStacks({});
    const after = errorStack().split("\n").slice(0, 2);
    assert.deepEqual(after, before);
    assert.match(after[1]!, new RegExp(`promise-stacks\\.test\\.ts:${lineOf("ERROR")}:`));
  });

  it("keeps the source positions the engine records for each resource", () => {
    const before = sourcePositions()[0];
    skipUnreadPromiseStacks({});
    const after = sourcePositions()[0];
    assert.deepEqual(after, before);
    assert.match(after!.uri, /promise-stacks\.test\.ts$/);
    assert.equal(after!.line, lineOf("POSITIONS"));
  });

  it("changes nothing when PULUMI_DEBUG_PROMISE_LEAKS asks the SDK to print them", () => {
    skipUnreadPromiseStacks({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    assert.equal(errors.prepareStackTrace, installed);
    assert.match(promiseStack(), /\n\s+at debuggablePromise /);
  });

  it("recognises the SDK's stack only: made in its debuggable.js, on top, a plain Error without a message", () => {
    const sdk = framesOf(() => debuggablePromise(Promise.resolve(1), "test"));
    assert.equal(isPromiseDebugStack(new Error(), sdk), true);
    assert.equal(isPromiseDebugStack(new Error("boom"), sdk), false);
    assert.equal(isPromiseDebugStack(new TypeError(), sdk), false);
    assert.equal(isPromiseDebugStack(new Error(), sdk.slice(1)), false);
    const elsewhere = framesOf(() => lookalike.debuggablePromise());
    assert.equal(elsewhere[0]!.getFunctionName(), "debuggablePromise");
    assert.equal(isPromiseDebugStack(new Error(), elsewhere), false);
    assert.equal(isPromiseDebugStack(new Error(), []), false);
  });

  it("leaves a runtime without a default formatter alone (Node 22 and later have one)", () => {
    errors.prepareStackTrace = undefined;
    skipUnreadPromiseStacks({});
    assert.equal(errors.prepareStackTrace, undefined);
  });
});
