/**
 * npm run bench: what the offline plan costs as the fleet grows, next to a
 * bare-SDK floor (bench/floor.ts: the same resource types, counts and input
 * sizes, the same runner and mocks, measured in the same run), and the
 * blast radius of a release-tag bump on prod. Numbers, not assertions.
 * A second floor, wired (bench/floor.ts FLOOR_WIRED=1), declares the same
 * resources with the project's graph: what the SDK charges for the graph.
 * BENCH_SIZES=10,100 picks the fleet sizes (routes); BENCH_CPU_PROF=<dir>
 * also profiles each plan's CPU, BENCH_ALLOC_PROF=<dir> its allocations;
 * BENCH_REPEAT=3 plans each side three times, alternating, and shows each
 * side's cheapest run and the median of the three pairs' ratios;
 * BENCH_PLANS_ONLY=1 skips the host load and the blast radius. Every plan
 * runs with Pulumi.yaml's `nodeargs`, as the Pulumi host runs the program.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PROVIDERS } from "../stacks/catalog";
import { changedResources, planJson, type StackConfig, stackConfig, variantStackFile, writeStackFile } from "../plan/testing";
import { REPO_ROOT } from "../plan/run";
import type { PlanCost } from "./plan-once";

const SIZES = (process.env.BENCH_SIZES ?? "10,100,1000,3000").split(",").map(Number);

/** prod's config with `total` stable routes spread evenly over prod's regions (all three providers). */
function fleetOf(total: number): StackConfig {
  const config = structuredClone(stackConfig("prod"));
  const providers = config["lantern-fleet:providers"] as Record<string, { regions: Record<string, Record<string, number>> }>;
  const slots = PROVIDERS.flatMap((p) => Object.keys(providers[p]!.regions).map((region) => [p, region] as const));
  const counts = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const [p, region] = slots[i % slots.length]!;
    counts.set(`${p} ${region}`, (counts.get(`${p} ${region}`) ?? 0) + 1);
  }
  for (const p of PROVIDERS) {
    providers[p]!.regions = Object.fromEntries(
      [...counts].filter(([k]) => k.startsWith(`${p} `)).map(([k, n]) => [k.slice(p.length + 1), { stable: n }]),
    );
  }
  return config;
}

/**
 * The Node flags the Pulumi host runs the program with: Pulumi.yaml's runtime
 * option `nodeargs`, which the host splits like a shell and puts before the
 * program (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 * execRuntime: shlex.Split(opts.nodeargs)). Every plan here, the project's
 * and the floors', runs with them.
 */
function hostNodeArgs(): string[] {
  const project = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { runtime?: { options?: { nodeargs?: unknown } } };
  const nodeargs = project.runtime?.options?.nodeargs ?? "";
  if (typeof nodeargs !== "string" || /["'\\]/.test(nodeargs)) {
    throw new Error("Pulumi.yaml runtime.options.nodeargs: expected flags separated by spaces, without quotes or backslashes");
  }
  return nodeargs.split(/\s+/).filter(Boolean);
}
const HOST_NODE_ARGS = hostNodeArgs();

/**
 * BENCH_CPU_PROF=<dir>: each plan also writes a V8 CPU profile there; BENCH_ALLOC_PROF=<dir>, a
 * sampled profile of everything it allocates (bench/alloc-sample.js). Named `floor-*` / `project-*`;
 * bench/profile-summary.ts reads both.
 */
const profileName = (program: string | undefined, extension: string): string => `${program ? "floor" : "project"}-${Date.now()}.${extension}`;
const profiling = (program: string | undefined): { args: string[]; env: Record<string, string> } => {
  const { BENCH_CPU_PROF: cpu, BENCH_ALLOC_PROF: alloc } = process.env;
  return {
    args: [...(cpu ? ["--cpu-prof", "--cpu-prof-dir", cpu, "--cpu-prof-name", profileName(program, "cpuprofile")] : []), ...(alloc ? ["--require", "./bench/alloc-sample.js"] : [])],
    env: alloc ? { BENCH_ALLOC_NAME: profileName(program, "heapprofile") } : {},
  };
};

/** One plan in a fresh process (the Pulumi runtime is global), the way `npm run plan` loads it. */
function measure(configFile: string, program?: string, env: Readonly<Record<string, string>> = {}): PlanCost {
  const profile = profiling(program);
  const result = spawnSync(
    process.execPath,
    [...HOST_NODE_ARGS, "--no-experimental-strip-types", ...profile.args, "--require", "./scripts/register-ts.js", path.join("bench", "plan-once.ts"), "--config-file", configFile, ...(program ? ["--program", program] : [])],
    { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...profile.env, ...env } },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as PlanCost;
}

/** BENCH_REPEAT=n: each plan n times, alternating project and floor (see pairRatios). */
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
const cheapest = <Run extends { readonly cpuMs: number }>(runs: readonly Run[]): Run => runs.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));

