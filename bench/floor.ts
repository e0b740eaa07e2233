/**
 * The floor for `npm run bench`: a bare Pulumi program, written for the
 * benchmark and importing nothing of the project, that declares the same
 * resource types as the project's plan, as many of each, with inputs of the
 * same size as the program sends (the shape bench/plan.ts measured from the project's plan, read
 * from the file in FLOOR_SHAPE). No validation, rendering, apply chains or
 * components with logic: only what any program declaring these resources
 * must pay the SDK. bench/plan.ts runs it through the same plan runner and
 * mocks as the project and prints both.
 *
 * FLOOR_WIRED=1 declares the same resources wired into a graph the way the
 * project wires its own: as many `dependsOn` and `replaceWith` edges and
 * `replacementTrigger`s (an earlier resource's id) per type as the
 * project's plan records, every padded input an Output of an
 * earlier resource (the project's inputs come from other resources:
 * instance addresses, host keys, image, subnet and firewall ids), user-data
 * a secret Output, command connections from key outputs, a stack output per
 * instance. Still no validation, rendering or logic: what the SDK charges
 * for the graph itself.
 */
import { readFileSync } from "node:fs";
import * as alicloud from "@pulumi/alicloud";
import * as command from "@pulumi/command";
import * as linode from "@pulumi/linode";
import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import * as tls from "@pulumi/tls";

/** One resource type's share of the project's plan. */
export interface TypeShape {
  count: number;
  bytes: number;
  values: number;
  dependsOn: number;
  replaceWith: number;
  replacementTriggers: number;
}

/**
 * The project's plan in numbers: its component resources, and per custom
 * resource type how many, their inputs' mean bytes and values as the program
 * sent them (bench/input-bytes.ts; the floor matches the bytes, the bench
 * prints both sides' values), their `dependsOn` and `replaceWith` edges in
 * all, and how many have a `replacementTrigger`.
 */
export interface FloorShape {
  readonly components: number;
  /**
   * Per type, the values the floor's own inputs send before any filler (the
   * SDKs add defaults of their own): bench/plan.ts measures them once per
   * type with a floor run whose shape has none, then each floor fills up to
   * the project's values.
   */
  readonly floorValues?: Readonly<Record<string, number>>;
  readonly types: Readonly<Record<string, Readonly<TypeShape>>>;
}

const shape = JSON.parse(readFileSync(process.env.FLOOR_SHAPE ?? "", "utf8")) as FloorShape;
const countOf = (type: string): number => shape.types[type]?.count ?? 0;
const WIRED = process.env.FLOOR_WIRED === "1";
/** Every custom resource declared so far: wired inputs and edges point back into it. */
const declared: pulumi.CustomResource[] = [];
/** Wired: the value as an Output of the last resource declared, as the project's inputs come from other resources. */
const fromGraph = (value: string): pulumi.Input<string> => {
  const anchor = declared.at(-1);
  return WIRED && anchor ? anchor.id.apply(() => value) : value;
};
/** Filler that brings a resource's inputs to the project's mean size (`base`: what its fixed inputs already take). */
const pad = (type: string, base: number): pulumi.Input<string> => fromGraph("x".repeat(Math.max(0, Math.round((shape.types[type]?.bytes ?? 0) - base))));
/** Base64 user-data that brings an instance's inputs to the project's mean size (user-data is nearly all of them); wired, a secret. */
const userData = (type: string): pulumi.Input<string> => {
  const text = fromGraph(Buffer.from("x".repeat(Math.max(0, Math.round(((shape.types[type]?.bytes ?? 0) - 80) * (3 / 4))))).toString("base64"));
  return WIRED ? pulumi.secret(text) : text;
};
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Per type, a list or map input the filler values go in; a type without one sends its own values only. */
const FILLER: Readonly<Record<string, { readonly input: string; readonly kind: "list" | "map" }>> = {
  "command:remote:Command": { input: "triggers", kind: "list" },
  "command:remote:CopyToRemote": { input: "triggers", kind: "list" },
  "linode:index/firewall:Firewall": { input: "tags", kind: "list" },
  "linode:index/instance:Instance": { input: "tags", kind: "list" },
  "linode:index/image:Image": { input: "tags", kind: "list" },
  "tailscale:index/tailnetKey:TailnetKey": { input: "tags", kind: "list" },
  "alicloud:ecs/instance:Instance": { input: "tags", kind: "map" },
  "alicloud:ecs/securityGroup:SecurityGroup": { input: "tags", kind: "map" },
  "alicloud:vpc/network:Network": { input: "tags", kind: "map" },
  "alicloud:vpc/switch:Switch": { input: "tags", kind: "map" },
  "alicloud:ecs/imageCopy:ImageCopy": { input: "tags", kind: "map" },
  "alicloud:ecs/ecsKeyPair:EcsKeyPair": { input: "tags", kind: "map" },
  "alicloud:ecs/image:Image": { input: "tags", kind: "map" },
  "oci:Core/instance:Instance": { input: "freeformTags", kind: "map" },
  "oci:Core/internetGateway:InternetGateway": { input: "freeformTags", kind: "map" },
  "oci:Core/networkSecurityGroup:NetworkSecurityGroup": { input: "freeformTags", kind: "map" },
  "oci:Core/routeTable:RouteTable": { input: "freeformTags", kind: "map" },
  "oci:Core/securityList:SecurityList": { input: "freeformTags", kind: "map" },
  "oci:Core/subnet:Subnet": { input: "freeformTags", kind: "map" },
  "oci:Core/vcn:Vcn": { input: "freeformTags", kind: "map" },
  "oci:Core/image:Image": { input: "freeformTags", kind: "map" },
};

