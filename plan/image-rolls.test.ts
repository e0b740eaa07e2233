/**
 * Images roll like releases, per track, only when an operator rolls them
 * (config image.tracks; README "Rolling images"). Planned on staging, whose
 * tracks are on `hold`: a rebuild, a route added after it, canary rolled
 * onto the newest build, then canary pinned back to the first build (the
 * ids `npm run roll-images` prints from the stack output `images`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IMAGE_PROPERTY, INSTANCE_TYPES, type ProviderName } from "../stacks/catalog";
import { trackPins } from "../stacks/roll-images";
import { diffPlans, type PlanDiff, renderReport } from "./diff";
import type { Plan } from "./run";
import { planJsonAsync, type StackConfig, variantStackFile } from "./testing";

const P = "lantern-fleet:";
const image = (c: StackConfig) => c[`${P}image`] as { rebuild?: string; tracks: Record<string, unknown> };

/** What running the commands `roll-images` prints does to the config: the track's pin becomes `images`. */
function pin(c: StackConfig, track: string, images: unknown) {
  const pinned: Record<string, any> = {};
  for (const [path, id] of trackPins(track, images)) {
    const keys = path.split(".").slice(3); // image.tracks.<track>.
    let at = pinned;
    for (const key of keys.slice(0, -1)) at = at[key] ??= {};
    at[keys.at(-1)!] = id;
  }
  image(c).tracks[track] = pinned;
}

const plan = (...edits: ((c: StackConfig) => void)[]) =>
  planJsonAsync(["--stack", "staging", "--config-file", variantStackFile("staging", (c) => edits.forEach((edit) => edit(c)))]);
interface RouteOutput {
  readonly name: string;
  readonly provider: ProviderName;
  readonly track: string;
  readonly image: string;
}
const routesOf = (p: Plan) => p.outputs.routes as RouteOutput[];
/** The image id a route's instance is declared with (what a new instance boots). */
function declaredImage(p: Plan, route: RouteOutput): unknown {
  const instance = p.resources.find((r) => r.type === INSTANCE_TYPES[route.provider] && r.name === route.name) ?? assert.fail(route.name);
  const raw = instance.inputs[IMAGE_PROPERTY[route.provider]];
  return route.provider === "oci" ? (raw as { sourceId: string }).sourceId : raw;
}
/** Everything of one route (the instance, its firewall, commands, key) the engine would change: all but ignored changes. */
const routeChanges = (d: PlanDiff, route: string) =>
  d.resources.filter((c) => c.action !== "ignored" && (c.name === route || c.name.startsWith(`${route}-`))).map((c) => `${c.name}: ${c.action}`);
const builtIds = (p: Plan) => Object.values(p.outputs.images as Record<string, unknown>).flatMap((v) => (typeof v === "string" ? [v] : Object.values(v as object)));

