/**
 * Unified diffs of decoded user-data, secret-looking lines hidden. The same
 * change on many instances is shown once, with each instance's own name,
 * provider, region and track (its stack output `routes` entry) written as
 * `<name>`, `<provider>`, `<region>`, `<track>`.
 */
import { structuredPatch } from "diff";
import type { Plan } from "../run";
import { BASE64_RUN, isRecord, SECRET_LOOKING } from "./values";

export interface UserDataDiff {
  /** Instances whose user-data changed in exactly this way (same hunks). */
  readonly names: readonly string[];
  /** Unified-diff hunks (`@@ ... @@` and lines), secret-looking lines hidden. */
  readonly hunks: string;
}

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

/** The route output fields that name an instance; in a change shared by many instances they read `<name>`, `<provider>`, ... */
const IDENTITY = ["name", "provider", "region", "track"] as const;

/** Each instance's identity from the stack output `routes` (name, provider, region, track). */
function identities(plan: Plan): Map<string, [string, string][]> {
  const routes = Array.isArray(plan.outputs.routes) ? (plan.outputs.routes as unknown[]) : [];
  return new Map(
    routes.filter(isRecord).flatMap((r) => {
      if (typeof r.name !== "string") return [];
      const fields = IDENTITY.flatMap((k) => (typeof r[k] === "string" && r[k] !== "" ? [[k, r[k]] as [string, string]] : []));
      return [[r.name, fields] as const];
    }),
  );
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The hunks with the instance's own identity as placeholders, whole tokens only (the name first: it holds the others). */
function generic(hunks: string, name: string, identity: readonly [string, string][]): string {
  const fields: [string, string][] = identity.length ? [...identity] : [["name", name]];
  return fields.reduce((text, [key, value]) => text.replace(new RegExp(`(?<![\\w.-])${escape(value)}(?![\\w.-])`, "g"), `<${key}>`), hunks);
}

export function userDataDiffs(oldPlan: Plan, newPlan: Plan): UserDataDiff[] {
  const ids = identities(newPlan);
  const groups = new Map<string, { names: string[]; hunks: string; shared: string }>();
  for (const [name, text] of Object.entries(newPlan.userData)) {
    const before = oldPlan.userData[name];
    if (before === undefined || before === text) continue;
    const hunks = userDataHunks(name, before, text);
    const shared = generic(hunks, name, ids.get(name) ?? []);
    // Line numbers differ with each instance's own lines; the change is the same.
    const key = shared.replace(/^@@ .* @@$/gm, "@@");
    const group = groups.get(key) ?? { names: [], hunks, shared };
    group.names.push(name);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ names: g.names, hunks: g.names.length > 1 ? g.shared : g.hunks }));
}