/**
 * The inputs plus one-character filler values, so the type sends as many
 * values as the project's (bench/input-bytes.ts inputValues: each is a
 * protobuf field to serialize, whatever its length): the filler input's key
 * counts one, a list item one, a map entry two.
 */
function withFiller<T extends object>(type: string, args: T): T {
  const filler = FILLER[type];
  const own = shape.floorValues?.[type];
  const missing = own === undefined ? 0 : Math.round((shape.types[type]?.values ?? 0) - own) - 1;
  if (!filler || missing <= 0) return args;
  const value = filler.kind === "list" ? range(missing).map(() => "v") : Object.fromEntries(range(Math.round(missing / 2)).map((j) => [`k${j}`, "v"]));
  return { ...args, [filler.input]: value };
}
/** The i-th of `count` resources gets its even share of `total` edges. */
const share = (total: number, count: number, i: number): number => Math.floor(((i + 1) * total) / count) - Math.floor((i * total) / count);
/** Wired: the project's `dependsOn` and `replaceWith` edges and replacement triggers for this type, spread evenly, onto earlier resources. */
function graph(type: string, i: number): pulumi.CustomResourceOptions {
  const entry = shape.types[type];
  if (!WIRED || !entry || declared.length === 0) return {};
  const earlier = (n: number, salt: number) => range(n).map((j) => declared[(i * 7 + j * 13 + salt) % declared.length]!);
  const dependsOn = earlier(share(entry.dependsOn, entry.count, i), 0);
  const replaceWith = earlier(share(entry.replaceWith, entry.count, i), 5);
  const [triggeredBy] = earlier(share(entry.replacementTriggers, entry.count, i), 11);
  return {
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    ...(replaceWith.length > 0 ? { replaceWith } : {}),
    ...(triggeredBy ? { replacementTrigger: triggeredBy.id } : {}),
  };
}

// Component resources (the project's are its fleet, network, image and route groups): plain groups here.
const groups = range(shape.components).map((i) => new pulumi.ComponentResource("floor:index:Group", `group-${i}`));
const parentOf = (i: number): pulumi.ComponentResource | undefined => groups[i % Math.max(1, groups.length)];

const ociProviders = range(countOf("pulumi:providers:oci")).map((i) => new oci.Provider(`oci-${i}`, { region: `region-${i}` }));
const alicloudProviders = range(countOf("pulumi:providers:alicloud")).map((i) => new alicloud.Provider(`alicloud-${i}`, { region: `region-${i}` }));
const tailscaleProviders = range(countOf("pulumi:providers:tailscale")).map((i) => new tailscale.Provider(`tailscale-${i}`, { oauthClientId: `client-${i}` }));
const ociOpts = (i: number): pulumi.CustomResourceOptions => ({ parent: parentOf(i), provider: ociProviders[i % Math.max(1, ociProviders.length)] });
const aliOpts = (i: number): pulumi.CustomResourceOptions => ({ parent: parentOf(i), provider: alicloudProviders[i % Math.max(1, alicloudProviders.length)] });
const tailscaleOpts = (i: number): pulumi.CustomResourceOptions => ({ parent: parentOf(i), provider: tailscaleProviders[i % Math.max(1, tailscaleProviders.length)] });
const opts = (i: number): pulumi.CustomResourceOptions => ({ parent: parentOf(i) });

const keys = range(countOf("tls:index/privateKey:PrivateKey")).map((i) => new tls.PrivateKey(`key-${i}`, { algorithm: "ED25519" }, opts(i)));
declared.push(...keys);
const keyOf = (i: number) => keys[i % Math.max(1, keys.length)];
const connection = (i: number) => ({
  host: fromGraph(`198.51.100.${i % 250}`),
  user: "root",
  privateKey: keyOf(i)?.privateKeyOpenssh ?? "",
  ...(WIRED ? { hostKey: keyOf(i + 1)?.publicKeyOpenssh ?? "" } : {}),
});

