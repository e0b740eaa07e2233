/**
 * Per-resource verdicts: which resources are added, removed, replaced,
 * updated in place or changed only in ignored inputs, and what each changed
 * input does. The program's own options win (ignoreChanges, then
 * replaceOnChanges), then the provider's facts (provider-facts.ts).
 */
import { USER_DATA_INPUT } from "../../stacks/catalog";
import type { Plan, PlanResource } from "../run";
import { PROVIDER_FACTS, providerFact } from "./provider-facts";
import { changedPaths, covers, firstDifferingLines, isMasked, type PathChange, show, stringList } from "./values";

/** What the engine would do to one resource. "ignored": inputs changed, but only ignored ones. */
export type Action = "add" | "remove" | "replace" | "update" | "ignored";

/**
 * What one changed input does: replace, update in place, migrate (in place,
 * moved elsewhere), re-run a command in place, nothing (ignored; options).
 */
export type Effect = "replace" | "update" | "migrate" | "rerun" | "ignored" | "none";

export interface InputChange {
  /** Dotted input path (`inbounds[0].ports`); options are `options.<name>`. */
  readonly path: string;
  /** Shortened display values; never raw secrets or long base64. */
  readonly old: string;
  readonly new: string;
  readonly effect: Effect;
  /** What it does, for the reader: "replace (provider: ForceNew)", "in place (provider decides)", ... */
  readonly note: string;
  /** The provider fact's source, when the verdict came from one (provider-facts.ts). */
  readonly source?: string;
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

const SECRET_NOTE = "; secret input, value not shown";
const REPLACED_RERUN = "re-run (the replacement runs `create`)";

/** The command a re-run runs: Update runs `update`, or `create` when there is none (pulumi-command commandController.go). */
function rerunLabel(inputs: Readonly<Record<string, unknown>>, note: string): string {
  if (note) return `re-run (${note})`;
  return `re-run (runs \`${typeof inputs.update === "string" || isMasked(inputs.update) ? "update" : "create"}\`)`;
}

function classify(path: string, neu: PlanResource): Pick<InputChange, "effect" | "note" | "source"> {
  if (stringList(neu.options.ignoreChanges).some((p) => covers(p, path))) return { effect: "ignored", note: "ignored (ignoreChanges)" };
  if (stringList(neu.options.replaceOnChanges).some((p) => covers(p, path))) return { effect: "replace", note: "replace (replaceOnChanges)" };
  const fact = providerFact(neu.type, path);
  const known = PROVIDER_FACTS[neu.type];
  const effect = fact?.effect ?? known?.otherwise ?? "update";
  const note = fact?.note ?? "";
  const label = {
    replace: `replace (provider: ${note})`,
    update: known === undefined ? "in place (provider decides)" : note ? `in place (${note})` : "in place",
    migrate: `migration (in place: ${note})`,
    rerun: rerunLabel(neu.inputs, note),
  }[effect];
  return { effect, note: label, ...(fact ? { source: fact.source } : {}) };
}

/** Secret user-data is masked on both sides; the decoded user-data tells whether it changed. */
function secretUserDataChange(old: PlanResource, neu: PlanResource, oldPlan: Plan, newPlan: Plan): PathChange | undefined {
  const key = USER_DATA_INPUT[neu.type];
  if (key === undefined || !isMasked(old.inputs[key]) || !isMasked(neu.inputs[key])) return undefined;
  const [before, after] = [oldPlan.userData[old.name], newPlan.userData[neu.name]];
  return before !== undefined && after !== undefined && before !== after ? [key, old.inputs[key], neu.inputs[key]] : undefined;
}

/** Other secret inputs masked on both sides: the plans' digests tell whether they changed (plans without digests: unknown, not shown). */
function secretDigestChanges(old: PlanResource, neu: PlanResource, oldPlan: Plan, newPlan: Plan): PathChange[] {
  return Object.keys(neu.inputs)
    .filter((key) => key !== USER_DATA_INPUT[neu.type] && isMasked(old.inputs[key]) && isMasked(neu.inputs[key]))
    .filter((key) => {
      const [before, after] = [oldPlan.secretDigests?.[`${old.name}.${key}`], newPlan.secretDigests?.[`${neu.name}.${key}`]];
      return before !== undefined && after !== undefined && before !== after;
    })
    .map((key) => [key, old.inputs[key], neu.inputs[key]]);
}

const TRIGGERED = {
  effect: "replace",
  note: "replace (replacementTrigger differs from the recorded one)",
  source: "pulumi/pulumi:pkg/resource/deploy/step_generator.go",
} as const;

/**
 * The engine's rule (shouldTriggerReplace in pkg/resource/deploy/step_generator.go,
 * pulumi/pulumi): no trigger on either side never replaces; two triggers
 * replace when they differ (a changed path under it says they do). A masked
 * (secret) trigger is the same mask on both sides: the offline plan cannot
 * tell, the real preview can.
 */
function triggerReplaces(old: unknown, neu: unknown): boolean {
  return old !== undefined && old !== null && neu !== undefined && neu !== null;
}

function inputChange([path, o, n]: PathChange, neu: PlanResource, secretUserData: boolean): InputChange {
  const secret = isMasked(o) && isMasked(n) ? `${SECRET_NOTE}${secretUserData ? " (the decoded user-data differs)" : ""}` : "";
  const [shownOld, shownNew] = typeof o === "string" && typeof n === "string" ? firstDifferingLines(o, n) : [o, n];
  const { effect, note, source } = classify(path, neu);
  return { path, old: show(shownOld), new: show(shownNew), effect, note: `${note}${secret}`, ...(source ? { source } : {}) };
}

/** A replaced command is a new one: it runs `create`, whatever its update would have run. */
const asReplaced = (changes: readonly InputChange[]) => changes.map((c) => (c.effect === "rerun" ? { ...c, note: REPLACED_RERUN } : c));

function actionOf(changes: readonly InputChange[], urnChanged: boolean): Action {
  const effects = new Set(changes.map((c) => c.effect));
  if (urnChanged || effects.has("replace")) return "replace";
  return [...effects].some((e) => e !== "ignored") ? "update" : "ignored";
}

export function diffResource(old: PlanResource, neu: PlanResource, oldPlan: Plan, newPlan: Plan): ResourceChange | undefined {
  const raw = changedPaths(old.inputs, neu.inputs);
  const userData = secretUserDataChange(old, neu, oldPlan, newPlan);
  for (const secret of [...(userData ? [userData] : []), ...secretDigestChanges(old, neu, oldPlan, newPlan)]) {
    if (!raw.some(([p]) => p === secret[0])) raw.push(secret);
  }
  const changes = raw.map((c) => inputChange(c, neu, c[0] === userData?.[0]));
  // Options never change the cloud by themselves, but a reviewer should see e.g. a dropped ignoreChanges;
  // the one exception is a changed replacementTrigger.
  const triggered = triggerReplaces(old.options.replacementTrigger, neu.options.replacementTrigger);
  for (const [path, o, n] of changedPaths(old.options, neu.options)) {
    const replaces = triggered && /^replacementTrigger\b/.test(path);
    changes.push({ path: `options.${path}`, old: show(o), new: show(n), ...(replaces ? TRIGGERED : { effect: "none", note: "no update by itself" }) });
  }
  const urnChanged = old.urn !== neu.urn;
  if (changes.length === 0 && !urnChanged) return undefined;
  const action = actionOf(changes, urnChanged);
  return {
    action,
    urn: neu.urn,
    type: neu.type,
    name: neu.name,
    changes: action === "replace" ? asReplaced(changes) : changes,
    ...(action === "replace"
      ? { replaceMode: neu.options.deleteBeforeReplace === true ? "delete-before-replace" : "create-before-delete" }
      : {}),
    providerDecides: PROVIDER_FACTS[neu.type] === undefined,
    notes: urnChanged ? [`URN changed from ${old.urn}: without an alias Pulumi replaces it`] : [],
  };
}

export const added = (r: PlanResource): ResourceChange => ({
  action: "add", urn: r.urn, type: r.type, name: r.name, changes: [], providerDecides: false, notes: [],
});
export const removed = (r: PlanResource): ResourceChange => ({ ...added(r), action: "remove" });

export interface Matched {
  readonly pairs: [PlanResource, PlanResource][];
  readonly adds: PlanResource[];
  readonly removes: PlanResource[];
}

/** Resources matched by URN, then (for a URN that changed, e.g. a new parent) by type + name. */
export function matchResources(oldPlan: Plan, newPlan: Plan): Matched {
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
  const key = (r: PlanResource) => `${r.type}\0${r.name}`;
  const byTypeName = new Map([...byUrn.values()].map((r) => [key(r), r]));
  const adds: PlanResource[] = [];
  for (const r of unmatched) {
    const old = byTypeName.get(key(r));
    if (old) {
      pairs.push([old, r]);
      byTypeName.delete(key(r));
    } else {
      adds.push(r);
    }
  }
  return { pairs, adds, removes: [...byTypeName.values()] };
}

/**
 * Resources replaced because a resource they name in `replaceWith` is
 * replaced ("the URNs of the resources whose replaces will also replace this
 * resource": ResourceOptions.replaceWith in @pulumi/pulumi resource.ts), in
 * chains; returns every verdict, those included. `kept`: the resources in
 * both plans (new ones are created, not replaced).
 */
export function withReplaceWith(changes: readonly ResourceChange[], kept: readonly PlanResource[]): ResourceChange[] {
  const byUrn = new Map(changes.map((c) => [c.urn, c]));
  const nameOf = new Map(kept.map((r) => [r.urn, r.name]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of kept) {
      const current = byUrn.get(r.urn);
      if (current?.action === "replace") continue;
      const trigger = stringList(r.options.replaceWith).find((urn) => byUrn.get(urn)?.action === "replace");
      if (trigger === undefined) continue;
      const base = current ?? { ...added(r), action: "replace" as const, providerDecides: PROVIDER_FACTS[r.type] === undefined };
      byUrn.set(r.urn, {
        ...base,
        action: "replace",
        changes: asReplaced(base.changes),
        replaceMode: r.options.deleteBeforeReplace === true ? "delete-before-replace" : "create-before-delete",
        notes: [...base.notes, `replaced with \`${nameOf.get(trigger) ?? trigger}\` (replaceWith)`],
      });
      grew = true;
    }
  }
  return [...byUrn.values()];
}
