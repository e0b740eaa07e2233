/**
 * Per-resource verdicts: which resources are added, removed, replaced,
 * updated in place or changed only in ignored inputs, and what each changed
 * input does. The program's own options win (ignoreChanges, then
 * replaceOnChanges), then the provider's facts (provider-facts.ts).
 *
 * An input the old plan ignored and the new one does not is "released":
 * the engine then diffs the declared value against the one recorded in the
 * stack's state (processIgnoreChanges copies the state's value only for the
 * new program's ignoreChanges; applyReplaceOnChanges acts only on a change
 * the provider reports: pkg/resource/deploy/step_generator.go in
 * pulumi/pulumi). The offline plan cannot read state (the old plan holds
 * the declared value, not the recorded one), so such an input replaces or
 * updates only "if the recorded value differs": "replace?" / "update?";
 * surely when it is declared with a value this update creates (a new
 * image's id), which no recorded value can equal.
 */
import { USER_DATA_INPUT } from "../../stacks/catalog";
import type { Plan, PlanResource } from "../run";
import { PROVIDER_FACTS, providerFact } from "./provider-facts";
import { changedPaths, covers, escapeRegExp, firstDifferingLines, isMasked, type PathChange, show, stringList, valueAt } from "./values";

/**
 * What the engine would do to one resource. "ignored": inputs changed, but
 * only ignored ones; "replace?" / "update?": only if a released input's
 * recorded value (in the stack's state) differs from the declared one.
 */
export type Action = "add" | "remove" | "replace" | "replace?" | "update" | "update?" | "ignored";

/**
 * What one changed input does: replace, update in place, migrate (in place,
 * moved elsewhere), re-run a command in place, nothing (ignored; options);
 * "replace?" / "update?": a released input, which replaces (or changes in
 * place) only if its recorded value differs.
 */
export type Effect = "replace" | "replace?" | "update" | "update?" | "migrate" | "rerun" | "ignored" | "none";

/** The conditional verdicts: the real preview, which reads the recorded values, decides. */
export const CONDITIONAL: ReadonlySet<Action | Effect> = new Set(["replace?", "update?"]);

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
  /** Ignored by the old plan, not by the new one: the value in use is the recorded one (state), not the old plan's; `old` says so. */
  readonly released?: true;
  /** `old` and `new` with the resource's route written `<route>` (ResourceChange.route), so the same change on many routes reads the same. */
  readonly generic?: { readonly old: string; readonly new: string };
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
  /** The route it belongs to (named like it, or `<route>-...`): plan-diff.ts sets it. */
  readonly route?: string;
}

const SECRET_NOTE = "; secret input, value not shown";
/** A released input's old side: the value that counts is the recorded one, which only the stack's state has. */
const RECORDED = "(recorded, in state)";
const IF_RECORDED_DIFFERS =
  ", if the recorded value differs (ignored before: the value in use is the one in the stack's state, which the real preview reads)";
const CREATED_NOW = " (ignored before; declared with a value this update creates, so it differs from the recorded one)";
const REPLACED_RERUN = "re-run (the replacement runs `create`)";

/** The command a re-run runs: Update runs `update`, or `create` when there is none (pulumi-command commandController.go). */
function rerunLabel(inputs: Readonly<Record<string, unknown>>, note: string): string {
  if (note) return `re-run (${note})`;
  return `re-run (runs \`${typeof inputs.update === "string" || isMasked(inputs.update) ? "update" : "create"}\`)`;
}

const ignores = (r: PlanResource, path: string) => stringList(r.options.ignoreChanges).some((p) => covers(p, path));

/** Ignored by the old plan's options and not by the new one's: the engine diffs it against the recorded value. */
const isReleased = (path: string, old: PlanResource, neu: PlanResource) => ignores(old, path) && !ignores(neu, path);

type Verdict = Pick<InputChange, "effect" | "note" | "source" | "released">;

/** `created`: values this update creates (new images' ids); a released input declared with one surely differs from the recorded value. */
function classify(path: string, value: unknown, old: PlanResource, neu: PlanResource, created: ReadonlySet<string>): Verdict {
  if (ignores(neu, path)) return { effect: "ignored", note: "ignored (ignoreChanges)" };
  const declared = classifyDeclared(path, neu);
  if (!isReleased(path, old, neu)) return declared;
  if (typeof value === "string" && created.has(value)) return { ...declared, note: `${declared.note}${CREATED_NOW}`, released: true };
  const effect = declared.effect === "replace" ? "replace?" : "update?";
  return { ...declared, effect, note: `${declared.note}${IF_RECORDED_DIFFERS}`, released: true };
}

