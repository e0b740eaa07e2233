/**
 * The plan diff for reviews (contract 4): what changes from a saved `--json`
 * plan (e.g. the base branch's) to the working tree's plan, as Markdown with
 * a one-line blast-radius summary on top.
 *
 * Offline there is no provider to ask whether a change replaces a resource,
 * so the verdict comes from the options the program declares
 * (replaceOnChanges, ignoreChanges, deleteBeforeReplace) and a small table of
 * the providers' known replace-on-change ("ForceNew") inputs below.
 *
 * diffPlans and renderReport are pure; the CLI does the I/O.
 */
import { structuredPatch } from "diff";
import { USER_DATA_INPUT } from "../components/routes/instances";
import { z } from "zod";
import type { Plan, PlanResource } from "./run";

// run.ts's MASK, repeated so this module does not load the Pulumi runtime.
const MASKED = "[secret]";

/** What the engine would do to one resource. "ignored": inputs changed, but only ignored ones. */
export type Action = "add" | "remove" | "replace" | "update" | "ignored";

/** What one changed input does: replace, update in place, re-run a command, nothing (ignored / options). */
export type Effect = "replace" | "update" | "rerun" | "ignored" | "none";

export interface InputChange {
  /** Dotted input path (`inbounds[0].ports`); options are `options.<name>`. */
  readonly path: string;
  /** Shortened display values; never raw secrets or long base64. */
  readonly old: string;
  readonly new: string;
  readonly effect: Effect;
  /** What it does, for the reader: "forces replacement", "in place (provider decides)", ... */
  readonly note: string;
}

export interface ResourceChange {
  readonly action: Action;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly changes: readonly InputChange[];
  readonly replaceMode?: "delete-before-replace" | "create-before-delete";
  /** The type is not in the table: the real provider may still decide to replace. */
  readonly providerDecides: boolean;
  readonly notes: readonly string[];
}

/** How a route reaches its new tag: by the hot-swap command, by a new VM, or not at all. */
export type TagMoveHow = "hot-swapped" | "replaced" | "NOT applied";

export interface TagMove {
  readonly route: string;
  readonly track: string;
  readonly from: string;
  readonly to: string;
  readonly how: TagMoveHow;
}

export interface UserDataDiff {
  /** Instances whose user-data changed in exactly this way (same hunks). */
  readonly names: readonly string[];
  /** Unified-diff hunks (`@@ ... @@` and lines), secret-looking lines hidden. */
  readonly hunks: string;
}

export type ImageCounts = Readonly<Record<"add" | "update" | "replace" | "remove", number>>;

export interface PlanDiff {
  readonly stack: string;
  readonly oldStack: string;
  /** Added, changed and removed resources, in that order of severity: replace, update, ignored, add, remove. */
  readonly resources: readonly ResourceChange[];
  readonly unchanged: number;
  readonly images: ImageCounts;
  readonly routes: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly replaced: readonly string[];
    readonly moves: readonly TagMove[];
  };
  readonly userData: readonly UserDataDiff[];
  /** Instances added with user-data (not diffed: there is nothing to diff against). */
  readonly newUserData: number;
}

interface TypeRules {
  /** Inputs whose change replaces the resource (the provider's ForceNew). */
  readonly replace: readonly string[];
  /** Inputs whose change re-runs a command in place. */
  readonly rerun?: readonly string[];
  readonly notes?: Readonly<Record<string, string>>;
}

/** Known replace-on-change inputs; types not listed are "in place (provider decides)". */
const PROVIDER_RULES: Readonly<Record<string, TypeRules>> = {
  "linode:index/instance:Instance": { replace: ["metadatas", "image", "region", "firewallId"] },
  "alicloud:ecs/instance:Instance": {
    replace: [],
    notes: { userData: "in place + reboot by the provider; cloud-init does not re-run first-boot steps" },
  },
  "oci:Core/instance:Instance": { replace: ["metadata", "sourceDetails", "shape", "availabilityDomain"] },
  "command:remote:Command": { replace: ["triggers"], rerun: ["create", "update", "environment", "stdin"] },
  "command:local:Command": { replace: ["triggers"], rerun: ["create", "update", "environment", "stdin"] },
};


