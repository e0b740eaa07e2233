/**
 * The policy pack against the real program: every rule over every resource
 * of the staging and prod offline plans finds nothing; each mutation of that
 * real output is caught by the rule meant for it; and the pack loads and
 * answers the way the Pulumi CLI runs it (run-policy-pack over gRPC).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import * as grpc from "@grpc/grpc-js";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as pulumi from "@pulumi/pulumi";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { parse, stringify } from "yaml";
import { mocks } from "../plan/mocks";
import { MASK, type Plan, type PlanResource } from "../plan/run";
import { fleetConfigOfStackFile } from "../plan/stack-file";
import { planJson } from "../plan/testing";
import { USER_DATA_INPUT } from "../stacks/catalog";
import { routesOf } from "../stacks/config";
import { DEFAULT_CONFIG, INSTANCE_TYPES, type PolicyConfig, RULES, type Subject, UNKNOWN, userDataOf, violations } from "./rules";

const plans = new Map<string, Plan>();
const planOf = (stack: string): Plan => {
  if (!plans.has(stack)) plans.set(stack, planJson(["--stack", stack]));
  return plans.get(stack)!;
};

/** A value masked in the plan is as invisible to a policy as an unknown one in a preview. */
function unmask(value: unknown): unknown {
  if (value === MASK) return UNKNOWN;
  if (Array.isArray(value)) return value.map(unmask);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unmask(v)]));
  return value;
}

/** What a policy sees of a plan resource; user-data (a masked secret) comes decoded from the plan. */
function subjectOf(plan: Plan, r: PlanResource): Subject {
  const isInstance = (Object.values(INSTANCE_TYPES) as string[]).includes(r.type);
  return {
    type: r.type,
    name: r.name,
    props: unmask(r.inputs) as Record<string, unknown>,
    userData: isInstance ? (plan.userData[r.name] ?? "") : undefined,
    secretOutputs: (r.options.additionalSecretOutputs as string[] | undefined) ?? [],
    ignoreChanges: (r.options.ignoreChanges as string[] | undefined) ?? [],
  };
}

const find = (plan: Plan, test: (r: PlanResource) => boolean): PlanResource => {
  const r = plan.resources.find(test);
  assert.ok(r, "the plan has the resource this test mutates");
  return r;
};

/** The names of the rules a subject violates. */
const fired = (s: Subject, config?: PolicyConfig) => [...new Set(violations(s, config).map((v) => v.rule))];

/** A deep copy that keeps UNKNOWN (structuredClone cannot copy symbols). */
const copy = (value: unknown): any =>
  Array.isArray(value) ? value.map(copy) : typeof value === "object" && value !== null ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) : value;

const withProps = (s: Subject, edit: (props: any) => void): Subject => {
  const props = copy(s.props);
  edit(props);
  return { ...s, props };
};

/** Edits a cloud-config as a document and renders it back. */
const withCloudConfig = (s: Subject, edit: (doc: any) => void): Subject => {
  const doc = parse(s.userData!);
  edit(doc);
  return { ...s, userData: `#cloud-config\n${stringify(doc, { lineWidth: 0 })}` };
};
const isInstall = (entry: unknown) => Array.isArray(entry) && entry.some((w) => String(w).endsWith("install-lantern-box.sh"));

for (const stack of ["staging", "prod"]) {
  describe(`policy pack over plan --stack ${stack}`, () => {
    it("finds no violation in any resource of the real program", () => {
      const plan = planOf(stack);
      const found = plan.resources.flatMap((r) => violations(subjectOf(plan, r)).map((v) => `${r.name}: ${v.rule}: ${v.message}`));
      assert.deepEqual(found, []);
    });

    it("has every resource type the rules guard (so the sweep is not vacuous)", () => {
      const types = new Set(planOf(stack).resources.map((r) => r.type));
      for (const type of [
        ...Object.values(INSTANCE_TYPES),
        "linode:index/firewall:Firewall",
        "alicloud:ecs/securityGroupRule:SecurityGroupRule",
        "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule",
        "linode:index/image:Image",
        "alicloud:ecs/image:Image",
        "oci:Core/image:Image",
        "command:remote:Command",
        "command:remote:CopyToRemote",
        "oci:Core/securityList:SecurityList",
        "oci:Core/subnet:Subnet",
        "tailscale:index/tailnetKey:TailnetKey",
      ]) {
        assert.ok(types.has(type), type);
      }
      if (stack === "prod") assert.ok(types.has("alicloud:ecs/imageCopy:ImageCopy"));
    });
  });
}