/** What a change of a declared input does, by the program's replaceOnChanges, then the provider's facts. */
function classifyDeclared(path: string, neu: PlanResource): Pick<InputChange, "effect" | "note" | "source"> {
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
 * A resource whose provider changes is kept and from then on read, updated
 * and deleted through the new provider; the engine replaces it only when
 * the new provider's DiffConfig asks for it (providerChanged in
 * pkg/resource/deploy/step_generator.go). The bridged providers ask only for
 * config marked ForcesProviderReplace (pulumi-terraform-bridge
 * pkg/tfbridge/provider.go, configDiffer), which pulumi-alicloud and
 * pulumi-oci set on nothing, `region` included: a resource moved to another
 * region's provider is looked for in that region. The program replaces such
 * resources itself (plan/change-paths.test.ts checks every change).
 */
const REHOMED = {
  effect: "none",
  note: "no replacement by itself: the resource is kept and addressed through the new provider",
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

/** Display values, and with `route` the same with its name written `<route>` (InputChange.generic). */
function shown(o: unknown, n: unknown, route: string | undefined, released = false): Pick<InputChange, "old" | "new" | "generic"> {
  const pair = (as?: string) => ({ old: released ? RECORDED : show(o, as), new: show(n, as) });
  return { ...pair(), ...(route === undefined ? {} : { generic: pair(route) }) };
}

function inputChange([path, o, n]: PathChange, old: PlanResource, neu: PlanResource, secretUserData: boolean, created: ReadonlySet<string>, route?: string): InputChange {
  const secret = isMasked(o) && isMasked(n) ? `${SECRET_NOTE}${secretUserData ? " (the decoded user-data differs)" : ""}` : "";
  const [shownOld, shownNew] = typeof o === "string" && typeof n === "string" ? firstDifferingLines(o, n) : [o, n];
  const { effect, note, source, released } = classify(path, n, old, neu, created);
  return {
    path,
    ...shown(shownOld, shownNew, route, released),
    effect,
    note: `${note}${secret}`,
    ...(source ? { source } : {}),
    ...(released ? { released } : {}),
  };
}

/**
 * Released inputs whose declared value is the same in both plans: no
 * changed path shows them, yet the engine compares them with the recorded
 * value, which may differ (e.g. a route released from `hold` keeps the image
 * it booted; the old plan declares the newest build).
 */
function releasedUnchanged(old: PlanResource, neu: PlanResource, changed: readonly PathChange[]): PathChange[] {
  return stringList(old.options.ignoreChanges)
    .filter((path) => isReleased(path, old, neu) && !changed.some(([p]) => covers(path, p)))
    .map((path) => [path, valueAt(old.inputs, path), valueAt(neu.inputs, path)]);
}

/** A replaced command is a new one: it runs `create`, whatever its update would have run. */
const asReplaced = (changes: readonly InputChange[]) => changes.map((c) => (c.effect === "rerun" ? { ...c, note: REPLACED_RERUN } : c));

/** The most severe effect decides; an option change alone ("none") is an update, as before any conditional one. */
const ACTION_OF: readonly (readonly [Effect, Action])[] = [
  ["replace", "replace"],
  ["replace?", "replace?"],
  ["update", "update"],
  ["migrate", "update"],
  ["rerun", "update"],
  ["update?", "update?"],
  ["none", "update"],
];

function actionOf(changes: readonly InputChange[], urnChanged: boolean): Action {
  if (urnChanged) return "replace";
  const effects = new Set(changes.map((c) => c.effect));
  return ACTION_OF.find(([effect]) => effects.has(effect))?.[1] ?? "ignored";
}

/** How surely an action replaces: 2 surely, 1 if a recorded value differs, 0 not. */
const replaceSeverity = (a: Action | undefined): number => (a === "replace" ? 2 : a === "replace?" ? 1 : 0);

/** What a replaced resource's id becomes: unknown in the preview, new on `up`. */
const NEW_ID = "(new id)";

/** Replaced, certainly or if a recorded value differs: how it would be replaced matters either way. */
const mayReplace = (action: Action | undefined) => action === "replace" || action === "replace?";
const replaceModeOf = (r: PlanResource) => (r.options.deleteBeforeReplace === true ? "delete-before-replace" : "create-before-delete");

/**
 * `created`: values this update creates (new images' ids, plan-diff.ts), which no recorded value can equal;
 * `route`: the route the resource belongs to, for InputChange.generic.
 */
export function diffResource(
  old: PlanResource,
  neu: PlanResource,
  oldPlan: Plan,
  newPlan: Plan,
  created: ReadonlySet<string> = new Set(),
  route?: string,
): ResourceChange | undefined {
  const raw = changedPaths(old.inputs, neu.inputs);
  const userData = secretUserDataChange(old, neu, oldPlan, newPlan);
  for (const secret of [...(userData ? [userData] : []), ...secretDigestChanges(old, neu, oldPlan, newPlan)]) {
    if (!raw.some(([p]) => p === secret[0])) raw.push(secret);
  }
  raw.push(...releasedUnchanged(old, neu, raw));
  const changes = raw.map((c) => inputChange(c, old, neu, c[0] === userData?.[0], created, route));
  // Options never change the cloud by themselves, but a reviewer should see e.g. a dropped ignoreChanges;
  // the one exception is a changed replacementTrigger.
  const triggered = triggerReplaces(old.options.replacementTrigger, neu.options.replacementTrigger);
  for (const [path, o, n] of changedPaths(old.options, neu.options)) {
    const replaces = triggered && /^replacementTrigger\b/.test(path);
    changes.push({ path: `options.${path}`, ...shown(o, n, route), ...(replaces ? TRIGGERED : path === "provider" ? REHOMED : { effect: "none", note: "no update by itself" }) });
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
    ...(mayReplace(action) ? { replaceMode: replaceModeOf(neu) } : {}),
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
 * chains; returns every verdict, those included. One named that is replaced
 * only if a recorded value differs ("replace?") replaces it on the same
 * condition. `kept`: the resources in both plans (new ones are created, not
 * replaced).
 */
function withReplaceWith(changes: readonly ResourceChange[], kept: readonly PlanResource[]): ResourceChange[] {
  const byUrn = new Map(changes.map((c) => [c.urn, c]));
  const nameOf = new Map(kept.map((r) => [r.urn, r.name]));
  // A "replace?" can become a "replace" when a certain trigger shows up later in the chain (replaceSeverity).
  const ownVerdicts = new Map(changes.map((c) => [c.urn, c]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of kept) {
      const current = byUrn.get(r.urn);
      const trigger = stringList(r.options.replaceWith)
        .filter((urn) => mayReplace(byUrn.get(urn)?.action))
        .sort((a, b) => replaceSeverity(byUrn.get(b)?.action) - replaceSeverity(byUrn.get(a)?.action))[0];
      const action = trigger === undefined ? undefined : byUrn.get(trigger)?.action;
      if (trigger === undefined || action === undefined || replaceSeverity(current?.action) >= replaceSeverity(action)) continue;
      const base = ownVerdicts.get(r.urn) ?? { ...added(r), action, providerDecides: PROVIDER_FACTS[r.type] === undefined };
      const note = action === "replace" ? "(replaceWith)" : "if that one is (replaceWith)";
      byUrn.set(r.urn, {
        ...base,
        action,
        changes: action === "replace" ? asReplaced(base.changes) : base.changes,
        replaceMode: replaceModeOf(r),
        notes: [...base.notes, `replaced with \`${nameOf.get(trigger) ?? trigger}\` ${note}`],
      });
      grew = true;
    }
  }
  return [...byUrn.values()];
}

/** Every leaf of a value with its input path (`triggers[1]`, `createVnicDetails.subnetId`), as changedPaths writes paths. */
function leaves(value: unknown, path = "", out: [string, unknown][] = []): [string, unknown][] {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  else out.push([path, value]);
  return out;
}

/**
 * Every verdict once replacements have spread: through `replaceWith`
 * (withReplaceWith) and through ids. A replacement's id is unknown in a
 * preview (the bridged providers create nothing and answer without one:
 * pulumi-terraform-bridge pkg/tfbridge/provider.go, Create, ProposedState
 * when GetPreview(); the SDK then resolves it unknown: @pulumi/pulumi
 * runtime/resource.ts, `resp.getId() || undefined`) and a new one on `up`,
 * so every input that held the old id, or a name made from it, changes, with
 * the effect the program's options and the provider's facts give it (a
 * command's triggers, an image's source instance, a replacementTrigger). The
 * mocks' ids (`idOf`: plan/mocks.ts mockId) are the same in both plans, so no
 * changed path shows it. Each round starts again from the resources' own
 * verdicts (`own`) with the replacements the previous round found, until
 * none changes: a holder of a conditionally replaced ("replace?") resource's
 * id changes on the same condition, and surely once that one surely is.
 */
export function withReplacements(
  own: readonly ResourceChange[],
  pairs: readonly (readonly [PlanResource, PlanResource])[],
  idOf: (r: PlanResource) => string,
  created: ReadonlySet<string> = new Set(),
  routeOf: (name: string) => string | undefined = () => undefined,
): ResourceChange[] {
  const kept = pairs.map(([, r]) => r);
  const idByUrn = new Map(kept.map((r) => [r.urn, idOf(r)]));
  const byId = new Map(kept.map((r) => [idByUrn.get(r.urn)!, r]));
  // Each resource's values that may hold an id, read once: the rounds only ask which ids are replaced.
  const values = pairs.map(([old, neu]) => ({
    old,
    neu,
    leaves: [...leaves(neu.inputs), ...leaves(neu.options.replacementTrigger, "options.replacementTrigger")].filter(
      (leaf): leaf is [string, string | number] => typeof leaf[1] === "string" || typeof leaf[1] === "number",
    ),
  }));
  let result = withReplaceWith(own, kept);
  for (let previous = ""; ; ) {
    const actions = result.map((c) => `${c.urn} ${c.action}`).join("\n");
    if (actions === previous) return result;
    previous = actions;
    const replaced = new Map(result.filter((c) => mayReplace(c.action)).map((c) => [c.urn, c.action]));
    // A value made from an id (an interpolated name) is unknown with it; an id of digits only (Linode's) must match whole.
    const inNames = [...replaced.keys()].flatMap((urn) => {
      const id = idByUrn.get(urn);
      return id !== undefined && /\D/.test(id) ? [escapeRegExp(id)] : [];
    });
    const within = inNames.length > 0 ? new RegExp(inNames.join("|")) : undefined;
    const holder = (value: string): PlanResource | undefined => {
      const exact = byId.get(value);
      if (exact && replaced.has(exact.urn)) return exact;
      const id = within?.exec(value)?.[0];
      return id === undefined ? undefined : byId.get(id);
    };
    result = withReplaceWith(withIdChanges(own, values, replaced, holder, created, routeOf), kept);
  }
}

/** `own` with the changes of values that hold the id of a resource in `replaced` (urn -> "replace" or "replace?"; `holder`: whose id a value holds). */
function withIdChanges(
  own: readonly ResourceChange[],
  values: readonly { readonly old: PlanResource; readonly neu: PlanResource; readonly leaves: readonly [string, string | number][] }[],
  replaced: ReadonlyMap<string, Action>,
  holder: (value: string) => PlanResource | undefined,
  created: ReadonlySet<string>,
  routeOf: (name: string) => string | undefined,
): ResourceChange[] {
  const byUrn = new Map(own.map((c) => [c.urn, c]));
  const severity = (urn: string) => replaceSeverity(replaced.get(urn));
  for (const { old, neu, leaves: held0 } of values) {
    const current = byUrn.get(neu.urn);
    if (current?.action === "replace") continue;
    const held = held0.flatMap(([path, value]) => {
      const source = holder(String(value));
      return source && source.urn !== neu.urn && !current?.changes.some((c) => c.path === path) ? [[path, value, source] as const] : [];
    });
    // Replaced with a resource it names in replaceWith, as surely: withReplaceWith says so, and why.
    const byReplaceWith = Math.max(0, ...stringList(neu.options.replaceWith).map(severity));
    if (held.length === 0 || byReplaceWith >= Math.max(...held.map(([, , source]) => severity(source.urn)))) continue;
    const route = routeOf(neu.name);
    const added = held.map(([path, value, source]): InputChange => {
      const certain = replaced.get(source.urn) === "replace";
      const verdict = path.startsWith("options.") ? TRIGGERED : classify(path, value, old, neu, created);
      const conditional = !certain && (verdict.effect === "replace" || verdict.effect === "update" || verdict.effect === "rerun");
      const effect = conditional ? (verdict.effect === "replace" ? "replace?" : "update?") : verdict.effect;
      const note = `${verdict.note}; the id of \`${source.name}\`, which is replaced${certain ? "" : " if its recorded value differs"}: unknown in the preview, a new one on \`up\``;
      const { old: shownOld, generic } = shown(value, undefined, route);
      return {
        path,
        old: shownOld,
        new: NEW_ID,
        ...(generic ? { generic: { old: generic.old, new: NEW_ID } } : {}),
        effect,
        note,
        ...(verdict.source ? { source: verdict.source } : {}),
      };
    });
    const all = [...(current?.changes ?? []), ...added];
    const action = actionOf(all, false);
    const base = current ?? { ...removed(neu), action, providerDecides: PROVIDER_FACTS[neu.type] === undefined };
    byUrn.set(neu.urn, {
      ...base,
      action,
      changes: action === "replace" ? asReplaced(all) : all,
      ...(mayReplace(action) ? { replaceMode: replaceModeOf(neu) } : {}),
    });
  }
  return [...byUrn.values()];
}
