/**
 * Images roll like releases, per track, only when an operator rolls them
 * (config image.tracks; README "Rolling images"). Planned on staging: its
 * tracks pinned to the images a plan reports (stack output `images`, as
 * `npm run roll-images` reads it), then a rebuild, then canary rolled.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trackPins } from "../stacks/roll-images";
import { diffPlans, renderReport } from "./diff";
import type { Plan } from "./run";
import { changedResources, planJsonAsync, type StackConfig, variantStackFile } from "./testing";

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

const plan = (edit: (c: StackConfig) => void) => planJsonAsync(["--stack", "staging", "--config-file", variantStackFile("staging", edit)]);
interface RouteOutput {
  readonly name: string;
  readonly track: string;
  readonly image: string;
}
const routesOf = (p: Plan) => p.outputs.routes as RouteOutput[];
/** Resources of one route (the instance, its firewall, its commands, its keys) that change between two plans. */
const routeChanges = (before: Plan, after: Plan, route: string) =>
  [...changedResources(before, after).map((c) => c.name), ...diffPlans(before, after).resources.filter((c) => c.action === "add" || c.action === "remove").map((c) => c.name)].filter(
    (name) => name === route || name.startsWith(`${route}-`),
  );

describe("images roll per track, operator-gated", async () => {
  const newest = await planJsonAsync(["--stack", "staging"]);
  const pinAll = (c: StackConfig) => {
    pin(c, "canary", newest.outputs.images);
    pin(c, "stable", newest.outputs.images);
  };
  const rebuildLabel = (c: StackConfig) => (image(c).rebuild = "2026-11-26");
  const [pinned, rebuilt] = await Promise.all([plan(pinAll), plan((c) => (pinAll(c), rebuildLabel(c)))]);
  const rolled = await plan((c) => {
    pinAll(c);
    rebuildLabel(c);
    pin(c, "canary", rebuilt.outputs.images);
  });

  it("a track pinned to the images its routes run changes nothing", () => {
    assert.deepEqual(changedResources(newest, pinned), []);
    assert.deepEqual(
      routesOf(pinned).map((r) => r.image),
      routesOf(newest).map((r) => r.image),
    );
  });

  it("a rebuild builds new images and changes no running route while every track is pinned", () => {
    const d = diffPlans(pinned, rebuilt);
    assert.ok(d.images.replace > 0, "the images are rebuilt");
    assert.deepEqual(d.routes.imageMoves, []);
    assert.deepEqual(d.routes.replaced, []);
    for (const route of routesOf(pinned)) assert.deepEqual(routeChanges(pinned, rebuilt, route.name), [], route.name);
    assert.notDeepEqual(rebuilt.outputs.images, pinned.outputs.images, "stack output images names the new build");
  });

  it("rolling canary replaces exactly the canary routes onto the new images, in the first wave; stable keeps its images", () => {
    const d = diffPlans(rebuilt, rolled);
    const canary = routesOf(rebuilt).filter((r) => r.track === "canary");
    assert.ok(canary.length > 0);
    assert.deepEqual(d.routes.imageMoves.map((m) => m.route).sort(), canary.map((r) => r.name).sort());
    for (const m of d.routes.imageMoves) assert.equal(m.wave, 0, `${m.route} moves in the canary wave`);
    assert.deepEqual([...d.routes.replaced].sort(), canary.map((r) => r.name).sort());
    for (const route of routesOf(rebuilt).filter((r) => r.track !== "canary")) {
      assert.deepEqual(routeChanges(rebuilt, rolled, route.name), [], `${route.name} is untouched`);
    }
    for (const route of routesOf(rolled).filter((r) => r.track === "canary")) {
      assert.ok(Object.values(rebuilt.outputs.images as Record<string, unknown>).flatMap((v) => (typeof v === "string" ? [v] : Object.values(v as object))).includes(route.image));
    }
  });

  it("the plan diff names the routes that move to new images", () => {
    const report = renderReport(diffPlans(rebuilt, rolled));
    assert.match(report, /route onto new images \(track canary\)|routes onto new images \(track canary\)/);
    assert.match(report, /#### Route images/);
    for (const m of diffPlans(rebuilt, rolled).routes.imageMoves) assert.ok(report.includes(`\`${m.route}\` (canary, wave 0): ${m.from} -> ${m.to}`));
  });
});
