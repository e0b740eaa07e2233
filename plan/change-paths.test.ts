/**
 * Every config key's declared path (stacks/change-paths.ts) holds in real
 * plans: the staging stack (Linode `replace`, alicloud and OCI `hotswap`)
 * is planned once as committed and once per key with that key changed, and
 * each route's resources must change exactly as declared for its rollout.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { CHANGE_PATHS, describePath, type RoutePath } from "../stacks/change-paths";
import type { RolloutStrategy } from "../stacks/config";
import { diffPlans, type PlanDiff } from "./diff";
import { inPool, planJsonAsync, type StackConfig, variantStackFile } from "./testing";

const P = "lantern-fleet:";
interface Mutation {
  readonly edit: (c: StackConfig) => void;
  /** Routes the change is about (default: all). */
  readonly affects?: (route: RouteOutput) => boolean;
}
interface RouteOutput {
  readonly name: string;
  readonly provider: string;
  readonly region: string;
  readonly track: string;
  readonly rollout: RolloutStrategy;
}
const obj = (c: StackConfig, key: string) => c[`${P}${key}`] as Record<string, any>;
const provider = (c: StackConfig, name: string) => obj(c, "providers")[name] as Record<string, any>;

/**
 * Every plan here starts from staging with canary on `newest` and stable on
 * `hold` (as committed), so a change that builds new images shows both:
 * canary's routes move onto them, stable's stay.
 */
const CANARY_FOLLOWS_NEWEST = (c: StackConfig) => (obj(c, "image").tracks.canary = "newest");

