/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`, e.g. from BENCH_CPU_PROF
 * in bench/plan.ts) or a sampled allocation profile (BENCH_ALLOC_PROF,
 * bench/alloc-sample.js): where the time or the bytes went by package or
 * project file (self), the heaviest functions (self), and the project's own
 * functions with everything they call (inclusive). Usage:
 *   node --require ./scripts/register-ts.js bench/profile-summary.ts <file.cpuprofile|file.heapprofile> [top]
 * The formats are V8's: Profiler.Profile (nodes with callFrame, children and
 * hitCount; samples with timeDeltas:
 * chromedevtools.github.io/devtools-protocol/v8/Profiler/#type-Profile) and
 * HeapProfiler.SamplingHeapProfile (a tree from `head`, each node with its
 * callFrame, selfSize and children:
 * chromedevtools.github.io/devtools-protocol/v8/HeapProfiler/#type-SamplingHeapProfile).
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
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}
interface HeapNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}
interface HeapProfile {
  readonly head: HeapNode;
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

/** A profile as one list: each frame with its parent and what was spent in it alone (ms or bytes). */
interface Frame {
  readonly callFrame: CallFrame;
  readonly parent: Frame | undefined;
  self: number;
}

function cpuFrames(profile: CpuProfile): Frame[] {
  const frames = new Map<number, Frame>();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
  const frameOf = (id: number): Frame => {
    const known = frames.get(id);
    if (known) return known;
    const parentId = parents.get(id);
    const frame: Frame = { callFrame: nodes.get(id)!.callFrame, parent: parentId === undefined ? undefined : frameOf(parentId), self: 0 };
    frames.set(id, frame);
    return frame;
  };
  profile.nodes.forEach((n) => frameOf(n.id));
  profile.samples.forEach((id, i) => (frames.get(id)!.self += (profile.timeDeltas[i] ?? 0) / 1000));
  return [...frames.values()];
}

function heapFrames(profile: HeapProfile): Frame[] {
  const frames: Frame[] = [];
  const visit = (node: HeapNode, parent: Frame | undefined): void => {
    const frame: Frame = { callFrame: node.callFrame, parent, self: node.selfSize };
    frames.push(frame);
    node.children.forEach((child) => visit(child, frame));
  };
  visit(profile.head, undefined);
  return frames;
}

export function summarize(frames: readonly Frame[]): { total: number; byPlace: Map<string, number>; bySelf: Map<string, number>; byInclusive: Map<string, number> } {
  const add = (map: Map<string, number>, key: string, amount: number) => map.set(key, (map.get(key) ?? 0) + amount);
  const [byPlace, bySelf, byInclusive] = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  let total = 0;
  for (const frame of frames) {
    if (frame.self === 0) continue;
    total += frame.self;
    add(byPlace, placeOf(frame.callFrame.url, frame.callFrame.functionName), frame.self);
    add(bySelf, frameKey(frame.callFrame), frame.self);
    // Inclusive: each project frame on the stack once (recursion counted once).
    const seen = new Set<string>();
    for (let at: Frame | undefined = frame; at !== undefined; at = at.parent) {
      const place = placeOf(at.callFrame.url, at.callFrame.functionName);
      if (place.startsWith("(") || place.startsWith("@") || place.startsWith("node:") || !place.includes(".")) continue;
      const key = frameKey(at.callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      add(byInclusive, key, frame.self);
    }
  }
  return { total, byPlace, bySelf, byInclusive };
}

if (require.main === module) {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile|file.heapprofile> [top]");
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile | HeapProfile;
  const heap = "head" in profile;
  const { total, byPlace, bySelf, byInclusive } = summarize(heap ? heapFrames(profile) : cpuFrames(profile));
  const amount = (n: number) => (heap ? `${(n / 2 ** 20).toFixed(0).padStart(7)} MB` : `${(n / 1000).toFixed(2).padStart(8)} s`);
  const table = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [key, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${amount(n)} ${((100 * n) / total).toFixed(1).padStart(5)}%  ${key}`);
    }
  };
  console.log(`${file}: ${heap ? `${amount(total).trim()} allocated (sampled)` : `${amount(total).trim()} sampled on the main thread`}`);
  table("Self by package or file", byPlace);
  table("Self by function", bySelf);
  table("Project functions, inclusive", byInclusive);
}
