/**
 * Route logic of the plan diff: which routes move to another base image
 * (stack output `routes[].image`: a rebuild reaching a track on `newest`,
 * or a track rolled to other images), which move to a new release tag and
 * how (a new instance verified by `<route>-verify`, or `<route>-hotswap`
 * installing it), which hot-swap routes get a config push
 * (`<route>-config`), and the release waves they move in (stack output
 * `routes[].wave`, 0 first; the commands' `options.dependsOn` when the plan
 * records it).
 */
import { heldImageName } from "../../components/naming";
import { IMAGE_INPUT } from "../../stacks/catalog";
import type { Plan, PlanResource } from "../run";
import type { InputChange, ResourceChange } from "./resources";
import { isRecord, stringList } from "./values";

/** How a route reaches its new tag: by the hot-swap command, by a new VM, or not at all. */
export type TagMoveHow = "hot-swapped" | "replaced" | "NOT applied";

export interface TagMove {
  readonly route: string;
  readonly track: string;
  readonly from: string;
  readonly to: string;
  readonly how: TagMoveHow;
  /** Release wave (0 first); undefined when the plan's outputs have none. */
  readonly wave?: number;
  /** The route's release commands that run on this change (`<route>-verify`, `<route>-hotswap`). */
  readonly commands: readonly string[];
}

/**
 * A hot-swap route whose `<route>-config` pushes: it is created or replaced
 * (new files, its trigger; or a new instance), surely or, `ifReplaced`,
 * only if a recorded value differs.
 */
export interface ConfigPush {
  readonly route: string;
  readonly command: string;
  readonly wave?: number;
  readonly ifReplaced?: true;
}

export interface Wave {
  readonly wave: number;
  readonly routes: readonly string[];
  readonly tracks: readonly string[];
  /** Resources this wave's release commands wait for (`options.dependsOn`); undefined: the plan does not record it. */
  readonly after?: readonly string[];
}

export interface RouteOutput {
  readonly name: string;
  readonly track: string;
  readonly releaseTag: string;
  /** The base image id it boots; undefined when the plan's outputs have none. */
  readonly image?: string;
  readonly wave?: number;
}

/**
 * A route that boots another base image: its instance is replaced onto it,
 * surely, or, released from `hold` onto a build that already existed, only
 * if the image it runs differs (its instance's image input is "replace?",
 * resources.ts).
 */
export interface ImageMove {
  readonly route: string;
  readonly track: string;
  /** The image it runs; undefined for a route released from `hold`: that image is in the stack's state. */
  readonly from?: string;
  readonly to: string;
  /** Replaced only if the image it runs (in the stack's state) differs from `to`; the real preview tells. */
  readonly ifDiffers: boolean;
  readonly wave?: number;
}

const text = (v: unknown) => (typeof v === "string" ? v : "?");

export function routesOf(plan: Plan): Map<string, RouteOutput> {
  const list = Array.isArray(plan.outputs.routes) ? (plan.outputs.routes as unknown[]) : [];
  return new Map(
    list
      .filter(isRecord)
      .filter((r) => typeof r.name === "string")
      .map((r) => {
        const route: RouteOutput = {
          name: r.name as string,
          track: text(r.track),
          releaseTag: text(r.releaseTag),
          ...(typeof r.image === "string" ? { image: r.image } : {}),
          ...(typeof r.wave === "number" ? { wave: r.wave } : {}),
        };
        return [route.name, route];
      }),
  );
}

const lastName = (urn: string) => urn.split("::").pop() ?? "";
const belongsTo = (name: string, route: string) => name === route || name.startsWith(`${route}-`);

/** The route a resource belongs to by its name (the route's, or `<route>-...`): the longest such route name. */
export function routeOwner(routes: Iterable<string>): (name: string) => string | undefined {
  const names = new Set(routes);
  return (name) => {
    // The name itself, then each prefix cut at a `-`, longest first.
    for (let end = name.length; end > 0; end = name.lastIndexOf("-", end - 1)) {
      if (names.has(name.slice(0, end))) return name.slice(0, end);
    }
    return undefined;
  };
}

/** The route's instance: the custom resource named like the route, preferring an `...Instance` type. */
export function instanceOf(route: string, plan: Plan): PlanResource | undefined {
  const named = plan.resources.filter((r) => r.name === route);
  return named.find((r) => /instance/i.test(r.type)) ?? (route in plan.userData ? named[0] : undefined);
}

