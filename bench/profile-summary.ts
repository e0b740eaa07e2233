/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`, e.g. from BENCH_CPU_PROF
 * in bench/plan.ts): where the time went by package or project file (self
 * time), the heaviest functions (self), and the project's own functions
 * with everything they call (inclusive). Usage:
 *   node --require ./scripts/register-ts.js bench/profile-summary.ts <file.cpuprofile> [top]
 * The format (nodes with callFrame, children and hitCount; samples with
 * timeDeltas) is V8's Profiler.Profile: chromedevtools.github.io/devtools-protocol/v8/Profiler/#type-Profile
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const REPO_ROOT = path.resolve(__dirname, "..");

/** Where a frame's code lives: a package (`@pulumi/pulumi`), a project file, node's own code, or V8's pseudo-frames. */
export function placeOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node:internal";
  const file = url.replace(/^file:\/\//, "");
  const modules = file.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const [scope, name] = file.slice(modules + "/node_modules/".length).split("/");
    return scope!.startsWith("@") ? `${scope}/${name}` : scope!;
  }
  return path.relative(REPO_ROOT, file);
}

const frameKey = ({ functionName, url, lineNumber }: CallFrame): string =>
  `${functionName || "(anonymous)"} ${placeOf(url, functionName)}:${lineNumber + 1}`;

export function summarize(profile: Profile): { totalMs: number; byPlace: Map<string, number>; bySelf: Map<string, number>; byInclusive: Map<string, number> } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  const [byPlace, bySelf, byInclusive] = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const frame = nodes.get(id)!.callFrame;
    add(byPlace, placeOf(frame.url, frame.functionName), ms);
    add(bySelf, frameKey(frame), ms);
    // Inclusive: each project frame on the stack once (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = nodes.get(at)!.callFrame;
      const place = placeOf(f.url, f.functionName);
      if (place.startsWith("(") || place.startsWith("@") || place.startsWith("node:") || !place.includes(".")) continue;
      const key = frameKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      add(byInclusive, key, ms);
    }
  });
  return { totalMs, byPlace, bySelf, byInclusive };
}

if (require.main === module) {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top]");
  const top = Number(topArg ?? 25);
  const { totalMs, byPlace, bySelf, byInclusive } = summarize(JSON.parse(readFileSync(file, "utf8")) as Profile);
  const table = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${(ms / 1000).toFixed(2).padStart(8)} s ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${key}`);
    }
  };
  console.log(`${file}: ${(totalMs / 1000).toFixed(2)} s sampled on the main thread`);
  table("Self time by package or file", byPlace);
  table("Self time by function", bySelf);
  table("Project functions, inclusive", byInclusive);
}