describe("images roll per track, operator-gated", async () => {
  const rebuild = (c: StackConfig) => (image(c).rebuild = "2026-11-26");
  const addCanary = (c: StackConfig) => (((c[`${P}providers`] as Record<string, any>).linode.regions["us-lax"].canary = 2));
  const [held, rebuilt] = await Promise.all([plan(), plan(rebuild)]);
  const [grown, rolled, pinnedBack] = await Promise.all([
    plan(rebuild, addCanary),
    plan(rebuild, (c) => (image(c).tracks.canary = "newest")),
    plan(rebuild, (c) => pin(c, "canary", held.outputs.images)),
  ]);

  it("with every track held, a rebuild builds new images and changes no running route", () => {
    const d = diffPlans(held, rebuilt);
    assert.ok(d.images.replace > 0, "the images are rebuilt");
    assert.notDeepEqual(rebuilt.outputs.images, held.outputs.images, "stack output images names the new build");
    assert.deepEqual(d.routes.imageMoves, []);
    assert.deepEqual(d.routes.replaced, []);
    for (const route of routesOf(held)) {
      assert.deepEqual(routeChanges(d, route.name), [], route.name);
      // The instance is declared with the new build, and ignores it: the engine keeps the recorded image.
      const instance = d.resources.find((c) => c.name === route.name) ?? assert.fail(`${route.name}: its image input changes`);
      assert.deepEqual(
        instance.changes.map((c) => [c.path.split(/[.[]/)[0], c.effect]),
        [[IMAGE_PROPERTY[route.provider], "ignored"]],
        route.name,
      );
    }
  });

  it("a route added to a held track after a rebuild starts from the newest build; the track's running routes keep theirs", () => {
    const d = diffPlans(held, grown);
    assert.deepEqual(
      d.resources.filter((c) => c.action === "add" && c.type === INSTANCE_TYPES.linode).map((c) => c.name),
      ["linode-us-lax-canary-2"],
    );
    const added = routesOf(grown).find((r) => r.name === "linode-us-lax-canary-2") ?? assert.fail("the new route");
    assert.ok(builtIds(rebuilt).includes(declaredImage(grown, added)), "it boots the new build");
    assert.ok(!builtIds(held).includes(declaredImage(grown, added)));
    assert.deepEqual(d.routes.imageMoves, []);
    assert.deepEqual(routeChanges(d, "linode-us-lax-canary-1"), []);
  });

  it("rolling canary onto the newest build moves exactly the canary routes onto it, in the first wave; stable keeps its images", () => {
    const d = diffPlans(rebuilt, rolled);
    const canary = routesOf(rebuilt).filter((r) => r.track === "canary");
    assert.ok(canary.length > 0);
    assert.deepEqual(d.routes.imageMoves.map((m) => m.route).sort(), canary.map((r) => r.name).sort());
    for (const m of d.routes.imageMoves) {
      assert.equal(m.wave, 0, `${m.route} moves in the canary wave`);
      assert.ok(builtIds(rebuilt).includes(m.to), `${m.route} moves onto the new build`);
      // Released from hold: the image it runs is the stack's state, which the offline plan cannot read.
      assert.equal(m.from, undefined, m.route);
    }
    for (const route of canary) {
      const instance = d.resources.find((c) => c.name === route.name) ?? assert.fail(`${route.name}: its options change`);
      assert.ok(instance.changes.some((c) => c.path.startsWith("options.ignoreChanges")), `${route.name}: no longer ignores its image`);
    }
    for (const route of routesOf(rebuilt).filter((r) => r.track !== "canary")) assert.deepEqual(routeChanges(d, route.name), [], `${route.name} is untouched`);
  });

  it("pinning canary to the first build's ids (roll-images) replaces its routes back onto that build", () => {
    const d = diffPlans(rolled, pinnedBack);
    const canary = routesOf(rolled).filter((r) => r.track === "canary");
    assert.deepEqual(d.routes.imageMoves.map((m) => m.route).sort(), canary.map((r) => r.name).sort());
    assert.deepEqual([...d.routes.replaced].sort(), canary.map((r) => r.name).sort());
    for (const m of d.routes.imageMoves) {
      assert.ok(builtIds(rebuilt).includes(m.from!), `${m.route} runs the new build`);
      assert.ok(builtIds(held).includes(m.to), `${m.route} goes back to the first build`);
    }
    for (const route of routesOf(rolled).filter((r) => r.track !== "canary")) assert.deepEqual(routeChanges(d, route.name), [], `${route.name} is untouched`);
  });

  it("the plan diff names the routes that move to new images, and says when what they run is only in the state", () => {
    for (const [before, after] of [[rebuilt, rolled], [rolled, pinnedBack]] as const) {
      const d = diffPlans(before, after);
      const report = renderReport(d);
      assert.match(report, /routes? onto new images \(track canary\)/);
      assert.match(report, /#### Route images/);
      for (const m of d.routes.imageMoves) {
        const from = m.from ?? "the image it runs (released from hold: in the stack's state; unless it runs this one already, which the preview shows)";
        assert.ok(report.includes(`\`${m.route}\` (canary, wave 0): ${from} -> ${m.to}`), m.route);
      }
    }
  });
});
