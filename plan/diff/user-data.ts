/**
 * Unified diffs of decoded user-data, secret-looking lines hidden. The same
 * change on many instances is shown once, each instance's own name written
 * as `<instance>`.
 */
import { structuredPatch } from "diff";
import type { Plan } from "../run";
import { BASE64_RUN, SECRET_LOOKING } from "./values";

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

/** Stands for each instance's own name in a change shared by many instances (its name is in its OTEL attributes). */
export const OWN_NAME = "<instance>";

export function userDataDiffs(oldPlan: Plan, newPlan: Plan): UserDataDiff[] {
  const groups = new Map<string, { names: string[]; hunks: string }>();
  for (const [name, text] of Object.entries(newPlan.userData)) {
    const before = oldPlan.userData[name];
    if (before === undefined || before === text) continue;
    const hunks = userDataHunks(name, before, text);
    const shared = hunks.split(name).join(OWN_NAME);
    const group = groups.get(shared) ?? { names: [], hunks };
    group.names.push(name);
    groups.set(shared, group);
  }
  return [...groups].map(([shared, g]) => ({ names: g.names, hunks: g.names.length > 1 ? shared : g.hunks }));
}