const IMAGE_TYPE = /image/i;
const HOT_SWAP_TYPE = "command:remote:Command";

// ---------------------------------------------------------------- parsing

const planSchema = z.object({
  stack: z.string(),
  resources: z.array(
    z.object({
      urn: z.string(),
      type: z.string(),
      name: z.string(),
      parent: z.string().default(""),
      inputs: z.record(z.string(), z.unknown()).default({}),
      options: z.record(z.string(), z.unknown()).default({}),
    }),
  ),
  outputs: z.record(z.string(), z.unknown()).default({}),
  userData: z.record(z.string(), z.string()).default({}),
});

/** Parses a saved `--json` plan; throws an Error naming what is wrong. */
export function parsePlan(text: string): Plan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const result = planSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`not a plan: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

// ---------------------------------------------------------------- values

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JSON with sorted keys, so plans written with different key orders compare equal. */
function canon(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

const BASE64_RUN = /[A-Za-z0-9+/]{100,}={0,2}/g;
const SECRET_LOOKING = /tskey-/i;

/** A value for one line of the report: short, no long base64 (encoded user-data is unreadable and may hide secrets). */
export function show(v: unknown): string {
  if (v === undefined) return "(none)";
  if (v === MASKED) return MASKED;
  const text = (typeof v === "string" ? JSON.stringify(v) : canon(v)).replace(BASE64_RUN, (m) => `[base64, ${m.length} chars]`);
  if (SECRET_LOOKING.test(text)) return "[hidden: looks like a secret]";
  const flat = text.replace(/`/g, "'");
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

/** For multi-line text (commands, scripts): the first line that differs on each side, so the change is visible. */
function firstDifferingLines(old: string, neu: string): [string, string] {
  if (!old.includes("\n") && !neu.includes("\n")) return [old, neu];
  const [a, b] = [old.split("\n"), neu.split("\n")];
  const i = a.findIndex((line, k) => line !== b[k]);
  const at = i === -1 ? a.length : i;
  return [`line ${at + 1}: ${a[at] ?? ""}`, `${b[at] ?? ""}`];
}

/** Leaf-level differences: objects by key, equal-length arrays by index, anything else whole. */
function changedPaths(old: unknown, neu: unknown, path: string, out: [string, unknown, unknown][]): void {
  if (canon(old) === canon(neu)) return;
  if (isRecord(old) && isRecord(neu)) {
    for (const k of [...new Set([...Object.keys(old), ...Object.keys(neu)])].sort()) {
      changedPaths(old[k], neu[k], path ? `${path}.${k}` : k, out);
    }
  } else if (Array.isArray(old) && Array.isArray(neu) && old.length === neu.length) {
    old.forEach((o, i) => changedPaths(o, neu[i], `${path}[${i}]`, out));
  } else {
    out.push([path, old, neu]);
  }
}

const segments = (path: string) => path.split(/[.[\]]+/).filter(Boolean);

/**
 * Whether an option's property path (`*`, `metadatas`, `triggers[*]`, `metadatas[0].userData`)
 * covers a changed path: one is a prefix of the other (a whole-array change touches every element).
 */
