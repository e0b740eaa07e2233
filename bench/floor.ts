/**
 * The floor for `npm run bench`: a bare Pulumi program, written for the
 * benchmark and importing nothing of the project, that declares the same
 * resource types as the project's plan, as many of each, with inputs of the
 * same size as the program sends (the shape bench/plan.ts measured from the project's plan, read
 * from the file in FLOOR_SHAPE). No validation, rendering, apply chains or
 * components with logic: only what any program declaring these resources
 * must pay the SDK. bench/plan.ts runs it through the same plan runner and
 * mocks as the project and prints both.
 */
import { readFileSync } from "node:fs";
import * as alicloud from "@pulumi/alicloud";
import * as command from "@pulumi/command";
import * as linode from "@pulumi/linode";
import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import * as tls from "@pulumi/tls";

/** The project's plan in numbers: its component resources, and per custom resource type how many and their inputs' mean bytes as the program sent them (bench/input-bytes.ts). */
export interface FloorShape {
  readonly components: number;
  readonly types: Readonly<Record<string, { readonly count: number; readonly bytes: number }>>;
}

const shape = JSON.parse(readFileSync(process.env.FLOOR_SHAPE ?? "", "utf8")) as FloorShape;
const countOf = (type: string): number => shape.types[type]?.count ?? 0;
/** Filler that brings a resource's inputs to the project's mean size (`base`: what its fixed inputs already take). */
const pad = (type: string, base: number): string => "x".repeat(Math.max(0, Math.round((shape.types[type]?.bytes ?? 0) - base)));
/** Base64 user-data that brings an instance's inputs to the project's mean size (user-data is nearly all of them). */
const userData = (type: string): string => Buffer.from("x".repeat(Math.max(0, Math.round(((shape.types[type]?.bytes ?? 0) - 80) * (3 / 4))))).toString("base64");
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

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
const connection = (i: number) => ({ host: `198.51.100.${i % 250}`, user: "root", privateKey: keys[i % Math.max(1, keys.length)]?.privateKeyOpenssh ?? "" });