describe("mutations of the staging plan, each caught by its rule", () => {
  const plan = () => planOf("staging");
  const route = (provider: keyof typeof INSTANCE_TYPES) =>
    subjectOf(plan(), find(plan(), (r) => r.type === INSTANCE_TYPES[provider] && !r.name.endsWith("-builder")));
  const resource = (test: (r: PlanResource) => boolean) => subjectOf(plan(), find(plan(), test));

  it("route-userdata-is-secret: a route instance without its user-data property in additionalSecretOutputs", () => {
    for (const provider of ["linode", "alicloud", "oci"] as const) {
      const s = route(provider);
      assert.deepEqual(fired(s), []);
      assert.deepEqual(fired({ ...s, secretOutputs: [] }), ["route-userdata-is-secret"], provider);
      assert.deepEqual(fired({ ...s, secretOutputs: ["somethingElse"] }), ["route-userdata-is-secret"], provider);
    }
  });

  it("tailnet-keys-are-one-off: a reusable key, one that does not say it is never recreated, untagged, long-lived, or made anew for new settings", () => {
    const key = resource((r) => r.type === "tailscale:index/tailnetKey:TailnetKey");
    assert.deepEqual(fired(key), []);
    const edits: ((props: any) => void)[] = [
      (p) => (p.reusable = true),
      (p) => delete p.reusable,
      (p) => (p.recreateIfInvalid = "always"),
      (p) => delete p.recreateIfInvalid,
      (p) => (p.tags = []),
      (p) => delete p.expiry,
      (p) => (p.expiry = 7776000),
    ];
    for (const edit of edits) assert.deepEqual(fired(withProps(key, edit)), ["tailnet-keys-are-one-off"], edit.toString());
    for (const ignoreChanges of [[], ["tags"], ["expiry"], undefined]) {
      assert.deepEqual(fired({ ...key, ignoreChanges }), ["tailnet-keys-are-one-off"], String(ignoreChanges));
    }
  });

  it("route-userdata-pins-one-release: two install invocations", () => {
    const s = withCloudConfig(route("linode"), (doc) => doc.runcmd.push(structuredClone(doc.runcmd.find(isInstall))));
    assert.deepEqual(fired(s), ["route-userdata-pins-one-release"]);
  });

  it("route-userdata-pins-one-release: the tag removed, or the mode", () => {
    for (const drop of [1, 2]) {
      const s = withCloudConfig(route("alicloud"), (doc) => {
        const call = doc.runcmd.find(isInstall);
        call.splice(call.length - drop, 1);
      });
      assert.deepEqual(fired(s), ["route-userdata-pins-one-release"]);
    }
  });

  it("route-userdata-pins-one-release: the checksum verification removed", () => {
    const s = withCloudConfig(route("oci"), (doc) => {
      const script = doc.write_files.find((f: any) => f.path.endsWith("install-lantern-box.sh"));
      script.content = script.content
        .split("\n")
        .filter((line: string) => !line.includes("sha256sum"))
        .join("\n");
    });
    assert.deepEqual(fired(s), ["route-userdata-pins-one-release"]);
  });

  it("route-userdata-pins-one-release: a route without user-data; nothing when user-data is unknown (preview)", () => {
    assert.deepEqual(fired({ ...route("linode"), userData: "" }), ["route-userdata-pins-one-release"]);
    assert.deepEqual(fired({ ...route("linode"), userData: undefined }), []);
  });

  it("no-ssh-password-login: ssh_pwauth true, PasswordAuthentication yes, chpasswd", () => {
    for (const edit of [
      (doc: any) => (doc.ssh_pwauth = true),
      (doc: any) => doc.write_files.push({ path: "/etc/ssh/sshd_config.d/10-pw.conf", content: "PasswordAuthentication yes\n" }),
      (doc: any) => (doc.chpasswd = { expire: false, users: [{ name: "lantern", password: "x", type: "text" }] }),
    ]) {
      assert.deepEqual(fired(withCloudConfig(route("linode"), edit)), ["no-ssh-password-login"]);
    }
  });

  it("no-release-tag-in-images: an image label with v0.0.73, a build command with a lantern-box_ .deb", () => {
    const image = resource((r) => r.type === "linode:index/image:Image");
    assert.deepEqual(fired(withProps(image, (p) => (p.label = "lantern-base-v0.0.73"))), ["no-release-tag-in-images"]);
    const build = resource((r) => r.name.endsWith("-base-provision"));
    const deb = withProps(build, (p) => (p.create += " && dpkg -i lantern-box_0.0.73_linux_amd64.deb"));
    assert.deepEqual(fired(deb), ["no-release-tag-in-images"]);
  });

  it("no-cleartext-root-password: a linode instance with rootPass, an alicloud instance with password", () => {
    assert.deepEqual(fired(withProps(route("linode"), (p) => (p.rootPass = "hunter2hunter2"))), ["no-cleartext-root-password"]);
    assert.deepEqual(fired(withProps(route("alicloud"), (p) => (p.password = "Hunter2hunter2!"))), ["no-cleartext-root-password"]);
  });

  it("only-configured-ports: a firewall opening 8080 (allowed once the policy config lists it)", () => {
    const firewall = resource((r) => r.type === "linode:index/firewall:Firewall" && !r.name.includes("builder"));
    const open8080 = withProps(firewall, (p) => p.inbounds.push({ action: "ACCEPT", protocol: "TCP", ports: "8080", ipv4s: ["0.0.0.0/0"], label: "web" }));
    assert.deepEqual(fired(open8080), ["only-configured-ports"]);
    assert.deepEqual(fired(open8080, { ...DEFAULT_CONFIG, allowedTcpPorts: [22, 443, 8080] }), []);
    const sgRule = resource((r) => r.type === "alicloud:ecs/securityGroupRule:SecurityGroupRule");
    assert.deepEqual(fired(withProps(sgRule, (p) => (p.portRange = "8080/8080"))), ["only-configured-ports"]);
  });

  it("only-configured-ports: a linode firewall with inboundPolicy ACCEPT, or a rule without ports", () => {
    const firewall = resource((r) => r.type === "linode:index/firewall:Firewall");
    assert.deepEqual(fired(withProps(firewall, (p) => (p.inboundPolicy = "ACCEPT"))), ["only-configured-ports"]);
    assert.deepEqual(fired(withProps(firewall, (p) => delete p.inbounds[0].ports)), ["only-configured-ports"]);
  });

  it("only-configured-ports: an OCI NSG rule opening 3389", () => {
    const rule = resource((r) => r.type.startsWith("oci:Core/networkSecurityGroupSecurityRule") && r.name.includes("-ssh-22-"));
    assert.deepEqual(fired(withProps(rule, (p) => (p.tcpOptions.destinationPortRange = { min: 3389, max: 3389 }))), ["only-configured-ports"]);
  });

  it("only-configured-ports: instances without firewall, security groups or NSGs (unknown ids count as set)", () => {
    assert.deepEqual(fired(withProps(route("linode"), (p) => delete p.firewallId)), ["only-configured-ports"]);
    assert.deepEqual(fired(withProps(route("linode"), (p) => (p.firewallId = UNKNOWN))), []);
    assert.deepEqual(fired(withProps(route("alicloud"), (p) => (p.securityGroups = []))), ["only-configured-ports"]);
    assert.deepEqual(fired(withProps(route("oci"), (p) => delete p.createVnicDetails.nsgIds)), ["only-configured-ports"]);
  });

  it("no-ssh-from-anywhere: SSH opened to 0.0.0.0/0 or ::/0 on a route or a builder, by any of the four kinds of rule", () => {
    const routeFirewall = resource((r) => r.type === "linode:index/firewall:Firewall" && !r.name.includes("builder"));
    const builderFirewall = resource((r) => r.type === "linode:index/firewall:Firewall" && r.name.includes("builder"));
    for (const firewall of [routeFirewall, builderFirewall]) {
      const ssh = (p: any) => p.inbounds.find((i: any) => i.ports === "22");
      assert.deepEqual(fired(withProps(firewall, (p) => (ssh(p).ipv4s = ["0.0.0.0/0"]))), ["no-ssh-from-anywhere"], firewall.name);
      assert.deepEqual(fired(withProps(firewall, (p) => (ssh(p).ipv6s = ["::/0"]))), ["no-ssh-from-anywhere"], firewall.name);
    }
    const wide = withProps(routeFirewall, (p) => p.inbounds.push({ action: "ACCEPT", protocol: "TCP", ports: "20-30", ipv4s: ["0.0.0.0/0"], label: "wide" }));
    assert.ok(fired(wide).includes("no-ssh-from-anywhere"));
    const sgRule = resource((r) => r.type === "alicloud:ecs/securityGroupRule:SecurityGroupRule" && r.name.includes("-ssh-22-"));
    assert.deepEqual(fired(withProps(sgRule, (p) => (p.cidrIp = "0.0.0.0/0"))), ["no-ssh-from-anywhere"]);
    const nsgRule = resource((r) => r.type.startsWith("oci:Core/networkSecurityGroupSecurityRule") && r.name.includes("-ssh-22-"));
    assert.deepEqual(fired(withProps(nsgRule, (p) => (p.source = "0.0.0.0/0"))), ["no-ssh-from-anywhere"]);
    const list = resource((r) => r.type === "oci:Core/securityList:SecurityList");
    const sshRule = { protocol: "6", source: "0.0.0.0/0", sourceType: "CIDR_BLOCK", tcpOptions: { destinationPortRange: { min: 22, max: 22 } } };
    assert.deepEqual(fired(withProps(list, (p) => p.ingressSecurityRules.push(sshRule))), ["no-ssh-from-anywhere"]);
    assert.deepEqual(fired(withProps(list, (p) => p.ingressSecurityRules.push({ protocol: "all", source: "0.0.0.0/0" }))), ["no-ssh-from-anywhere"]);
    // The proxy port from anywhere, and SSH from a narrow source, are fine.
    const proxy = resource((r) => r.type === "alicloud:ecs/securityGroupRule:SecurityGroupRule" && r.name.includes("-proxy-tcp-443-"));
    assert.equal(proxy.props.cidrIp, "0.0.0.0/0");
    assert.deepEqual(fired(proxy), []);
    assert.deepEqual(fired(withProps(sgRule, (p) => (p.cidrIp = UNKNOWN))), []);
  });

  it("oci-subnets-have-security-lists: a subnet without securityListIds (unknown ids count as set)", () => {
    const subnet = resource((r) => r.type === "oci:Core/subnet:Subnet");
    assert.deepEqual(fired(withProps(subnet, (p) => delete p.securityListIds)), ["oci-subnets-have-security-lists"]);
    assert.deepEqual(fired(withProps(subnet, (p) => (p.securityListIds = []))), ["oci-subnets-have-security-lists"]);
    assert.deepEqual(fired(withProps(subnet, (p) => (p.securityListIds = UNKNOWN))), []);
  });

  it("remote-commands-pin-host-key: image build copies and commands without hostKey", () => {
    for (const step of [resource((r) => r.name.endsWith("-base-recipe")), resource((r) => r.name.endsWith("-base-provision"))]) {
      assert.deepEqual(fired(step), [], step.name);
      assert.deepEqual(fired(withProps(step, (p) => delete p.connection.hostKey)), ["remote-commands-pin-host-key"], step.name);
    }
  });

  it("remote-commands-pin-host-key: the real hot-swap connection pins the host key; without hostKey it is caught", async () => {
    const text = readFileSync(path.join(__dirname, "..", "Pulumi.staging.yaml"), "utf8");
    const hotswapped = routesOf(fleetConfigOfStackFile(text)).find((r) => r.rollout === "hotswap");
    assert.ok(hotswapped, "staging has a hot-swapped route");
    const name = `${hotswapped.id}-hotswap`;
    assert.ok(plan().resources.some((r) => r.name === name && r.type === "command:remote:Command"));

    // Declare the real hot-swap under the shared mocks and keep the inputs it registers.
    let resolveInputs: (inputs: Record<string, unknown>) => void = () => {};
    const registered = new Promise<Record<string, unknown>>((resolve) => (resolveInputs = resolve));
    await pulumi.runtime.setMocks(
      { ...mocks, newResource: (args) => (args.name === name && resolveInputs(args.inputs as Record<string, unknown>), mocks.newResource(args)) },
      "lantern-fleet",
      "staging",
    );
    const { releaseCommand } = await import("../components/release");
    const { routeConnection } = await import("../components/ssh");
    const hostPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheRoute route-host-key";
    const release = { releaseBaseUrl: "https://example.test/releases", releaseSoakSeconds: 30 };
    const configFiles = pulumi.secret({ "config.json": "{}", "otel.env": "", "otelcol.env": "", authorized_keys: "" });
    const connection = routeConnection({ host: pulumi.output("198.51.100.7"), hostPublicKey: pulumi.output(hostPublicKey), managementPrivateKey: pulumi.secret("PRIVATE") });
    releaseCommand({ route: hotswapped, release, configFiles, connection }, {});
    const inputs = unwrapSecrets(await registered) as Record<string, any>;
    assert.equal(inputs.connection.hostKey, hostPublicKey);

    const swap: Subject = { type: "command:remote:Command", name, props: inputs };
    assert.deepEqual(fired(swap), []);
    assert.deepEqual(fired(withProps(swap, (p) => delete p.connection.hostKey)), ["remote-commands-pin-host-key"]);
    assert.deepEqual(fired(withProps(swap, (p) => (p.connection.hostKey = ""))), ["remote-commands-pin-host-key"]);
    assert.deepEqual(fired(withProps(swap, (p) => (p.connection.hostKey = UNKNOWN))), []);
  });
});

