/**
 * diffPlans: what changes from a saved `--json` plan (e.g. the base
 * branch's) to the working tree's, put together from the per-resource
 * verdicts (resources.ts), the routes' tag moves, config pushes and waves
 * (routes.ts) and the user-data diffs (user-data.ts). Pure; the CLI does the I/O.
 */
import { mockId } from "../mocks";
import type { Plan } from "../run";
import { type Action, added, diffResource, matchResources, removed, type ResourceChange, withReplacements } from "./resources";
import {
  type ConfigPush,
  configPushes,
  type ImageMove,
  imageMoves,
  isReplaced,
  type NewlyHeld,
  newlyHeld,
  routeOwner,
  routesOf,
  type TagMove,
  tagMoves,
  type Wave,
  wavesOf,
} from "./routes";
import { type UserDataDiff, userDataDiffs } from "./user-data";
import { isRecord } from "./values";

export type ImageCounts = Readonly<Record<"add" | "update" | "replace" | "remove", number>>;

export interface PlanDiff {
  readonly stack: string;
  readonly oldStack: string;
  /** Added, changed and removed resources, in that order of severity: replace, replace?, update, update?, ignored, add, remove. */
  readonly resources: readonly ResourceChange[];
  readonly unchanged: number;
  readonly images: ImageCounts;
  readonly routes: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly replaced: readonly string[];
    readonly moves: readonly TagMove[];
    /** Routes onto another base image (replaced onto it; when `from` is unknown, only if they do not run it already). */
    readonly imageMoves: readonly ImageMove[];
    /** Routes now held at the newest build while they run their old pin (a replacement would boot the newest). */
    readonly newlyHeld: readonly NewlyHeld[];
    readonly configPushes: readonly ConfigPush[];
    /** The waves the moving routes (tag moves and config pushes) go in, first to last. */
    readonly waves: readonly Wave[];
  };
  readonly userData: readonly UserDataDiff[];
  /** Instances added with user-data (not diffed: there is nothing to diff against). */
  readonly newUserData: number;
}

const ORDER: readonly Action[] = ["replace", "replace?", "update", "update?", "ignored", "add", "remove"];
const IMAGE_TYPE = /image/i;

const isCounted = (a: Action): a is keyof ImageCounts => a === "add" || a === "update" || a === "replace" || a === "remove";

/**
 * Image resources by certain action; image components (e.g.
 * lantern:fleet:LinodeBaseImage) would count twice: only leaves count. A
 * conditional verdict ("replace?") is not a count: the resource list shows it.
 */
function imageCounts(resources: readonly ResourceChange[], oldPlan: Plan, newPlan: Plan): ImageCounts {
  const parents = new Set([...oldPlan.resources, ...newPlan.resources].map((r) => r.parent));
  const images = { add: 0, update: 0, replace: 0, remove: 0 };
  for (const c of resources) {
    if (IMAGE_TYPE.test(c.type) && !parents.has(c.urn) && isCounted(c.action)) images[c.action] += 1;
  }
  return images;
}

/** The ids in the stack output `images` (the newest build: `linode`, `alicloud.<region>`, `oci.<region>`). */
const builtIds = (plan: Plan): string[] =>
  isRecord(plan.outputs.images) ? Object.values(plan.outputs.images).flatMap((v) => (typeof v === "string" ? [v] : isRecord(v) ? Object.values(v).filter((id) => typeof id === "string") : [])) : [];

/**
 * Image ids this update creates: the new build's ids the old build lacks (an
 * image gets a new id only when it is replaced; plan/mocks.ts mockId follows
 * that). No route can run one yet, so a route declared with one surely moves.
 */
function createdImages(oldPlan: Plan, newPlan: Plan): Set<string> {
  const before = new Set(builtIds(oldPlan));
  return new Set(builtIds(newPlan).filter((id) => !before.has(id)));
}

export function diffPlans(oldPlan: Plan, newPlan: Plan): PlanDiff {
  const { pairs, adds, removes } = matchResources(oldPlan, newPlan);
  const created = createdImages(oldPlan, newPlan);
  const oldRoutes = routesOf(oldPlan);
  const newRoutes = routesOf(newPlan);
  const ownerOf = routeOwner([...oldRoutes.keys(), ...newRoutes.keys()]);
  const verdicts = pairs.map(([o, n]) => diffResource(o, n, oldPlan, newPlan, created, ownerOf(n.name))).filter((c): c is ResourceChange => c !== undefined);
  const changed = withReplacements(verdicts, pairs, (r) => mockId(r.type, r.name, r.inputs), created, ownerOf);
  const resources = [...changed, ...adds.map(added), ...removes.map(removed)]
    .map((c) => {
      const route = ownerOf(c.name);
      return route === undefined ? c : { ...c, route };
    })
    .sort((a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || a.urn.localeCompare(b.urn));
  const byUrn = new Map(resources.map((c) => [c.urn, c]));
  const kept = [...newRoutes.keys()].filter((n) => oldRoutes.has(n));
  const moves = tagMoves(oldRoutes, newRoutes, newPlan, byUrn);
  const pushes = configPushes(newRoutes, newPlan, byUrn).filter((p) => oldRoutes.has(p.route));
  const reimaged = imageMoves(oldRoutes, newRoutes, newPlan, byUrn);
  const moving = [...new Set([...moves.map((m) => m.route), ...reimaged.map((m) => m.route), ...pushes.map((p) => p.route)])];
  return {
    stack: newPlan.stack,
    oldStack: oldPlan.stack,
    resources,
    unchanged: newPlan.resources.length - adds.length - changed.length,
    images: imageCounts(resources, oldPlan, newPlan),
    routes: {
      added: [...newRoutes.keys()].filter((n) => !oldRoutes.has(n)),
      removed: [...oldRoutes.keys()].filter((n) => !newRoutes.has(n)),
      replaced: kept.filter((name) => isReplaced(name, newPlan, byUrn)),
      moves,
      imageMoves: reimaged,
      newlyHeld: newlyHeld(oldRoutes, newRoutes, oldPlan, newPlan),
      configPushes: pushes,
      waves: wavesOf(moving, newRoutes, newPlan),
    },
    userData: userDataDiffs(oldPlan, newPlan),
    newUserData: Object.keys(newPlan.userData).filter((n) => !(n in oldPlan.userData)).length,
  };
}
