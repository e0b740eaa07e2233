/**
 * Unified diffs of decoded user-data, secret-looking lines hidden. The same
 * change on many instances is shown once, with each instance's own name,
 * provider, region and track (its stack output `routes` entry) written as
 * `<name>`, `<provider>`, `<region>`, `<track>`; a change that reads the
 * same but for a few words of their own (e.g. a provider's name in another
 * spelling) is shown with it, those words listed (UserDataVariant).
 */
import { structuredPatch } from "diff";
import type { Plan } from "../run";
import { BASE64_RUN, escapeRegExp, isRecord, SECRET_LOOKING } from "./values";

/** Instances whose change is the one shown but for some words: each of `words` is [the shown diff's, theirs], at every place it appears. */
export interface UserDataVariant {
  readonly names: readonly string[];
  readonly words: readonly (readonly [string, string])[];
}

export interface UserDataDiff {
  /** Instances whose user-data changed in this way (same hunks; those in a variant with its words). */
  readonly names: readonly string[];
  /** Unified-diff hunks (`@@ ... @@` and lines), secret-looking lines hidden. */
  readonly hunks: string;
  /** Some of `names`, whose change reads the same but for a few words of their own. */
  readonly variants?: readonly UserDataVariant[];
}

/** At most this many words of their own make a variant; more, and their diff is shown. */
const MAX_VARIANT_WORDS = 3;
const WORD = /(\w+)/;

/** The words of a diff's old side (context and `-` lines) or new side (context and `+` lines). */
function sideWords(diff: string, side: "-" | "+"): Set<string> {
  const other = side === "-" ? "+" : "-";
  const lines = diff.split("\n").filter((line) => !line.startsWith(other));
  return new Set(lines.flatMap((line) => line.split(WORD).filter((_, i) => i % 2 === 1)));
}

/**
 * The words to put for the shown diff's to read `theirs`, each at every
 * place it appears in `shown`; undefined when that does not make it (other
 * text differs, a word changes in some places only, too many words) or a
 * word is part of the change (on one side of it only: a different change,
 * e.g. another new tag, is shown apart).
 */
function wordSwaps(shown: string, theirs: string): [string, string][] | undefined {
  const [a, b] = [shown.split(WORD), theirs.split(WORD)];
  if (a.length !== b.length) return undefined;
  const swaps = new Map<string, string>();
  for (let i = 0; i < a.length; i += 1) {
    const [x, y] = [a[i] ?? "", b[i] ?? ""];
    if (x === y) continue;
    // Odd places are words; anything else differing is not a word swap.
    if (i % 2 === 0 || (swaps.get(x) ?? y) !== y) return undefined;
    swaps.set(x, y);
  }
  const chained = [...swaps.values()].some((y) => swaps.has(y));
  if (swaps.size === 0 || swaps.size > MAX_VARIANT_WORDS || chained) return undefined;
  const [before, after] = [sideWords(shown, "-"), sideWords(shown, "+")];
  if (![...swaps.keys()].every((x) => before.has(x) && after.has(x))) return undefined;
  return a.every((x, i) => (i % 2 === 1 ? (swaps.get(x) ?? x) : x) === b[i]) ? [...swaps] : undefined;
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

/** The hunks with the instance's own identity as placeholders, whole tokens only (the name first: it holds the others). */
function generic(hunks: string, name: string, identity: readonly [string, string][]): string {
  const fields: [string, string][] = identity.length ? [...identity] : [["name", name]];
  return fields.reduce((text, [key, value]) => text.replace(new RegExp(`(?<![\\w.-])${escapeRegExp(value)}(?![\\w.-])`, "g"), `<${key}>`), hunks);
}

export function userDataDiffs(oldPlan: Plan, newPlan: Plan): UserDataDiff[] {
  const ids = identities(newPlan);
  const groups = new Map<string, { names: string[]; hunks: string; shared: string; key: string }>();
  for (const [name, text] of Object.entries(newPlan.userData)) {
    const before = oldPlan.userData[name];
    if (before === undefined || before === text) continue;
    const hunks = userDataHunks(name, before, text);
    const shared = generic(hunks, name, ids.get(name) ?? []);
    // Line numbers differ with each instance's own lines; the change is the same.
    const key = shared.replace(/^@@ .* @@$/gm, "@@");
    const group = groups.get(key) ?? { names: [], hunks, shared, key };
    group.names.push(name);
    groups.set(key, group);
  }
  // A change that reads as an earlier one but for a few words goes with it.
  const shown: { group: { names: string[]; hunks: string; shared: string; key: string }; variants: UserDataVariant[] }[] = [];
  for (const group of groups.values()) {
    const like = shown.map((s) => [s, wordSwaps(s.group.key, group.key)] as const).find(([, words]) => words !== undefined);
    if (like?.[1]) like[0].variants.push({ names: group.names, words: like[1] });
    else shown.push({ group, variants: [] });
  }
  return shown.map(({ group, variants }) => {
    const names = [...group.names, ...variants.flatMap((v) => v.names)];
    return { names, hunks: names.length > 1 ? group.shared : group.hunks, ...(variants.length ? { variants } : {}) };
  });
}