/** One change per key, each a plausible operator edit. */
const MUTATIONS: Readonly<Record<string, Mutation>> = {
  releaseTag: { edit: (c) => (c[`${P}releaseTag`] = "v0.0.74") },
  "tracks.<track>": { edit: (c) => (obj(c, "tracks").beta = {}) },
  "tracks.<track>.releaseTag": { edit: (c) => (obj(c, "tracks").canary = { releaseTag: "v0.0.75" }), affects: (r) => r.track === "canary" },
  releaseBaseUrl: { edit: (c) => (c[`${P}releaseBaseUrl`] = "https://mirror.example.com/lantern-box") },
  "releaseChecksums.<tag>.<amd64|arm64>": { edit: (c) => (c[`${P}releaseChecksums`] = { "v0.0.73": { amd64: "a".repeat(64), arm64: "b".repeat(64) } }) },
  releaseSoakSeconds: { edit: (c) => (c[`${P}releaseSoakSeconds`] = 45) },
  routeConfig: { edit: (c) => (c[`${P}routeConfig`] = { secure: "v1:bmV3IHJvdXRlIGNvbmZpZw==" }) },
  "otel.endpoint": { edit: (c) => (c[`${P}otel`] = { endpoint: "https://otel.example.com:4318" }) },
  "otel.serviceName": { edit: (c) => (c[`${P}otel`] = { serviceName: "vps-proxy-next" }) },
  sshPublicKeys: {
    edit: (c) => (c[`${P}sshPublicKeys`] = [...(c[`${P}sshPublicKeys`] as string[]), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNlY29uZCBvcGVyYXRvciBrZXkgZm9yIHRlc3Q second@ops"]),
  },
  tailscaleOauthClientSecret: { edit: (c) => (c[`${P}tailscaleOauthClientSecret`] = { secure: "v1:bmV3IGNsaWVudCBzZWNyZXQ=" }) },
  "tailscale.loginServer": { edit: (c) => (c[`${P}tailscale`] = { ...obj(c, "tailscale"), loginServer: "https://headscale.example.com" }) },
  "tailscale.oauthClientId": { edit: (c) => (c[`${P}tailscale`] = { ...obj(c, "tailscale"), oauthClientId: "kOtherClientCNTRL" }) },
  "tailscale.tags": { edit: (c) => (c[`${P}tailscale`] = { ...obj(c, "tailscale"), tags: ["tag:lantern-route"] }) },
  "tailscale.keyExpirySeconds": { edit: (c) => (c[`${P}tailscale`] = { ...obj(c, "tailscale"), keyExpirySeconds: 3600 }) },
  "ingress.tcp": { edit: (c) => (c[`${P}ingress`] = { ...obj(c, "ingress"), tcp: [443, 8443] }) },
  "ingress.udp": { edit: (c) => (c[`${P}ingress`] = { ...obj(c, "ingress"), udp: [443, 8443] }) },
  "ingress.sshSourceCidrs": { edit: (c) => (c[`${P}ingress`] = { ...obj(c, "ingress"), sshSourceCidrs: ["198.51.100.0/24", "192.0.2.0/24"] }) },
  "providers.<linode|alicloud|oci>.regions.<region>.<track>": { edit: (c) => (provider(c, "oci").regions["us-ashburn-1"] = { stable: 2 }) },
  "providers.<provider>.instanceType": {
    edit: (c) => {
      provider(c, "linode").instanceType = "g6-standard-1";
      provider(c, "alicloud").instanceType = "ecs.t6-c1m2.large";
    },
    affects: (r) => r.name.startsWith("linode-") || r.name.startsWith("alicloud-"),
  },
  "providers.<provider>.rollout": { edit: (c) => (provider(c, "oci").rollout = "replace"), affects: (r) => r.name.startsWith("oci-") },
  "waves.size": { edit: (c) => (c[`${P}waves`] = { size: 1 }) },
  "waves.first": { edit: (c) => (c[`${P}waves`] = { first: ["stable"] }) },
  "providers.linode.buildRegion": { edit: (c) => (provider(c, "linode").buildRegion = "us-sea"), affects: (r) => r.provider === "linode" },
  "providers.alicloud.buildRegion": {
    edit: (c) => {
      provider(c, "alicloud").buildRegion = "ap-northeast-1";
      provider(c, "alicloud").zones["ap-northeast-1"] = "ap-northeast-1a";
      obj(c, "image").stockImages.alicloud["ap-northeast-1"] = "ubuntu_24_04_x64_20G_alibase_pinplaceholder.vhd";
    },
    affects: (r) => r.provider === "alicloud",
  },
  "providers.oci.compartmentId": { edit: (c) => (provider(c, "oci").compartmentId = "ocid1.compartment.oc1..aaaaaaaaother"), affects: (r) => r.name.startsWith("oci-") },
  "providers.oci.ocpus": { edit: (c) => Object.assign(provider(c, "oci"), { ocpus: 2, memoryInGbs: 2 }), affects: (r) => r.name.startsWith("oci-") },
  "providers.oci.memoryInGbs": { edit: (c) => (provider(c, "oci").memoryInGbs = 6), affects: (r) => r.name.startsWith("oci-") },
  // A stock image rebuilds only its own provider's (or region's) image.
  "image.stockImages.linode": { edit: (c) => (obj(c, "image").stockImages.linode = "linode/ubuntu24.10"), affects: (r) => r.provider === "linode" },
  "image.stockImages.alicloud.<buildRegion>": {
    edit: (c) => (obj(c, "image").stockImages.alicloud["ap-southeast-1"] = "ubuntu_24_04_x64_20G_alibase_20261201.vhd"),
    affects: (r) => r.provider === "alicloud",
  },
  "image.stockImages.oci.<region>": {
    edit: (c) => (obj(c, "image").stockImages.oci["us-ashburn-1"] = "ocid1.image.oc1.iad.aaaaaaaanewerstockimage"),
    affects: (r) => r.provider === "oci" && r.region === "us-ashburn-1",
  },
  "providers.alicloud.zones.<region>": {
    edit: (c) => (provider(c, "alicloud").zones["ap-southeast-1"] = "ap-southeast-1b"),
    affects: (r) => r.name.startsWith("alicloud-"),
  },
  "image.caCertUrl": { edit: (c) => (obj(c, "image").caCertUrl = "https://ops.example.com/ca-2027.crt") },
  "image.rebuild": { edit: (c) => (obj(c, "image").rebuild = "2026-11-26") },
  "image.tracks.<track>": {
    // Canary pinned to images other than the newest build it runs now.
    edit: (c) => (obj(c, "image").tracks.canary = { linode: "private/424242" }),
    affects: (r) => r.track === "canary",
  },
};

const NETWORK_TYPE = /Firewall|SecurityGroup|SecurityList|NetworkSecurityGroup/;
const changed = (d: PlanDiff) =>
  d.resources.filter((r) => r.action === "add" || r.action === "remove" || r.changes.some((c) => !c.path.startsWith("options.")));

/** What the plan diff shows happening to one route's own resources. */
function observed(d: PlanDiff, route: RouteOutput): RoutePath {
  const all = changed(d);
  const mine = all.filter((r) => r.name === route.name || r.name.startsWith(`${route.name}-`));
  const instance = mine.find((r) => r.name === route.name);
  const command = (suffix: string) => mine.find((r) => r.name === `${route.name}-${suffix}`);
  if (instance?.action === "replace") return d.images.replace + d.images.add > 0 && d.routes.imageMoves.some((m) => m.route === route.name) ? "images" : "replace";
  if (command("hotswap")?.action === "replace") return "install";
  if (["update", "replace"].includes(command("config")?.action ?? "")) return "push";
  if (["hotswap", "verify"].some((s) => ["update", "add"].includes(command(s)?.action ?? ""))) return "reverify";
  if (instance?.action === "update") return "in-place";
  // Network rules of the route's own region (Linode firewalls are per route, alicloud and OCI per region).
  if (all.some((r) => NETWORK_TYPE.test(r.type) && r.name.startsWith(`${route.provider}-${route.region}-`) && !r.name.includes("builder"))) return "network";
  return "none";
}

describe("each config key reaches running routes by its declared path", () => {
  // Every plan at once, two at a time (each is its own process).
  const keys = CHANGE_PATHS.map((p) => p.key);
  const [base, ...variants] = inPool([undefined, ...keys], 2, (key) =>
    planJsonAsync(["--stack", "staging", "--config-file", variantStackFile("staging", (c) => (CANARY_FOLLOWS_NEWEST(c), key && MUTATIONS[key]!.edit(c)))]),
  );

  it("every declared key has a change to try, and nothing else does", () => {
    assert.deepEqual(Object.keys(MUTATIONS).sort(), [...keys].sort());
  });

  it("the README's config reference shows each key's declared path", () => {
    const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const reference = readme.slice(readme.indexOf("## Config reference"), readme.indexOf("\n## ", readme.indexOf("## Config reference") + 1));
    for (const entry of CHANGE_PATHS) {
      const key = entry.key;
      const row = reference.split("\n").find((l) => l.startsWith(`| \`${key.replaceAll("|", "\\|")}\` |`));
      assert.ok(row, `README config reference has a row for ${key}`);
      assert.ok(row.includes(`| ${describePath(entry)} |`), `${key}: README says "${describePath(entry)}"`);
    }
  });

  // The engine keeps a resource whose provider changes and addresses it through the new one
  // (plan/diff/resources.ts, REHOMED): for alicloud and OCI, another region's provider looks for it
  // in that region. So a change that moves a resource to another provider must replace it.
  it("no change moves a resource to another provider without replacing it", async () => {
    const before = await base!;
    for (const [i, key] of keys.entries()) {
      const moved = diffPlans(before, await variants[i]!).resources.filter((r) => r.changes.some((c) => c.path === "options.provider"));
      for (const r of moved) assert.equal(r.action, "replace", `${key}: ${r.name} moves to another provider`);
    }
  });

  // ECS moves an instance to another vSwitch only within its zone (ModifyInstanceVpcAttribute):
  // a zone move in the build region must replace the builder, not update it in place.
  it("a zone move in the build region replaces the builder", async () => {
    const i = keys.indexOf("providers.alicloud.zones.<region>");
    const builder = diffPlans(await base!, await variants[i]!).resources.find((r) => r.name === "alicloud-base-builder");
    assert.equal(builder?.action, "replace");
  });

  it("a new alicloud build region builds there: key pair, builder and image replaced, the old build region gets a copy", async () => {
    const i = keys.indexOf("providers.alicloud.buildRegion");
    const changes = diffPlans(await base!, await variants[i]!).resources;
    const actionOf = (name: string) => changes.find((r) => r.name === name)?.action;
    for (const name of ["alicloud-base-builder-key", "alicloud-base-builder", "alicloud-base-image"]) assert.equal(actionOf(name), "replace", name);
    assert.equal(actionOf("alicloud-base-copy-ap-southeast-1"), "add");
  });

  for (const [i, entry] of CHANGE_PATHS.entries()) {
    const { key, path: declared } = entry;
    it(`${key}: ${describePath(entry)}`, async () => {
      const { affects = () => true } = MUTATIONS[key]!;
      const before = await base!;
      const routes = before.outputs.routes as RouteOutput[];
      const d = diffPlans(before, await variants[i]!);
      for (const route of routes) {
        // New images move the routes of canary (on newest here); stable (on hold) keeps its images.
        const follows = route.track === "canary";
        const path = declared[route.rollout];
        const expected = !affects(route)
          ? "none"
          : entry.rebuildsImages
            ? follows ? "images" : path
            : path === "images" && !follows ? "none" : path;
        assert.equal(observed(d, route), expected, `${route.name} (${route.rollout}, ${route.track})`);
      }
    });
  }
});
