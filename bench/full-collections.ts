/**
 * V8's full (mark-compact) collections in this process, counted from Node's
 * `gc` performance entries: kind NODE_PERFORMANCE_GC_MAJOR is V8's
 * kGCTypeMarkSweepCompact (nodejs/node doc/api/perf_hooks.md, "Garbage
 * Collection ('gc') Details"). Imported first by bench/plan-once.ts, so the
 * count starts before the SDK loads: a plan's CPU time is the whole
 * process's.
 */
import { constants, type NodeGCPerformanceDetail, type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";

let count = 0;
const countFull = (entries: readonly PerformanceEntry[]): void => {
  count += entries.filter((e) => (e as PerformanceEntry & { detail: NodeGCPerformanceDetail }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR).length;
};
const observer = new PerformanceObserver((list) => countFull(list.getEntries()));
observer.observe({ entryTypes: ["gc"] });

/**
 * Stops counting and returns the count. Node hands each entry over in an
 * unref'd native immediate (nodejs/node src/node_perf.cc,
 * MarkGarbageCollectionEnd), which runs only when the event loop turns: a
 * plan under the mocks can run from start to end in promise callbacks (the
 * floor does), so this waits for one turn, after which the native
 * immediates queued before it have run (src/env.cc, CheckImmediate:
 * RunAndClearNativeImmediates before the JavaScript queue).
 */
export async function fullCollections(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  countFull(observer.takeRecords());
  observer.disconnect();
  return count;
}