/** CPU time per resource: the machine is shared, and wall time follows its load. */
const perResourceMs = (c: PlanCost): number => c.cpuMs / c.resources;
const times = (r: number): string => `${r.toFixed(2)}x`;
const ratio = (a: number, b: number): string => times(a / b);

/** Each pair's CPU per resource, the project's over the floor's, in the order planned. */
const ratiosOfPairs = (projects: readonly PlanCost[], floors: readonly PlanCost[]): number[] =>
  projects.map((p, i) => perResourceMs(p) / perResourceMs(floors[i]!));

/**
 * The pairs' ratios: the median, and the range. A pair's two plans run one
 * after the other and share the machine's load of the moment, which moves
 * each side's cheapest run by more than the goal's margin on a shared
 * machine.
 */
function pairRatios(projects: readonly PlanCost[], floors: readonly PlanCost[]): string {
  const ratios = ratiosOfPairs(projects, floors).sort((a, b) => a - b);
  const middle = ratios.length / 2;
  const median = ratios.length % 2 === 1 ? ratios[Math.floor(middle)]! : (ratios[middle - 1]! + ratios[middle]!) / 2;
  const range = ratios.length > 1 ? ` (${ratios[0]!.toFixed(2)}-${ratios.at(-1)!.toFixed(2)})` : "";
  return `${times(median)}${range}`;
}

const thousands = (n: number): string => Math.round(n).toLocaleString("en-US");

