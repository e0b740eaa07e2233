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
      // The instance is declared with the new build (a plan has no state, so its stash is new), and ignores it.
      const instance = d.resources.find((c) => c.name === route.name) ?? assert.fail(`${route.name}: its image input changes`);
      assert.deepEqual(
        instance.changes.map((c) => [c.path.split(/[.[]/)[0], c.effect]),
        [[IMAGE_PROPERTY[route.provider], "ignored"]],
        route.name,
      );
    }
  });

  it("a held route replaced for another reason (a release on a `replace` route) keeps its build: its stash is kept", async () => {
    const bumped = await plan(rebuild, (c) => (c[`${P}releaseTag`] = "v0.0.74"));
    const d = diffPlans(held, bumped);
    assert.ok(d.routes.replaced.length > 0, "staging has routes rolled out by replacement");
    assert.deepEqual(d.routes.imageMoves, []);
    for (const route of d.routes.replaced) {
      const stash = held.resources.find((r) => r.type === "pulumi:index:Stash" && r.name === `${route}-held-image`) ?? assert.fail(`${route}: a stash`);
      // The stash keeps the build it was created with (its input's changes ignored), and the
      // replacement boots that: the engine checks the program's inputs again for a replacement,
      // so the instance's own ignoreChanges alone would boot the newest build.
      assert.deepEqual(stash.options.ignoreChanges, ["input"], route);
      const change = d.resources.find((c) => c.urn === stash.urn);
      assert.ok(change === undefined || change.action === "ignored", `${route}: its stash is ${change?.action}`);
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
      // Its declared image is the same build as before; the engine compares it with the recorded one (the state's): a replacement only if they differ.
      assert.equal(instance.action, "replace?", route.name);
      assert.deepEqual(
        instance.changes.filter((c) => !c.path.startsWith("options.")).map((c) => [c.path, c.effect, c.old]),
        [[IMAGE_PROPERTY[route.provider], "replace?", "(recorded, in state)"]],
        route.name,
      );
    }
    for (const route of routesOf(rebuilt).filter((r) => r.track !== "canary")) assert.deepEqual(routeChanges(d, route.name), [], `${route.name} is untouched`);
  });

  it("rebuilding and rolling canary onto it in one change surely replaces the canary routes: no route runs a build made in this update", () => {
    const d = diffPlans(held, rolled);
    const canary = routesOf(held).filter((r) => r.track === "canary").map((r) => r.name).sort();
    assert.deepEqual(d.routes.imageMoves.map((m) => [m.route, m.from, m.ifDiffers]), canary.map((name) => [name, undefined, false]));
    assert.deepEqual([...d.routes.replaced].sort(), canary);
    const report = renderReport(d);
    for (const m of d.routes.imageMoves) {
      assert.ok(report.includes(`\n- \`${m.route}\` (canary, wave 0): the image it runs (released from hold: in the stack's state) -> ${m.to}\n`), m.route);
      assert.match(report, new RegExp(`^- \\*\\*replace\\*\\* \`${m.route}\` `, "m"), m.route);
    }
    assert.doesNotMatch(report, /if a recorded value differs|if they differ/);
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
    const intro = "Each route below is replaced onto its new image (a new instance, verified before the old one goes)";
    const released = `${intro}; one marked "if they differ" only if the image it runs differs: that image is in the stack's state, which the real preview reads and this offline plan cannot.`;
    for (const [before, after, summary, introLine] of [
      [rebuilt, rolled, / routes? onto new images unless on them already \(track canary\), 0 replaced,/, released],
      [rolled, pinnedBack, / routes? onto new images \(track canary\), \d+ replaced,/, `${intro}.`],
    ] as const) {
      const d = diffPlans(before, after);
      const report = renderReport(d);
      assert.match(report.split("\n")[0]!, summary);
      assert.ok(report.includes(`#### Route images\n${introLine}\n`), introLine);
      for (const m of d.routes.imageMoves) {
        assert.equal(m.ifDiffers, m.from === undefined, `${m.route}: released onto a build that exists already`);
        const line = m.from === undefined ? `the image it runs (released from hold: in the stack's state) -> ${m.to}, if they differ` : `${m.from} -> ${m.to}`;
        assert.ok(report.includes(`\n- \`${m.route}\` (canary, wave 0): ${line}\n`), m.route);
        // The resource section says the same of the instance: replaced only if the recorded image differs (released), or surely.
        const verdict = m.from === undefined ? "replace?" : "replace";
        assert.match(report, new RegExp(`^- \\*\\*${verdict.replace("?", "\\?")}\\*\\* \`${m.route}\` `, "m"), m.route);
      }
    }
    assert.match(renderReport(diffPlans(rebuilt, rolled)), /^Resources: .* \d+ to replace if a recorded value differs, /m);
  });

  it("a track set back to `hold` from a pin moves nothing now, and the diff says its routes are held at the newest build, not their pin", () => {
    // pinnedBack: after a rebuild, canary pinned to the first build; rebuilt: the same rebuild with canary on hold.
    const d = diffPlans(pinnedBack, rebuilt);
    const canary = routesOf(pinnedBack).filter((r) => r.track === "canary");
    assert.ok(canary.length > 0);
    assert.deepEqual(d.routes.imageMoves, []);
    assert.deepEqual(d.routes.newlyHeld.map((h) => h.route).sort(), canary.map((r) => r.name).sort());
    for (const h of d.routes.newlyHeld) {
      assert.ok(builtIds(held).includes(h.runs), `${h.route} runs its pin, the first build`);
      assert.ok(builtIds(rebuilt).includes(h.holds), `${h.route} is held at the newest build`);
    }
    const report = renderReport(d);
    assert.match(report, /^#### Routes newly held\nNot moved now: .* To keep the pin, keep the track pinned\.\n- /m);
    // Control: a track that was on hold already has its stash, and nothing is newly held.
    assert.deepEqual(diffPlans(held, rebuilt).routes.newlyHeld, []);
    assert.doesNotMatch(renderReport(diffPlans(held, rebuilt)), /Routes newly held/);
  });
});