const COMMAND_TYPE = "command:remote:Command";
/** The route's release commands, per rollout (components/release/index.ts releaseCommand, configPush). */
const HOT_SWAP_SUFFIX = "-hotswap";
const RELEASE_SUFFIXES = ["-verify", HOT_SWAP_SUFFIX] as const;
const CONFIG_SUFFIX = "-config";

/** A route's remote commands: named after the route, or under a parent that is. */
function commandsOf(route: string, plan: Plan): PlanResource[] {
  const byUrn = new Map(plan.resources.map((x) => [x.urn, x]));
  const ancestors = (r: PlanResource) => {
    const names: string[] = [];
    for (let parent = r.parent; parent && names.length < 20; parent = byUrn.get(parent)?.parent ?? "") names.push(lastName(parent));
    return names;
  };
  return plan.resources.filter(
    (r) => r.type === COMMAND_TYPE && (belongsTo(r.name, route) || ancestors(r).some((n) => belongsTo(n, route))),
  );
}

/** A command runs on this change: added, replaced, or updated with an input that re-runs it. */
const runs = (c: ResourceChange | undefined) =>
  c !== undefined && (c.action === "add" || c.action === "replace" || c.changes.some((x) => x.effect === "rerun"));

type Changes = ReadonlyMap<string, ResourceChange>;

/** The route's instance is replaced (a new VM, new IP). */
export function isReplaced(name: string, plan: Plan, changes: Changes): boolean {
  const instance = instanceOf(name, plan);
  return instance !== undefined && changes.get(instance.urn)?.action === "replace";
}

export function tagMoves(oldRoutes: Map<string, RouteOutput>, newRoutes: Map<string, RouteOutput>, plan: Plan, changes: Changes): TagMove[] {
  const moves: TagMove[] = [];
  for (const [name, n] of newRoutes) {
    const o = oldRoutes.get(name);
    if (o === undefined || o.releaseTag === n.releaseTag) continue;
    const running = commandsOf(name, plan)
      .filter((cmd) => !cmd.name.endsWith(CONFIG_SUFFIX) && runs(changes.get(cmd.urn)))
      .map((cmd) => cmd.name);
    // Not replaced and no hot-swap runs: only the user-data changed, which cloud-init does not re-read.
    const how: TagMoveHow = isReplaced(name, plan, changes) ? "replaced" : running.includes(`${name}${HOT_SWAP_SUFFIX}`) ? "hot-swapped" : "NOT applied";
    moves.push({ route: name, track: n.track, from: o.releaseTag, to: n.releaseTag, how, commands: running, ...(n.wave === undefined ? {} : { wave: n.wave }) });
  }
  return moves;
}

/** A push runs only when its command is created: its `update` pushes nothing (components/release configPushCommand). */
const pushes = (c: ResourceChange | undefined): c is ResourceChange => c !== undefined && (c.action === "add" || c.action === "replace" || c.action === "replace?");

export function configPushes(routes: Map<string, RouteOutput>, plan: Plan, changes: Changes): ConfigPush[] {
  const commands = new Map(plan.resources.filter((r) => r.type === COMMAND_TYPE).map((r) => [r.name, r]));
  return [...routes.values()].flatMap((r) => {
    const cmd = commands.get(`${r.name}${CONFIG_SUFFIX}`);
    const change = cmd && changes.get(cmd.urn);
    if (cmd === undefined || !pushes(change)) return [];
    return [{ route: r.name, command: cmd.name, ...(r.wave === undefined ? {} : { wave: r.wave }), ...(change.action === "replace?" ? { ifReplaced: true as const } : {}) }];
  });
}

/**
 * The waves the given routes move in, first to last: each wave's routes and
 * tracks, and what its release commands wait for (`options.dependsOn`,
 * resources of other routes only).
 */