console.log(`Offline plan cost against a bare-SDK floor (${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, Node ${process.version})\n`);
console.log("| routes | resources | input bytes (project / floor) | input values (project / floor) | CPU time (project / floor) | wall time (project / floor) | CPU per resource (project / floor) | ratio | ratio, median of pairs (range) | peak RSS (project / floor) | ratio | wired floor: CPU per resource | project / wired | project / wired, median of pairs | wired floor: peak RSS |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
const valuesPerType = (cost: PlanCost): Record<string, number> => Object.fromEntries(Object.entries(cost.shape.types).map(([type, t]) => [type, t.values]));
let floorValues: Record<string, number> = {};
// Row by row, as each size is measured (3,000 routes take minutes).
const measured = SIZES.map((routes) => {
  const configFile = writeStackFile(fleetOf(routes));
  const projects = [measure(configFile)];
  const shapeFile = path.join(path.dirname(configFile), "floor-shape.json");
  writeFileSync(shapeFile, JSON.stringify(projects[0]!.shape));
  // What the floor's own inputs send per type, before filler (see FloorShape.floorValues): measured for each type once.
  if (Object.keys(projects[0]!.shape.types).some((type) => !(type in floorValues))) {
    floorValues = { ...valuesPerType(measure(configFile, path.join(REPO_ROOT, "bench", "floor.ts"), { FLOOR_SHAPE: shapeFile })), ...floorValues };
  }
  writeFileSync(shapeFile, JSON.stringify({ ...projects[0]!.shape, floorValues }));
  const measureFloor = (wired: boolean) => measure(configFile, path.join(REPO_ROOT, "bench", "floor.ts"), { FLOOR_SHAPE: shapeFile, FLOOR_WIRED: wired ? "1" : "" });
  const [floors, wiredFloors] = [[measureFloor(false)], [measureFloor(true)]];
  // Alternating repeats, each side's cheapest kept: other load on the machine only ever adds.
  for (let i = 1; i < REPEAT; i++) {
    projects.push(measure(configFile));
    floors.push(measureFloor(false));
    wiredFloors.push(measureFloor(true));
  }
  const [project, floor, wired] = [cheapest(projects), cheapest(floors), cheapest(wiredFloors)];
  for (const f of [floor, wired]) if (f.resources !== project.resources) throw new Error(`a floor declared ${f.resources} resources, the project ${project.resources}`);
  console.log(
    `| ${thousands(routes)} | ${thousands(project.resources)} | ${thousands(project.inputBytes)} / ${thousands(floor.inputBytes)} ` +
      `| ${thousands(project.inputValues)} / ${thousands(floor.inputValues)} ` +
      `| ${(project.cpuMs / 1000).toFixed(1)} / ${(floor.cpuMs / 1000).toFixed(1)} s | ${(project.ms / 1000).toFixed(1)} / ${(floor.ms / 1000).toFixed(1)} s ` +
      `| ${perResourceMs(project).toFixed(2)} / ${perResourceMs(floor).toFixed(2)} ms | ${ratio(perResourceMs(project), perResourceMs(floor))} | ${pairRatios(projects, floors)} ` +
      `| ${thousands(project.maxRssMb)} / ${thousands(floor.maxRssMb)} MB | ${ratio(project.maxRssMb, floor.maxRssMb)} ` +
      `| ${perResourceMs(wired).toFixed(2)} ms | ${ratio(perResourceMs(project), perResourceMs(wired))} | ${pairRatios(projects, wiredFloors)} | ${thousands(wired.maxRssMb)} MB |`,
  );
  return { routes, project, floor, wired, projects, floors };
});
/**
 * Each pair with both sides' counts of V8's full collections: a 3,000-route
 * plan that makes one more than the floor's costs seconds more, and where
 * they fall moves with the machine (README "What is left").
 */
console.log("\nEach pair's ratio, in the order planned, with both sides' full collections (project/floor):\n");
for (const { routes, projects, floors } of measured) {
  const pairs = ratiosOfPairs(projects, floors).map((r, i) => `${times(r)} (${projects[i]!.fullCollections}/${floors[i]!.fullCollections})`);
  console.log(`- ${thousands(routes)} routes: ${pairs.join(", ")}`);
}
const [small, large] = [measured.find((m) => m.routes === 100), measured.at(-1)!];
if (small && large !== small) {
  console.log(
    `\nLinearity: per resource, ${thousands(large.routes)} routes cost ${ratio(perResourceMs(large.project), perResourceMs(small.project))} what 100 routes do ` +
      `(floor: ${ratio(perResourceMs(large.floor), perResourceMs(small.floor))})`,
  );
}

/**
 * The program under the Pulumi Node host's loader (bench/host-load.js), prod's config: up to its
 * first resource, or with `whole` to its last. `env` adds to the environment (the SDK's
 * PULUMI_DEBUG_PROMISE_LEAKS keeps its per-promise stacks mapped: components/promise-stacks.ts).
 */
function hostRun(transpileOnly: boolean, whole = false, env: Readonly<Record<string, string>> = {}): { ms: number; cpuMs: number } {
  const result = spawnSync(process.execPath, [...HOST_NODE_ARGS, path.join("bench", "host-load.js"), ...(whole ? ["--whole"] : [])], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: transpileOnly ? "true" : "", ...env },
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { ms: number; cpuMs: number };
}
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The host load and the blast radius (BENCH_PLANS_ONLY=1 skips them, when only plan costs are compared). */
function printExtras(): void {
  console.log("\nThe real engine's load: the Pulumi Node host up to the program's first resource (prod)\n");
  console.log("| ts-node as the CLI runs it by default (type check) | with PULUMI_NODEJS_TRANSPILE_ONLY=true (the workflows) |");
  console.log("|---|---|");
  console.log(`| ${seconds(hostRun(false).ms)} | ${seconds(hostRun(true).ms)} |`);

  // Alternating, cheapest of three each: the machine's load moves a single run by seconds.
  const pairs = [1, 2, 3].map(() => ({ mapped: hostRun(true, true, { PULUMI_DEBUG_PROMISE_LEAKS: "1" }), skipped: hostRun(true, true) }));
  const [mapped, skipped] = [cheapest(pairs.map((p) => p.mapped)), cheapest(pairs.map((p) => p.skipped))];
  console.log("\nThe real engine's program: the Pulumi Node host's loader (PULUMI_NODEJS_TRANSPILE_ONLY=true) to the last resource (prod)\n");
  console.log("| | the SDK's per-promise stacks mapped (PULUMI_DEBUG_PROMISE_LEAKS=1; the program before) | the program (unread promise stacks not mapped) |");
  console.log("|---|---|---|");
  console.log(`| wall | ${seconds(mapped.ms)} | ${seconds(skipped.ms)} |`);
  console.log(`| CPU | ${seconds(mapped.cpuMs)} | ${seconds(skipped.cpuMs)} |`);

  const prod = planJson(["--stack", "prod"]);
  const bumped = planJson(["--stack", "prod", "--config-file", variantStackFile("prod", (c) => (c["lantern-fleet:releaseTag"] = "v0.0.74"))]);
  const changes = changedResources(prod, bumped);
  const images = changes.filter((c) => /image/i.test(c.type));
  const regions = (prod.outputs.routes as { provider: string; region: string }[]).map((r) => `${r.provider} ${r.region}`);
  console.log("\nBlast radius of `pulumi config set releaseTag v0.0.74` on prod (hotswap everywhere)\n");
  console.log("| | this program | old model (image per provider-region) |");
  console.log("|---|---|---|");
  console.log(`| resources changed | ${changes.length} of ${prod.resources.length} (${changes.filter((c) => c.type === "command:remote:Command").length} hot-swap commands, ${changes.filter((c) => c.type.endsWith("Instance")).length} instances' ignored user-data) | every image and every route |`);
  console.log(`| images rebuilt | ${images.length} | ${new Set(regions).size} |`);
}
if (process.env.BENCH_PLANS_ONLY !== "1") printExtras();