function covers(pattern: string, path: string): boolean {
  if (pattern === "*") return true;
  const [p, c] = [segments(pattern), segments(path)];
  return p.slice(0, c.length).every((seg, i) => seg === "*" || seg === c[i]);
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

const topKey = (path: string) => path.split(/[.[]/)[0] ?? path;

// ---------------------------------------------------------------- resources

function diffResource(old: PlanResource, neu: PlanResource, oldPlan: Plan, newPlan: Plan): ResourceChange | undefined {
  const rules = PROVIDER_RULES[neu.type];
  const ignore = stringList(neu.options.ignoreChanges);
  const replaceOn = stringList(neu.options.replaceOnChanges);
  const raw: [string, unknown, unknown][] = [];
  changedPaths(old.inputs, neu.inputs, "", raw);

  // Masked on both sides compares equal; the decoded user-data tells us whether the secret carrying it changed.
  const userDataKey = USER_DATA_INPUT[neu.type];
  const oldText = oldPlan.userData[old.name];
  const newText = newPlan.userData[neu.name];
  const secretUserDataChanged =
    userDataKey !== undefined &&
    old.inputs[userDataKey] === MASKED &&
    neu.inputs[userDataKey] === MASKED &&
    oldText !== undefined &&
    newText !== undefined &&
    oldText !== newText;
  if (secretUserDataChanged) raw.push([userDataKey, MASKED, MASKED]);

  const changes: InputChange[] = raw.map(([path, o, n]) => {
    const key = topKey(path);
    const effect: Effect = ignore.some((p) => covers(p, path))
      ? "ignored"
      : replaceOn.some((p) => covers(p, path)) || rules?.replace.includes(key)
        ? "replace"
        : rules?.rerun?.includes(key)
          ? "rerun"
          : "update";
    // A provider note (e.g. alicloud's reboot) says more than the bare "in place".
    const label = {
      replace: "forces replacement",
      update: rules?.notes?.[key] ?? (rules ? "in place" : "in place (provider decides)"),
      rerun: "in place, re-runs the command",
      ignored: "ignored (no update)",
      none: "no update",
    }[effect];
    const secret = o === MASKED && n === MASKED ? "; secret input, value not shown (the decoded user-data differs)" : "";
    const [shownOld, shownNew] = typeof o === "string" && typeof n === "string" ? firstDifferingLines(o, n) : [o, n];
    return { path, old: show(shownOld), new: show(shownNew), effect, note: `${label}${secret}` };
  });
  // Options never change the cloud by themselves, but a reviewer should see e.g. a dropped ignoreChanges.
  const optionChanges: [string, unknown, unknown][] = [];
  changedPaths(old.options, neu.options, "", optionChanges);
  for (const [path, o, n] of optionChanges) {
    changes.push({ path: `options.${path}`, old: show(o), new: show(n), effect: "none", note: "no update by itself" });
  }

  const urnChanged = old.urn !== neu.urn;
  if (changes.length === 0 && !urnChanged) return undefined;
  const effects = new Set(changes.map((c) => c.effect));
  const action: Action =
    urnChanged || effects.has("replace")
      ? "replace"
      : effects.has("update") || effects.has("rerun") || effects.has("none")
        ? "update"
        : "ignored";
  return {
    action,
    urn: neu.urn,
    type: neu.type,
    name: neu.name,
    changes,
    ...(action === "replace"
      ? { replaceMode: neu.options.deleteBeforeReplace === true ? "delete-before-replace" : "create-before-delete" }
      : {}),
    providerDecides: rules === undefined,
    notes: urnChanged ? [`URN changed from ${old.urn}: without an alias Pulumi replaces it`] : [],
  };
}

const added = (r: PlanResource): ResourceChange => ({
  action: "add", urn: r.urn, type: r.type, name: r.name, changes: [], providerDecides: false, notes: [],
});
const removed = (r: PlanResource): ResourceChange => ({ ...added(r), action: "remove" });

/** Resources matched by URN, then (for a URN that changed, e.g. a new parent) by type + name. */
function matchResources(oldPlan: Plan, newPlan: Plan): { pairs: [PlanResource, PlanResource][]; adds: PlanResource[]; removes: PlanResource[] } {
  const byUrn = new Map(oldPlan.resources.map((r) => [r.urn, r]));
  const pairs: [PlanResource, PlanResource][] = [];
  const unmatched: PlanResource[] = [];
  for (const r of newPlan.resources) {
    const old = byUrn.get(r.urn);
    if (old) {
      pairs.push([old, r]);
      byUrn.delete(r.urn);
    } else {
      unmatched.push(r);
    }
  }
  const byTypeName = new Map([...byUrn.values()].map((r) => [`${r.type}\0${r.name}`, r]));
  const adds: PlanResource[] = [];
  for (const r of unmatched) {
    const old = byTypeName.get(`${r.type}\0${r.name}`);
    if (old) {
      pairs.push([old, r]);
      byTypeName.delete(`${r.type}\0${r.name}`);
    } else {
      adds.push(r);
    }
  }
  return { pairs, adds, removes: [...byTypeName.values()] };
}

// ---------------------------------------------------------------- routes

interface RouteOutput {
  readonly name: string;
  readonly track: string;
  readonly releaseTag: string;
}

const text = (v: unknown) => (typeof v === "string" ? v : "?");

function routesOf(plan: Plan): Map<string, RouteOutput> {
  const list = Array.isArray(plan.outputs.routes) ? (plan.outputs.routes as unknown[]) : [];
  const routes = list.filter(isRecord).filter((r) => typeof r.name === "string");
  return new Map(
    routes.map((r) => [r.name as string, { name: r.name as string, track: text(r.track), releaseTag: text(r.releaseTag) }]),
  );
}

const lastName = (urn: string) => urn.split("::").pop() ?? "";
const belongsTo = (name: string, route: string) => name === route || name.startsWith(`${route}-`);

/** The route's instance: the custom resource named like the route, preferring an `...Instance` type. */
function instanceOf(route: string, plan: Plan): PlanResource | undefined {
  const named = plan.resources.filter((r) => r.name === route);
  return named.find((r) => /instance/i.test(r.type)) ?? (route in plan.userData ? named[0] : undefined);
}

/** A route's hot-swap commands: named after the route, or under a parent that is. */
function hotSwapsOf(route: string, plan: Plan): PlanResource[] {
  return plan.resources.filter(
    (r) => r.type === HOT_SWAP_TYPE && (belongsTo(r.name, route) || ancestors(r, plan).some((n) => belongsTo(n, route))),
  );
}

function ancestors(r: PlanResource, plan: Plan): string[] {
  const byUrn = new Map(plan.resources.map((x) => [x.urn, x]));
  const names: string[] = [];
  for (let parent = r.parent; parent && names.length < 20; parent = byUrn.get(parent)?.parent ?? "") names.push(lastName(parent));
  return names;
}

// ---------------------------------------------------------------- user-data

/** Hides lines that look like real secrets and long base64 runs; `[secret...]` placeholders stay as they are. */
function safeLine(line: string): string {
  if (SECRET_LOOKING.test(line)) return `${line[0] ?? " "}[line hidden: looks like a secret]`;
  return line.replace(BASE64_RUN, (m) => `[base64, ${m.length} chars]`);
}

function userDataHunks(name: string, old: string, neu: string): string {
  const patch = structuredPatch(`a/${name}`, `b/${name}`, old, neu, "", "", { context: 3 });
  return patch.hunks
    .map((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines.map(safeLine)].join("\n"))
    .join("\n");
}

// ---------------------------------------------------------------- diff

const ORDER: readonly Action[] = ["replace", "update", "ignored", "add", "remove"];

export function diffPlans(oldPlan: Plan, newPlan: Plan): PlanDiff {
  const { pairs, adds, removes } = matchResources(oldPlan, newPlan);
  const changed = pairs.map(([o, n]) => diffResource(o, n, oldPlan, newPlan)).filter((c): c is ResourceChange => c !== undefined);
  const resources = [...changed, ...adds.map(added), ...removes.map(removed)].sort(
    (a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || a.urn.localeCompare(b.urn),
  );
  const actionOf = new Map(resources.map((c) => [c.urn, c]));

  // Image components (e.g. lantern:fleet:LinodeBaseImage) would count twice: only leaves are images.
  const parents = new Set([...oldPlan.resources, ...newPlan.resources].map((r) => r.parent));
  const images = { add: 0, update: 0, replace: 0, remove: 0 };
  for (const c of resources) {
    if (IMAGE_TYPE.test(c.type) && !parents.has(c.urn) && c.action !== "ignored") images[c.action] += 1;
  }

  const oldRoutes = routesOf(oldPlan);
  const newRoutes = routesOf(newPlan);
  const replacedRoute = (name: string) => {
    const instance = instanceOf(name, newPlan);
    return instance !== undefined && actionOf.get(instance.urn)?.action === "replace";
  };
  const kept = [...newRoutes.keys()].filter((n) => oldRoutes.has(n));
  const moves: TagMove[] = [];
  for (const name of kept) {
    const [o, n] = [oldRoutes.get(name)!, newRoutes.get(name)!];
    if (o.releaseTag === n.releaseTag) continue;
    const swapped = hotSwapsOf(name, newPlan).some((cmd) => {
      const c = actionOf.get(cmd.urn);
      return c !== undefined && (c.action === "add" || c.action === "replace" || c.changes.some((x) => x.effect === "rerun"));
    });
    // Not replaced and no command re-runs: only the user-data changed, which cloud-init does not re-read.
    const how: TagMoveHow = replacedRoute(name) ? "replaced" : swapped ? "hot-swapped" : "NOT applied";
    moves.push({ route: name, track: n.track, from: o.releaseTag, to: n.releaseTag, how });
  }

  const groups = new Map<string, { names: string[]; hunks: string }>();
  for (const [name, text] of Object.entries(newPlan.userData)) {
    const before = oldPlan.userData[name];
    if (before === undefined || before === text) continue;
    const hunks = userDataHunks(name, before, text);
    const group = groups.get(hunks) ?? { names: [], hunks };
    group.names.push(name);
    groups.set(hunks, group);
  }

  return {
    stack: newPlan.stack,
    oldStack: oldPlan.stack,
    resources,
    unchanged: newPlan.resources.length - adds.length - changed.length,
    images,
    routes: {
      added: [...newRoutes.keys()].filter((n) => !oldRoutes.has(n)),
      removed: [...oldRoutes.keys()].filter((n) => !newRoutes.has(n)),
      replaced: kept.filter(replacedRoute),
      moves,
    },
    userData: [...groups.values()],
    newUserData: Object.keys(newPlan.userData).filter((n) => !(n in oldPlan.userData)).length,
  };
}

// ---------------------------------------------------------------- report

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function imagesPart(images: ImageCounts): string {
  const labels = { add: "added", update: "changed", replace: "replaced", remove: "removed" } as const;
  const parts = (Object.keys(labels) as (keyof ImageCounts)[])
    .filter((k) => images[k] > 0)
    .map((k) => `${plural(images[k], "image")} ${labels[k]}`);
  return parts.length ? parts.join(", ") : "0 images";
}

function movesPart(moves: readonly TagMove[]): string {
  if (moves.length === 0) return "0 routes hot-swapped";
  const groups = new Map<string, { how: TagMoveHow; from: string; to: string; tracks: Set<string>; n: number }>();
  for (const m of moves) {
    const key = `${m.how} ${m.from} ${m.to}`;
    const g = groups.get(key) ?? { how: m.how, from: m.from, to: m.to, tracks: new Set<string>(), n: 0 };
    g.tracks.add(m.track);
    g.n += 1;
    groups.set(key, g);
  }
  const rank: readonly TagMoveHow[] = ["hot-swapped", "replaced", "NOT applied"];
  const sorted = [...groups.values()].sort((a, b) => rank.indexOf(a.how) - rank.indexOf(b.how));
  // Many distinct moves would make the line unreadable: count them instead; the list below has each.
  if (sorted.length > 3) {
    const by = rank.map((h) => [h, moves.filter((m) => m.how === h).length] as const).filter(([, n]) => n > 0);
    return `${plural(moves.length, "route")} moved tags in ${sorted.length} ways (${by.map(([h, n]) => `${n} ${h}`).join(" / ")})`;
  }
  return sorted
    .map((g) => {
      const tracks = [...g.tracks].sort();
      return `${plural(g.n, "route")} ${g.how} ${g.from} -> ${g.to} on ${tracks.length === 1 ? "track" : "tracks"} ${tracks.join("/")}`;
    })
    .join(", ");
}

/** `**<stack>**: <images>, <tag moves>, <n> replaced, <n> added, <n> removed` (routes), always one line. */
export function summaryLine(d: PlanDiff): string {
  const { routes } = d;
  return `**${d.stack}**: ${imagesPart(d.images)}, ${movesPart(routes.moves)}, ${routes.replaced.length} replaced, ${routes.added.length} added, ${routes.removed.length} removed`;
}

function resourceLines(c: ResourceChange): string[] {
  const how = [
    c.replaceMode,
    c.action === "ignored" ? "ignored (no update)" : undefined,
    c.action === "update" && c.providerDecides ? "provider decides" : undefined,
  ].filter(Boolean);
  const lines = [`- **${c.action}** \`${c.name}\` \`${c.type}\`${how.length ? ` (${how.join(", ")})` : ""}`];
  for (const n of c.notes) lines.push(`  - ${n}`);
  for (const x of c.changes) {
    // Masked on both sides: the values say nothing, only that it changed.
    const values = x.old === MASKED && x.new === MASKED ? `${MASKED} (changed)` : `${x.old} -> ${x.new}`;
    lines.push(`  - \`${x.path}\` ${values}: ${x.note}`);
  }
  return lines;
}

export function renderReport(d: PlanDiff): string {
  const count = (a: Action) => d.resources.filter((c) => c.action === a).length;
  const out = [summaryLine(d), ""];
  if (d.oldStack !== d.stack) out.push(`> Note: the old plan is of stack \`${d.oldStack}\`, not \`${d.stack}\`.`, "");
  out.push(
    `Resources: ${count("add")} to add, ${count("replace")} to replace, ${count("update")} to update in place, ` +
      `${count("ignored")} with ignored changes only, ${count("remove")} to remove, ${d.unchanged} unchanged.`,
  );
  if (d.routes.moves.length) {
    out.push("", "#### Route tags");
    for (const m of d.routes.moves) out.push(`- \`${m.route}\` (${m.track}): ${m.from} -> ${m.to}, ${m.how}`);
  }
  if (d.resources.length) {
    out.push("", "#### Resources");
    for (const c of d.resources) out.push(...resourceLines(c));
  }
  if (d.userData.length || d.newUserData) {
    out.push("", "#### User-data");
    if (d.newUserData) out.push(`${plural(d.newUserData, "new instance")}: full user-data in the \`--json\` plan.`);
    for (const u of d.userData) {
      const more = u.names.length > 1 ? ` (the same change on ${u.names.length} instances)` : "";
      out.push("", `${u.names.map((n) => `\`${n}\``).join(", ")}${more}:`, "```diff", u.hunks, "```");
    }
  }
  return `${out.join("\n")}\n`;
}

export const REPORT_LIMIT = 60_000;

/** Cuts a report over REPORT_LIMIT at a line boundary, closing an open ```diff fence, and says where the rest is. */
export function limitReport(report: string, fullPath: string | undefined): string {
  if (report.length <= REPORT_LIMIT) return report;
  const marker = fullPath
    ? `> Report truncated at 60,000 characters: the full report is in ${fullPath}`
    : "> Report truncated at 60,000 characters (run the command locally for the full report)";
  const budget = REPORT_LIMIT - marker.length - "\n```\n\n\n".length;
  const cut = report.lastIndexOf("\n", budget);
  let kept = report.slice(0, cut > 0 ? cut : budget);
  if ((kept.match(/^```/gm) ?? []).length % 2 === 1) kept += "\n```";
  return `${kept}\n\n${marker}\n`;
}
