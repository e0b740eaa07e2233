/**
 * Per-route Tailscale keys in real plans of the committed stacks: each new
 * instance of a route gets its own one-off key, made after the instance and
 * replaced with it, and joins the tailnet over SSH with that key on the join
 * command's stdin; no user-data carries a key (user-data exists before the
 * instance and stays in its metadata). Every change that replaces a
 * route's instance replaces its key and its join (the plan diff applies the
 * engine's replaceWith rule, plan/diff/resources.ts), planned as `--against`
 * compares plans.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INSTANCE_TYPES, type ProviderName } from "../stacks/catalog";
import { diffPlans, type PlanDiff } from "./diff";
import { mockId } from "./mocks";
import { MASK, type Plan, type PlanResource } from "./run";
import { inPool, planJsonAsync, type StackConfig, stackConfig, variantStackFile } from "./testing";

const P = "lantern-fleet:";
const TAILNET_KEY = "tailscale:index/tailnetKey:TailnetKey";
const COMMAND = "command:remote:Command";
interface RouteOutput {
  readonly name: string;
  readonly provider: ProviderName;
  readonly rollout: "replace" | "hotswap";
  readonly track: string;
}
const routesOf = (plan: Plan) => plan.outputs.routes as RouteOutput[];
const resource = (plan: Plan, type: string, name: string): PlanResource =>
  plan.resources.find((r) => r.type === type && r.name === name) ?? assert.fail(`${type} ${name} is in the plan`);
const keyOf = (plan: Plan, route: string) => resource(plan, TAILNET_KEY, `${route}-tailscale-key`);
const joinOf = (plan: Plan, route: string) => resource(plan, COMMAND, `${route}-tailnet`);
const instanceOf = (plan: Plan, route: RouteOutput) => resource(plan, INSTANCE_TYPES[route.provider], route.name);

for (const stack of ["staging", "prod"]) {
  describe(`Tailscale keys: ${stack}`, () => {
    const planned = planJsonAsync(["--stack", stack]);
    const tailscale = stackConfig(stack)[`${P}tailscale`] as { tags: string[] };

    it("every route has its own one-off key: single-use, pre-approved, not ephemeral, tagged, with the configured expiry, never recreated once used", async () => {
      const plan = await planned;
      const routes = routesOf(plan);
      assert.ok(routes.length > 0);
      const keys = plan.resources.filter((r) => r.type === TAILNET_KEY);
      assert.deepEqual(keys.map((k) => k.name).sort(), routes.map((r) => `${r.name}-tailscale-key`).sort());
      const provider = resource(plan, "pulumi:providers:tailscale", "tailscale");
      assert.deepEqual(provider.inputs.scopes, JSON.stringify(["auth_keys"]), "the provider asks only for the auth_keys scope");
      for (const key of keys) {
        assert.deepEqual(key.inputs, {
          reusable: false,
          ephemeral: false,
          preauthorized: true,
          tags: tailscale.tags,
          expiry: 86400,
          recreateIfInvalid: "never",
        });
        assert.equal(key.options.provider, provider.urn);
      }
    });

    it("a key is made after its instance and replaced with it; the instance joins over SSH with that key on stdin", async () => {
      const plan = await planned;
      for (const route of routesOf(plan)) {
        const instanceResource = instanceOf(plan, route);
        const instance = instanceResource.urn;
        const key = keyOf(plan, route.name);
        assert.deepEqual([key.options.dependsOn, key.options.replaceWith], [[instance], [instance]], route.name);
        // The instance's own id, which the engine records (components/release instanceBoundOptions); nothing hand-made.
        assert.equal(key.options.replacementTrigger, mockId(instanceResource.type, route.name, instanceResource.inputs), route.name);
        assert.deepEqual(key.options.ignoreChanges, ["tags", "expiry"], `${route.name}: new settings wait for a new instance`);
        const join = joinOf(plan, route.name);
        assert.deepEqual(join.options.replaceWith, [instance], route.name);
        assert.equal(join.inputs.stdin, MASK, `${route.name}: the key travels as a secret`);
        const up = new RegExp(`^sudo tailscale up --auth-key=file:/dev/stdin --login-server=https://\\S+ --hostname=${route.name} --netfilter-mode=off --accept-dns=false --timeout=300s \\|\\|$`, "m");
        assert.match(join.inputs.create as string, up, route.name);
      }
    });

    it("no user-data carries a Tailscale key or joins the tailnet", async () => {
      const plan = await planned;
      for (const route of routesOf(plan)) {
        const text = plan.userData[route.name] ?? assert.fail(`${route.name}: decoded user-data in the plan`);
        assert.ok(text.startsWith("#cloud-config"), route.name);
        assert.doesNotMatch(text, /tskey|tailscale/, route.name);
      }
    });
  });
}

/** Changes that replace instances, and the routes whose instances they replace (staging). */
const REPLACING: readonly { readonly what: string; readonly edit: (c: StackConfig) => void; readonly replaces: (r: RouteOutput) => boolean }[] = [
  { what: "a release bump", edit: (c) => (c[`${P}releaseTag`] = "v0.0.74"), replaces: (r) => r.rollout === "replace" },
  {
    what: "a new alicloud zone",
    edit: (c) => ((c[`${P}providers`] as Record<string, any>).alicloud.zones["ap-southeast-1"] = "ap-southeast-1b"),
    replaces: (r) => r.provider === "alicloud",
  },
  { what: "the routes' config (replace routes' user-data)", edit: (c) => (c[`${P}routeConfig`] = { secure: "v1:bmV3" }), replaces: (r) => r.rollout === "replace" },
];
const action = (d: PlanDiff, name: string) => d.resources.find((r) => r.name === name)?.action;
const newTags = (c: StackConfig) => ((c[`${P}tailscale`] as { tags: string[] }).tags = ["tag:lantern-route-v2"]);
/** New images, and canary rolled onto them (staging's tracks are on hold). */
const rollCanary = (c: StackConfig) => {
  const image = c[`${P}image`] as { rebuild?: string; tracks: Record<string, unknown> };
  image.rebuild = "2026-11-26";
  image.tracks.canary = "newest";
};