type Declare = (i: number, graph: pulumi.CustomResourceOptions) => pulumi.CustomResource;
const DECLARE: Readonly<Record<string, Declare>> = {
  "command:remote:Command": (i, g) => new command.remote.Command(`command-${i}`, withFiller("command:remote:Command", { connection: connection(i), create: pad("command:remote:Command", 120) }), { ...opts(i), ...g }),
  "command:remote:CopyToRemote": (i, g) =>
    new command.remote.CopyToRemote(`copy-${i}`, withFiller("command:remote:CopyToRemote", { connection: connection(i), source: new pulumi.asset.FileArchive("bench"), remotePath: pad("command:remote:CopyToRemote", 120) }), { ...opts(i), ...g }),
  "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule": (i, g) =>
    new oci.core.NetworkSecurityGroupSecurityRule(`nsg-rule-${i}`, withFiller("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule", { direction: "INGRESS", networkSecurityGroupId: "nsg", protocol: "6", description: pad("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule", 90) }), { ...ociOpts(i), ...g }),
  "oci:Core/instance:Instance": (i, g) =>
    new oci.core.Instance(`oci-instance-${i}`, withFiller("oci:Core/instance:Instance", { availabilityDomain: "AD-1", compartmentId: "c", shape: "VM.Standard.E2.1.Micro", metadata: { user_data: userData("oci:Core/instance:Instance") } }), { ...ociOpts(i), ...g }),
  "oci:Core/internetGateway:InternetGateway": (i, g) => new oci.core.InternetGateway(`igw-${i}`, withFiller("oci:Core/internetGateway:InternetGateway", { compartmentId: "c", vcnId: "v", displayName: pad("oci:Core/internetGateway:InternetGateway", 50) }), { ...ociOpts(i), ...g }),
  "oci:Core/networkSecurityGroup:NetworkSecurityGroup": (i, g) => new oci.core.NetworkSecurityGroup(`nsg-${i}`, withFiller("oci:Core/networkSecurityGroup:NetworkSecurityGroup", { compartmentId: "c", vcnId: "v", displayName: pad("oci:Core/networkSecurityGroup:NetworkSecurityGroup", 50) }), { ...ociOpts(i), ...g }),
  "oci:Core/routeTable:RouteTable": (i, g) => new oci.core.RouteTable(`route-table-${i}`, withFiller("oci:Core/routeTable:RouteTable", { compartmentId: "c", vcnId: "v", displayName: pad("oci:Core/routeTable:RouteTable", 50) }), { ...ociOpts(i), ...g }),
  "oci:Core/securityList:SecurityList": (i, g) => new oci.core.SecurityList(`security-list-${i}`, withFiller("oci:Core/securityList:SecurityList", { compartmentId: "c", vcnId: "v", displayName: pad("oci:Core/securityList:SecurityList", 50) }), { ...ociOpts(i), ...g }),
  "oci:Core/subnet:Subnet": (i, g) => new oci.core.Subnet(`subnet-${i}`, withFiller("oci:Core/subnet:Subnet", { compartmentId: "c", vcnId: "v", cidrBlock: "10.0.0.0/24", displayName: pad("oci:Core/subnet:Subnet", 70) }), { ...ociOpts(i), ...g }),
  "oci:Core/vcn:Vcn": (i, g) => new oci.core.Vcn(`vcn-${i}`, withFiller("oci:Core/vcn:Vcn", { compartmentId: "c", displayName: pad("oci:Core/vcn:Vcn", 40) }), { ...ociOpts(i), ...g }),
  "oci:Core/image:Image": (i, g) => new oci.core.Image(`oci-image-${i}`, withFiller("oci:Core/image:Image", { compartmentId: "c", instanceId: "i", displayName: pad("oci:Core/image:Image", 50) }), { ...ociOpts(i), ...g }),
  "alicloud:ecs/securityGroupRule:SecurityGroupRule": (i, g) =>
    new alicloud.ecs.SecurityGroupRule(`sg-rule-${i}`, withFiller("alicloud:ecs/securityGroupRule:SecurityGroupRule", { ipProtocol: "tcp", securityGroupId: "sg", type: "ingress", description: pad("alicloud:ecs/securityGroupRule:SecurityGroupRule", 70) }), { ...aliOpts(i), ...g }),
  "alicloud:ecs/instance:Instance": (i, g) =>
    new alicloud.ecs.Instance(`alicloud-instance-${i}`, withFiller("alicloud:ecs/instance:Instance", { instanceType: "ecs.t6-c1m1.large", userData: userData("alicloud:ecs/instance:Instance") }), { ...aliOpts(i), ...g }),
  "alicloud:ecs/securityGroup:SecurityGroup": (i, g) => new alicloud.ecs.SecurityGroup(`sg-${i}`, withFiller("alicloud:ecs/securityGroup:SecurityGroup", { vpcId: "v", description: pad("alicloud:ecs/securityGroup:SecurityGroup", 30) }), { ...aliOpts(i), ...g }),
  "alicloud:vpc/network:Network": (i, g) => new alicloud.vpc.Network(`vpc-${i}`, withFiller("alicloud:vpc/network:Network", { cidrBlock: "10.0.0.0/16", description: pad("alicloud:vpc/network:Network", 30) }), { ...aliOpts(i), ...g }),
  "alicloud:vpc/switch:Switch": (i, g) => new alicloud.vpc.Switch(`vswitch-${i}`, withFiller("alicloud:vpc/switch:Switch", { vpcId: "v", cidrBlock: "10.0.0.0/24", description: pad("alicloud:vpc/switch:Switch", 50) }), { ...aliOpts(i), ...g }),
  "alicloud:ecs/imageCopy:ImageCopy": (i, g) => new alicloud.ecs.ImageCopy(`image-copy-${i}`, withFiller("alicloud:ecs/imageCopy:ImageCopy", { sourceImageId: "m", sourceRegionId: "r", description: pad("alicloud:ecs/imageCopy:ImageCopy", 50) }), { ...aliOpts(i), ...g }),
  "alicloud:ecs/ecsKeyPair:EcsKeyPair": (i, g) => new alicloud.ecs.EcsKeyPair(`key-pair-${i}`, withFiller("alicloud:ecs/ecsKeyPair:EcsKeyPair", { publicKey: pad("alicloud:ecs/ecsKeyPair:EcsKeyPair", 20) }), { ...aliOpts(i), ...g }),
  "alicloud:ecs/image:Image": (i, g) => new alicloud.ecs.Image(`alicloud-image-${i}`, withFiller("alicloud:ecs/image:Image", { instanceId: "i", description: pad("alicloud:ecs/image:Image", 40) }), { ...aliOpts(i), ...g }),
  "linode:index/firewall:Firewall": (i, g) =>
    new linode.Firewall(`firewall-${i}`, withFiller("linode:index/firewall:Firewall", { label: `fw-${i}`, inboundPolicy: "DROP", outboundPolicy: "ACCEPT", inbounds: [{ label: pad("linode:index/firewall:Firewall", 120), action: "ACCEPT", protocol: "TCP", ports: "443" }] }), { ...opts(i), ...g }),
  "linode:index/instance:Instance": (i, g) =>
    new linode.Instance(`linode-instance-${i}`, withFiller("linode:index/instance:Instance", { region: "us-east", type: "g6-nanode-1", metadatas: [{ userData: userData("linode:index/instance:Instance") }] }), { ...opts(i), ...g }),
  "tailscale:index/tailnetKey:TailnetKey": (i, g) =>
    new tailscale.TailnetKey(`tailnet-key-${i}`, withFiller("tailscale:index/tailnetKey:TailnetKey", { reusable: false, description: pad("tailscale:index/tailnetKey:TailnetKey", 60) }), { ...tailscaleOpts(i), ...g }),
  "pulumi:index:Stash": (i, g) => new pulumi.Stash(`stash-${i}`, { input: pad("pulumi:index:Stash", 12) }, g),
  "linode:index/image:Image": (i, g) => new linode.Image(`linode-image-${i}`, withFiller("linode:index/image:Image", { label: "base", description: pad("linode:index/image:Image", 40) }), { ...opts(i), ...g }),
};

const instanceIds: pulumi.Output<string>[] = [];
// Every custom type of the project's plan is declared (tls keys and providers above), or the floor is not comparable.
const declaredAbove = new Set(["tls:index/privateKey:PrivateKey", "pulumi:providers:oci", "pulumi:providers:alicloud", "pulumi:providers:tailscale"]);
for (const type of Object.keys(shape.types)) {
  if (declaredAbove.has(type)) continue;
  const declare = DECLARE[type];
  if (!declare) throw new Error(`the floor declares no ${type}: add it to bench/floor.ts`);
  for (const i of range(countOf(type))) {
    const resource = declare(i, graph(type, i));
    declared.push(resource);
    if (type.endsWith("/instance:Instance")) instanceIds.push(resource.id);
  }
}

/** Wired: the project exports its routes with their instances' outputs; here, each instance's id. */
export const instances = instanceIds;
