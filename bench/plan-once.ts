/**
 * One offline plan in this process, reporting its own cost and the plan's
 * shape (for bench/plan.ts): `--program` plans another program than
 * index.ts (the floor, bench/floor.ts).
 */
// First: counts the collections of the whole process (bench/full-collections.ts).
import { fullCollections } from "./full-collections";
import { parseArgs } from "node:util";
import { mocks } from "../plan/mocks";
import { type Plan, runPlan } from "../plan/run";
import type { FloorShape, TypeShape } from "./floor";
import { inputBytes, inputValues } from "./input-bytes";

export interface PlanCost {
  /** Wall time of the plan in this process. */
  readonly ms: number;
  /** CPU time of the whole process (every thread), steadier than wall time on a shared machine. */
  readonly cpuMs: number;
  readonly maxRssMb: number;
  /** V8's full (mark-compact) collections during the plan (README "Numbers": where the 3,000-route noise comes from). */
  readonly fullCollections: number;
  readonly resources: number;
  /** Bytes of every resource's inputs as the program sent them (bench/input-bytes.ts), secrets included. */
  readonly inputBytes: number;
  /** Values (strings, numbers, booleans, object keys) of every resource's inputs as sent. */
  readonly inputValues: number;
  readonly shape: FloorShape;
}

/** Component resources are the project's own types (lantern:...); the floor declares as many plain groups. */
const isComponent = (type: string): boolean => type.startsWith("lantern:");

/**
 * Input bytes per resource type as the program sent them (bench/input-bytes.ts),
 * counted where the mocks receive each resource. The plan's own view masks
 * secrets (user-data, config-push stdin), which would hide most of them.
 */
const sent = new Map<string, { bytes: number; values: number }>();
const newResource = mocks.newResource.bind(mocks);
mocks.newResource = (args) => {
  const entry = sent.get(args.type) ?? { bytes: 0, values: 0 };
  sent.set(args.type, { bytes: entry.bytes + inputBytes(args.inputs), values: entry.values + inputValues(args.inputs) });
  return newResource(args);
};

const edges = (option: unknown): number => (Array.isArray(option) ? option.length : 0);

function shapeOf(plan: Plan): { shape: FloorShape; inputBytes: number; inputValues: number } {
  const types: Record<string, TypeShape> = {};
  let components = 0;
  for (const r of plan.resources) {
    if (r.type === "pulumi:pulumi:Stack" || r.type === "floor:index:Group") continue;
    if (isComponent(r.type)) {
      components++;
      continue;
    }
    const entry = (types[r.type] ??= { count: 0, bytes: 0, values: 0, dependsOn: 0, replaceWith: 0, replacementTriggers: 0 });
    entry.count++;
    entry.dependsOn += edges(r.options.dependsOn);
    entry.replaceWith += edges(r.options.replaceWith);
    if (r.options.replacementTrigger !== undefined) entry.replacementTriggers++;
  }
  for (const [type, entry] of Object.entries(types)) {
    entry.bytes = (sent.get(type)?.bytes ?? 0) / entry.count;
    entry.values = (sent.get(type)?.values ?? 0) / entry.count;
  }
  const total = (key: "bytes" | "values") => [...sent.values()].reduce((sum, e) => sum + e[key], 0);
  return { shape: { components, types }, inputBytes: total("bytes"), inputValues: total("values") };
}

const { values } = parseArgs({ options: { stack: { type: "string", default: "prod" }, "config-file": { type: "string" }, program: { type: "string" } } });
const start = process.hrtime.bigint();
runPlan({ stack: values.stack ?? "prod", configFile: values["config-file"], program: values.program })
  .then(async (plan) => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const { user, system } = process.cpuUsage();
    const cost: PlanCost = { ms, cpuMs: (user + system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, fullCollections: await fullCollections(), resources: plan.resources.length, ...shapeOf(plan) };
    process.stdout.write(`${JSON.stringify(cost)}\n`);
  })
  .catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