export function wavesOf(names: readonly string[], routes: Map<string, RouteOutput>, plan: Plan): Wave[] {
  const byWave = new Map<number, RouteOutput[]>();
  for (const name of names) {
    const r = routes.get(name);
    if (r?.wave === undefined) continue;
    byWave.set(r.wave, [...(byWave.get(r.wave) ?? []), r]);
  }
  const nameOf = new Map(plan.resources.map((r) => [r.urn, r.name]));
  return [...byWave.entries()]
    .sort(([a], [b]) => a - b)
    .map(([wave, members]) => {
      const release = members.flatMap((m) =>
        commandsOf(m.name, plan).filter((c) => RELEASE_SUFFIXES.some((s) => c.name === `${m.name}${s}`)),
      );
      const recorded = release.filter((c) => "dependsOn" in c.options);
      const after = recorded
        .flatMap((c) => stringList(c.options.dependsOn))
        .map((urn) => nameOf.get(urn) ?? lastName(urn))
        .filter((n) => !members.some((m) => belongsTo(n, m.name)));
      return {
        wave,
        routes: members.map((m) => m.name),
        tracks: [...new Set(members.map((m) => m.track))].sort(),
        ...(recorded.length > 0 ? { after: [...new Set(after)].sort() } : {}),
      };
    });
}

/** The change of the instance's image input (IMAGE_INPUT: the one helper that looks it up). */
function imageInputChange(instance: PlanResource, change: ResourceChange | undefined): InputChange | undefined {
  const property = IMAGE_INPUT[instance.type];
  return change?.changes.find((c) => c.path.split(/[.[]/)[0] === property);
}

/**
 * Routes in both plans that move onto another base image: their instance
 * is replaced and its image input changes (not as an ignored input: a route
 * of a track on `hold` never moves, through a replacement too, since its
 * stash keeps the image it was created with: components/fleet.ts
 * routeImage), or their image input is released from
 * `hold` (resources.ts): onto an image this update creates, surely; onto an
 * existing one, "if the recorded value differs": unless they run it
 * already, which only the real preview (reading the stack's state) tells.
 */
export function imageMoves(oldRoutes: Map<string, RouteOutput>, newRoutes: Map<string, RouteOutput>, plan: Plan, changes: Changes): ImageMove[] {
  return [...newRoutes.values()].flatMap((route): ImageMove[] => {
    const from = oldRoutes.get(route.name)?.image;
    const instance = instanceOf(route.name, plan);
    if (!oldRoutes.has(route.name) || route.image === undefined || instance === undefined) return [];
    const change = changes.get(instance.urn);
    const image = imageInputChange(instance, change);
    const where = { route: route.name, track: route.track, to: route.image, ...(route.wave === undefined ? {} : { wave: route.wave }) };
    if (image?.effect === "replace?") return [{ ...where, ifDiffers: true }];
    if (change?.action !== "replace" || image === undefined || image.effect === "ignored") return [];
    // Released onto an image this update creates: surely replaced, from an image only the state knows.
    if (image.released) return [{ ...where, ifDiffers: false }];
    return from !== undefined && from !== route.image ? [{ ...where, from, ifDiffers: false }] : [];
  });
}

/**
 * A route whose track goes from a pin to `hold` while it runs another build
 * than the newest: its stash (`<route>-held-image`) is created now, with the
 * newest build, and keeps that (components/fleet.ts routeImage), so the
 * route runs its pin until something replaces it, and the replacement boots
 * the newest build. Nothing moves in this update; the reviewer should know.
 */
export interface NewlyHeld {
  readonly route: string;
  readonly track: string;
  /** The build it runs (its pin in the old plan). */
  readonly runs: string;
  /** The build its new stash holds: what a replacement boots. */
  readonly holds: string;
  readonly wave?: number;
}

export function newlyHeld(oldRoutes: Map<string, RouteOutput>, newRoutes: Map<string, RouteOutput>, oldPlan: Plan, newPlan: Plan): NewlyHeld[] {
  const stashes = (plan: Plan) => new Set(plan.resources.filter((r) => r.type === "pulumi:index:Stash").map((r) => r.name));
  const [before, after] = [stashes(oldPlan), stashes(newPlan)];
  return [...newRoutes.values()].flatMap((route): NewlyHeld[] => {
    const runs = oldRoutes.get(route.name)?.image;
    if (runs === undefined || route.image === undefined || runs === route.image) return [];
    if (!after.has(heldImageName(route.name)) || before.has(heldImageName(route.name))) return [];
    return [{ route: route.name, track: route.track, runs, holds: route.image, ...(route.wave === undefined ? {} : { wave: route.wave }) }];
  });
}
