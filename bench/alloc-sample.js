// Preloaded by bench/plan.ts when BENCH_ALLOC_PROF=<dir> is set: samples
// every allocation of the plan by the stack that made it, including objects
// the collector has since freed, and writes the profile when the process
// exits (`<side>-<time>.heapprofile`, which bench/profile-summary.ts reads).
// What a plan allocates, unlike its CPU time, barely moves with the
// machine's load, and the collector's time follows it.
//
// V8's sampling heap profiler through Node's inspector: HeapProfiler.startSampling
// with includeObjectsCollectedByMajorGC / includeObjectsCollectedByMinorGC
// (chromedevtools.github.io/devtools-protocol/v8/HeapProfiler/#method-startSampling);
// `node --heap-prof` keeps only objects still alive at exit. Plain JavaScript:
// it loads before the TypeScript hook.
"use strict";
const inspector = require("node:inspector");
const { writeFileSync } = require("node:fs");
const path = require("node:path");

const session = new inspector.Session();
session.connect();
// One sample per 16 kB allocated on average (V8's default is 32 kB).
session.post("HeapProfiler.startSampling", { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
process.on("exit", () => {
  // Session.post dispatches to this thread's inspector, which answers within
  // the call (nodejs/node lib/inspector.js, Session.post: #connection.dispatch),
  // so the profile is written before the process ends.
  session.post("HeapProfiler.stopSampling", (err, result) => {
    if (err) throw err;
    writeFileSync(path.join(process.env.BENCH_ALLOC_PROF, process.env.BENCH_ALLOC_NAME), JSON.stringify(result.profile));
  });
});