describe("a replaced instance gets a new key and joins again, and only then", () => {
  const bump = REPLACING[0]!;
  const edits = [...REPLACING.map((c) => c.edit), rollCanary, newTags, (c: StackConfig) => (newTags(c), bump.edit(c))];
  const [base, ...variants] = inPool([undefined, ...edits], 2, (edit) =>
    planJsonAsync(["--stack", "staging", ...(edit === undefined ? [] : ["--config-file", variantStackFile("staging", edit)])]),
  );

  for (const [i, { what, replaces }] of REPLACING.entries()) {
    it(what, async () => {
      const before = await base!;
      const d = diffPlans(before, await variants[i]!);
      const routes = routesOf(before);
      assert.ok(routes.some(replaces) && routes.some((r) => !replaces(r)), "the change replaces some routes, not all");
      for (const route of routes) {
        assert.equal(action(d, route.name) === "replace", replaces(route), `${route.name}: instance replaced`);
        assert.equal(action(d, `${route.name}-tailscale-key`) === "replace", replaces(route), `${route.name}: key replaced with it`);
        assert.equal(action(d, `${route.name}-tailnet`) === "replace", replaces(route), `${route.name}: joins again with the new key`);
      }
      const key = d.resources.find((r) => r.type === TAILNET_KEY && r.action === "replace");
      assert.deepEqual(key?.notes.filter((n) => n.includes("replaceWith")), [`replaced with \`${key?.name.replace(/-tailscale-key$/, "")}\` (replaceWith)`]);
    });
  }

  it("a track rolled onto new images gets new keys and joins again; a held track does not", async () => {
    const before = await base!;
    const d = diffPlans(before, await variants[REPLACING.length]!);
    const rolled = (r: RouteOutput) => r.track === "canary";
    assert.ok(routesOf(before).some(rolled) && routesOf(before).some((r) => !rolled(r)));
    for (const route of routesOf(before)) {
      assert.equal(action(d, route.name) === "replace", rolled(route), `${route.name}: instance`);
      assert.equal(action(d, `${route.name}-tailscale-key`) === "replace", rolled(route), `${route.name}: key`);
      assert.equal(action(d, `${route.name}-tailnet`) === "replace", rolled(route), `${route.name}: join`);
    }
  });

  // A key's tags and expiry are RequiresReplace (provider-facts.ts): without ignoreChanges a settings
  // change would make a key for every route that no join spends, and send it to the running route
  // on the join's stdin (pulumi-command runs `update` with the new stdin).
  it("new key settings (tags) make no key and send none: no instance is replaced and no route joins again", async () => {
    const before = await base!;
    const d = diffPlans(before, await variants[REPLACING.length + 1]!);
    for (const route of routesOf(before)) {
      assert.equal(action(d, route.name), undefined, `${route.name}: instance untouched`);
      assert.equal(action(d, `${route.name}-tailscale-key`), "ignored", `${route.name}: the key ignores its new tags`);
      assert.equal(action(d, `${route.name}-tailnet`), undefined, `${route.name}: the join is untouched`);
    }
  });

  it("the next new instance's key has the new settings", async () => {
    const before = await base!;
    const after = await variants[REPLACING.length + 2]!;
    const d = diffPlans(before, after);
    const routes = routesOf(before);
    assert.ok(routes.some(bump.replaces) && routes.some((r) => !bump.replaces(r)));
    for (const route of routes) {
      const replaced = bump.replaces(route);
      assert.equal(action(d, `${route.name}-tailscale-key`), replaced ? "replace" : "ignored", route.name);
      assert.equal(action(d, `${route.name}-tailnet`), replaced ? "replace" : undefined, route.name);
      // What the replacement is created from: the engine Checks the declared inputs again for a
      // replacement, ignored ones included (step_generator.go); the plan shows the declaration.
      if (replaced) assert.deepEqual(keyOf(after, route.name).inputs.tags, ["tag:lantern-route-v2"], route.name);
    }
  });
});