type Declare = (i: number) => unknown;
const DECLARE: Readonly<Record<string, Declare>> = {
  "command:remote:Command": (i) => new command.remote.Command(`command-${i}`, { connection: connection(i), create: pad("command:remote:Command", 120) }, opts(i)),
  "command:remote:CopyToRemote": (i) =>
    new command.remote.CopyToRemote(`copy-${i}`, { connection: connection(i), source: new pulumi.asset.FileArchive("bench"), remotePath: pad("command:remote:CopyToRemote", 120) }, opts(i)),
  "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule": (i) =>
    new oci.core.NetworkSecurityGroupSecurityRule(`nsg-rule-${i}`, { direction: "INGRESS", networkSecurityGroupId: "nsg", protocol: "6", description: pad("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule", 90) }, ociOpts(i)),
  "oci:Core/instance:Instance": (i) =>
    new oci.core.Instance(`oci-instance-${i}`, { availabilityDomain: "AD-1", compartmentId: "c", shape: "VM.Standard.E2.1.Micro", metadata: { user_data: userData("oci:Core/instance:Instance") } }, ociOpts(i)),
  "oci:Core/internetGateway:InternetGateway": (i) => new oci.core.InternetGateway(`igw-${i}`, { compartmentId: "c", vcnId: "v", displayName: pad("oci:Core/internetGateway:InternetGateway", 50) }, ociOpts(i)),
  "oci:Core/networkSecurityGroup:NetworkSecurityGroup": (i) => new oci.core.NetworkSecurityGroup(`nsg-${i}`, { compartmentId: "c", vcnId: "v", displayName: pad("oci:Core/networkSecurityGroup:NetworkSecurityGroup", 50) }, ociOpts(i)),
  "oci:Core/routeTable:RouteTable": (i) => new oci.core.RouteTable(`route-table-${i}`, { compartmentId: "c", vcnId: "v", displayName: pad("oci:Core/routeTable:RouteTable", 50) }, ociOpts(i)),
  "oci:Core/securityList:SecurityList": (i) => new oci.core.SecurityList(`security-list-${i}`, { compartmentId: "c", vcnId: "v", displayName: pad("oci:Core/securityList:SecurityList", 50) }, ociOpts(i)),
  "oci:Core/subnet:Subnet": (i) => new oci.core.Subnet(`subnet-${i}`, { compartmentId: "c", vcnId: "v", cidrBlock: "10.0.0.0/24", displayName: pad("oci:Core/subnet:Subnet", 70) }, ociOpts(i)),
  "oci:Core/vcn:Vcn": (i) => new oci.core.Vcn(`vcn-${i}`, { compartmentId: "c", displayName: pad("oci:Core/vcn:Vcn", 40) }, ociOpts(i)),
  "oci:Core/image:Image": (i) => new oci.core.Image(`oci-image-${i}`, { compartmentId: "c", instanceId: "i", displayName: pad("oci:Core/image:Image", 50) }, ociOpts(i)),
  "alicloud:ecs/securityGroupRule:SecurityGroupRule": (i) =>
    new alicloud.ecs.SecurityGroupRule(`sg-rule-${i}`, { ipProtocol: "tcp", securityGroupId: "sg", type: "ingress", description: pad("alicloud:ecs/securityGroupRule:SecurityGroupRule", 70) }, aliOpts(i)),
  "alicloud:ecs/instance:Instance": (i) =>
    new alicloud.ecs.Instance(`alicloud-instance-${i}`, { instanceType: "ecs.t6-c1m1.large", userData: userData("alicloud:ecs/instance:Instance") }, aliOpts(i)),
  "alicloud:ecs/securityGroup:SecurityGroup": (i) => new alicloud.ecs.SecurityGroup(`sg-${i}`, { vpcId: "v", description: pad("alicloud:ecs/securityGroup:SecurityGroup", 30) }, aliOpts(i)),
  "alicloud:vpc/network:Network": (i) => new alicloud.vpc.Network(`vpc-${i}`, { cidrBlock: "10.0.0.0/16", description: pad("alicloud:vpc/network:Network", 30) }, aliOpts(i)),
  "alicloud:vpc/switch:Switch": (i) => new alicloud.vpc.Switch(`vswitch-${i}`, { vpcId: "v", cidrBlock: "10.0.0.0/24", description: pad("alicloud:vpc/switch:Switch", 50) }, aliOpts(i)),
  "alicloud:ecs/imageCopy:ImageCopy": (i) => new alicloud.ecs.ImageCopy(`image-copy-${i}`, { sourceImageId: "m", sourceRegionId: "r", description: pad("alicloud:ecs/imageCopy:ImageCopy", 50) }, aliOpts(i)),
  "alicloud:ecs/ecsKeyPair:EcsKeyPair": (i) => new alicloud.ecs.EcsKeyPair(`key-pair-${i}`, { publicKey: pad("alicloud:ecs/ecsKeyPair:EcsKeyPair", 20) }, aliOpts(i)),
  "alicloud:ecs/image:Image": (i) => new alicloud.ecs.Image(`alicloud-image-${i}`, { instanceId: "i", description: pad("alicloud:ecs/image:Image", 40) }, aliOpts(i)),
  "linode:index/firewall:Firewall": (i) =>
    new linode.Firewall(`firewall-${i}`, { label: `fw-${i}`, inboundPolicy: "DROP", outboundPolicy: "ACCEPT", inbounds: [{ label: pad("linode:index/firewall:Firewall", 120), action: "ACCEPT", protocol: "TCP", ports: "443" }] }, opts(i)),
  "linode:index/instance:Instance": (i) =>
    new linode.Instance(`linode-instance-${i}`, { region: "us-east", type: "g6-nanode-1", metadatas: [{ userData: userData("linode:index/instance:Instance") }] }, opts(i)),
  "tailscale:index/tailnetKey:TailnetKey": (i) =>
    new tailscale.TailnetKey(`tailnet-key-${i}`, { reusable: false, description: pad("tailscale:index/tailnetKey:TailnetKey", 60) }, tailscaleOpts(i)),
  "linode:index/image:Image": (i) => new linode.Image(`linode-image-${i}`, { label: "base", description: pad("linode:index/image:Image", 40) }, opts(i)),
};

// Every custom type of the project's plan is declared (tls keys and providers above), or the floor is not comparable.
const declaredAbove = new Set(["tls:index/privateKey:PrivateKey", "pulumi:providers:oci", "pulumi:providers:alicloud", "pulumi:providers:tailscale"]);
for (const type of Object.keys(shape.types)) {
  if (declaredAbove.has(type)) continue;
  const declare = DECLARE[type];
  if (!declare) throw new Error(`the floor declares no ${type}: add it to bench/floor.ts`);
  range(countOf(type)).forEach(declare);
}
