/**
 * Per-route Tailscale keys in real plans of the committed stacks: each route
 * has its own one-off key, made in its instance's release wave, carried by
 * its own user-data only; and every change that replaces a route's instance
 * replaces its key (the plan diff applies the engine's replacementTrigger
 * rule, plan/diff/resources.ts), planned as `--against` compares plans.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IMAGE_PROPERTY, INSTANCE_TYPES, type ProviderName } from "../stacks/catalog";
import { diffPlans, type PlanDiff } from "./diff";
import { mockId } from "./mocks";
import type { Plan, PlanResource } from "./run";
import { inPool, planJsonAsync, type StackConfig, stackConfig, variantStackFile } from "./testing";

const P = "lantern-fleet:";
const TAILNET_KEY = "tailscale:index/tailnetKey:TailnetKey";
interface RouteOutput {
  readonly name: string;
  readonly provider: ProviderName;
  readonly rollout: "replace" | "hotswap";
}
const routesOf = (plan: Plan) => plan.outputs.routes as RouteOutput[];
const resource = (plan: Plan, type: string, name: string): PlanResource =>
  plan.resources.find((r) => r.type === type && r.name === name) ?? assert.fail(`${type} ${name} is in the plan`);
const keyOf = (plan: Plan, route: string) => resource(plan, TAILNET_KEY, `${route}-tailscale-key`);
const instanceOf = (plan: Plan, route: RouteOutput) => resource(plan, INSTANCE_TYPES[route.provider], route.name);

/** The name (label) of each base image resource, found by the id the mocks give it. */
const IMAGE_NAME_INPUT: Readonly<Record<string, string>> = {
  "linode:index/image:Image": "label",
  "alicloud:ecs/image:Image": "imageName",
  "alicloud:ecs/imageCopy:ImageCopy": "imageName",
  "oci:Core/image:Image": "displayName",
};
/** What the route's instance boots: the name of an image this plan builds, or the id its track pins. */
function imageBooted(plan: Plan, route: RouteOutput): string {
  const raw = instanceOf(plan, route).inputs[IMAGE_PROPERTY[route.provider]];
  const id = route.provider === "oci" ? (raw as { sourceId: string }).sourceId : raw;
  assert.equal(typeof id, "string", `${route.name} boots a known image id`);
  const image = plan.resources.find((r) => r.type in IMAGE_NAME_INPUT && mockId(r.type, r.name, r.inputs) === id);
  return image ? (image.inputs[IMAGE_NAME_INPUT[image.type]!] as string) : (id as string);
}

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

    it("a key is made in its instance's release wave, not before the previous wave verified", async () => {
      const plan = await planned;
      for (const route of routesOf(plan)) {
        assert.deepEqual(keyOf(plan, route.name).options.dependsOn, instanceOf(plan, route).options.dependsOn, route.name);
      }
      assert.ok(routesOf(plan).some((r) => (keyOf(plan, r.name).options.dependsOn as string[] | undefined)?.length), "some key waits for a wave");
    });

    it("a key's replacement trigger names the image its instance boots (built or pinned; and, on replace routes, its user-data)", async () => {
      const plan = await planned;
      for (const route of routesOf(plan)) {
        const trigger = keyOf(plan, route.name).options.replacementTrigger as { image: string; zone?: string; userData?: string };
        assert.equal(trigger.image, imageBooted(plan, route), route.name);
        assert.equal(trigger.userData !== undefined, route.rollout === "replace", `${route.name}: user-data counts only where it replaces`);
        assert.equal(trigger.zone !== undefined, route.provider === "alicloud", route.name);
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

describe("a replaced instance gets a new key, and only then", () => {
  const [base, ...variants] = inPool([undefined, ...REPLACING, "rebuild"] as const, 2, (change) =>
    planJsonAsync([
      "--stack",
      "staging",
      ...(change === undefined
        ? []
        : ["--config-file", variantStackFile("staging", change === "rebuild" ? (c) => ((c[`${P}image`] as Record<string, unknown>).rebuild = "2026-11-26") : change.edit)]),
    ]),
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
      }
      const key = d.resources.find((r) => r.type === TAILNET_KEY && r.action === "replace");
      assert.ok(key?.changes.some((c) => c.path.startsWith("options.replacementTrigger") && c.effect === "replace"), "replaced by its trigger");
    });
  }

  it("new base images (which the real preview shows replacing every instance) replace every key", async () => {
    const before = await base!;
    const d = diffPlans(before, await variants[REPLACING.length]!);
    for (const route of routesOf(before)) assert.equal(action(d, `${route.name}-tailscale-key`), "replace", route.name);
  });
});