/** Mock inputs keep Pulumi's secret wrappers; the policy engine hands policies plain values. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return unwrapSecrets(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
}

describe("user-data as policies receive it (base64, maybe gzipped)", () => {
  it("decodes each provider's user-data property back to the plan's text", () => {
    const text = Object.values(planOf("staging").userData)[0]!;
    for (const encoded of [Buffer.from(text).toString("base64"), gzipSync(text).toString("base64")]) {
      assert.equal(userDataOf(INSTANCE_TYPES.linode, { metadatas: [{ userData: encoded }] }), text);
      assert.equal(userDataOf(INSTANCE_TYPES.alicloud, { userData: encoded }), text);
      assert.equal(userDataOf(INSTANCE_TYPES.oci, { metadata: { ssh_authorized_keys: "k", user_data: encoded } }), text);
    }
    assert.equal(userDataOf(INSTANCE_TYPES.oci, { metadata: UNKNOWN }), undefined);
    assert.equal(userDataOf(INSTANCE_TYPES.linode, {}), "");
  });
});

// ------------------------------------------------------------ the CLI's way

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's unknown-string sentinel

describe("the pack as the Pulumi CLI runs it (run-policy-pack from policy/, over gRPC)", () => {
  let child: ChildProcess | undefined;
  let client: analyzerGrpc.AnalyzerClient;

  before(async () => {
    // What the nodejs language host does: resolve the runner from the pack's folder and start it there.
    const policyDir = __dirname;
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [policyDir] });
    const proc = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: policyDir, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let stderr = "";
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      proc.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) resolve(m[1]!);
      });
      proc.on("exit", (code) => reject(new Error(`run-policy-pack exited ${code}: ${stderr}`)));
    });
    client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    child?.kill();
  });

  const analyze = (type: string, name: string, props: Record<string, unknown>, options: { ignoreChanges?: string[]; additionalSecretOutputs?: string[] } = {}) => {
    const req = new analyzerPb.AnalyzeRequest();
    req.setType(type);
    req.setName(name);
    req.setUrn(`urn:pulumi:staging::lantern-fleet::${type}::${name}`);
    req.setProperties(Struct.fromJavaScript(props as never));
    req.setOptions(
      new analyzerPb.AnalyzerResourceOptions().setIgnorechangesList(options.ignoreChanges ?? []).setAdditionalsecretoutputsList(options.additionalSecretOutputs ?? []),
    );
    return new Promise<{ policy: string; message: string; mandatory: boolean }[]>((resolve, reject) =>
      client.analyze(req, (err, res) =>
        err
          ? reject(err)
          : resolve(
              res.getDiagnosticsList().map((d) => ({
                policy: d.getPolicyname(),
                message: d.getMessage(),
                mandatory: d.getEnforcementlevel() === analyzerPb.EnforcementLevel.MANDATORY,
              })),
            ),
      ),
    );
  };

  it("declares the pack lantern-fleet with every rule mandatory and the port lists configurable", async () => {
    const info = await new Promise<analyzerPb.AnalyzerInfo>((resolve, reject) =>
      client.getAnalyzerInfo(new Empty(), (err, res) => (err ? reject(err) : resolve(res))),
    );
    assert.equal(info.getName(), "lantern-fleet");
    assert.deepEqual(info.getPoliciesList().map((p) => p.getName()), RULES.map((r) => r.name));
    assert.ok(info.getPoliciesList().every((p) => p.getEnforcementlevel() === analyzerPb.EnforcementLevel.MANDATORY));
    const ports = info.getPoliciesList().find((p) => p.getName() === "only-configured-ports")!;
    const schema = ports.getConfigschema()!.getProperties()!.toJavaScript() as Record<string, { default: number[] }>;
    assert.deepEqual(schema.allowedTcpPorts!.default, [22, 443]);
    assert.deepEqual(schema.allowedUdpPorts!.default, [443]);
  });

  it("passes a real firewall and reports a mandatory violation for an ACCEPT one", async () => {
    const firewall = find(planOf("staging"), (r) => r.type === "linode:index/firewall:Firewall");
    assert.deepEqual(await analyze(firewall.type, firewall.name, firewall.inputs), []);
    const open = await analyze(firewall.type, firewall.name, { ...firewall.inputs, inboundPolicy: "ACCEPT" });
    assert.deepEqual(open.map((d) => [d.policy, d.mandatory]), [["only-configured-ports", true]]);
  });

  it("sees a Tailscale key's ignoreChanges", async () => {
    const key = find(planOf("staging"), (r) => r.type === "tailscale:index/tailnetKey:TailnetKey");
    const ignoreChanges = key.options.ignoreChanges as string[];
    assert.deepEqual(await analyze(key.type, key.name, key.inputs, { ignoreChanges }), []);
    const fresh = await analyze(key.type, key.name, key.inputs);
    assert.deepEqual(fresh.map((d) => [d.policy, d.mandatory]), [["tailnet-keys-are-one-off", true]]);
  });

  it("sees a route instance's additionalSecretOutputs", async () => {
    const plan = planOf("staging");
    const route = (plan.outputs.routes as { name: string }[])[0]!.name;
    const instance = find(plan, (r) => r.name === route && r.type in USER_DATA_INPUT);
    const additionalSecretOutputs = instance.options.additionalSecretOutputs as string[];
    assert.ok(additionalSecretOutputs.length > 0, route);
    // Preview props (user-data unknown), so only this rule can speak.
    const props = { ...instance.inputs, [USER_DATA_INPUT[instance.type]!]: UNKNOWN_STRING };
    assert.deepEqual(await analyze(instance.type, instance.name, props, { additionalSecretOutputs }), []);
    const plain = await analyze(instance.type, instance.name, props);
    assert.deepEqual(plain.map((d) => [d.policy, d.mandatory]), [["route-userdata-is-secret", true]]);
  });

  it("decodes real user-data from the instance's props, and says nothing about unknown user-data", async () => {
    const plan = planOf("staging");
    const instance = find(plan, (r) => r.type === INSTANCE_TYPES.linode && r.name in plan.userData);
    const props = (text: string) => ({ ...instance.inputs, metadatas: [{ userData: gzipSync(text).toString("base64") }] });
    assert.deepEqual(await analyze(instance.type, instance.name, props(plan.userData[instance.name]!)), []);
    const pwauth = plan.userData[instance.name]!.replace("ssh_pwauth: false", "ssh_pwauth: true");
    assert.deepEqual((await analyze(instance.type, instance.name, props(pwauth))).map((d) => d.policy), ["no-ssh-password-login"]);
    // Preview: user-data and firewall id unknown. No violation and no "can't run during preview" noise.
    const preview = { ...instance.inputs, metadatas: [{ userData: UNKNOWN_STRING }], firewallId: UNKNOWN_STRING };
    assert.deepEqual(await analyze(instance.type, instance.name, preview), []);
  });
});
