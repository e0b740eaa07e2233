/**
 * What a change to one input does, per resource type, as the provider's own
 * source says, at the version the installed SDK bundles. Offline there is no
 * provider to ask, so the plan diff reads this table; the real `pulumi
 * preview` in the PR workflow stays the authority. Each entry names its
 * source (repository@version:path, or a doc URL) and the line of evidence.
 *
 * Versions: @pulumi/linode 5.1.1 bundles terraform-provider-linode v3.1.1
 * (provider/go.mod at tag v5.1.1 of pulumi/pulumi-linode); @pulumi/oci
 * 4.20.0 bundles terraform-provider-oci v8.23.0 (the `upstream` submodule
 * at tag v4.20.0 of pulumi/pulumi-oci); @pulumi/alicloud 3.108.0 bundles
 * terraform-provider-alicloud v1.289.0 or later (its SDK has
 * `features.ecsInstance.replaceOnImageUpdate`, added in v1.289.0);
 * @pulumi/command 1.2.1 is pulumi/pulumi-command v1.2.1. The bridge adds no
 * ForceNew of its own for these types (provider/resources.go of each).
 */
import { covers } from "./values";

/** replace: a new resource; update: in place; migrate: in place, moved elsewhere; rerun: in place, runs a command again. */
export type ProviderEffect = "replace" | "update" | "migrate" | "rerun";

export interface InputFact {
  /** The Pulumi input path (`metadatas[*].userData`), matched like an option's property path. */
  readonly input: string;
  readonly effect: ProviderEffect;
  /** What happens, for the reader ("resize, with a reboot"). */
  readonly note: string;
  /** Where the provider says so: `owner/repo@version:path`, or a doc URL. */
  readonly source: string;
  /** The code or text there that says it. */
  readonly evidence: string;
}

export interface TypeFacts {
  readonly inputs: readonly InputFact[];
  /** What a change to an input not listed does (commands: any change runs them again). */
  readonly otherwise: ProviderEffect;
}

const LINODE = "linode/terraform-provider-linode@v3.1.1";
const LINODE_SCHEMA = `${LINODE}:linode/instance/schema_resource.go`;
const LINODE_UPDATE = `${LINODE}:linode/instance/resource.go`;
const ALICLOUD_SOURCE = (resource: string) => `aliyun/terraform-provider-alicloud@v1.289.0:alicloud/resource_alicloud_${resource}.go`;
const OCI_SOURCE = (resource: string) => `oracle/terraform-provider-oci@v8.23.0:internal/service/core/core_${resource}_resource.go`;
const ALICLOUD = ALICLOUD_SOURCE("instance");
const OCI = OCI_SOURCE("instance");
const COMMAND = "pulumi/pulumi-command@v1.2.1";
// @pulumi/tailscale 0.29.1 bundles terraform-provider-tailscale v0.29.2 (provider/go.mod of pulumi/pulumi-tailscale).
const TAILNET_KEY = "tailscale/terraform-provider-tailscale@v0.29.2:tailscale/resource_tailnet_key.go";
const COMMAND_INPUTS = `${COMMAND}:provider/pkg/provider/common/inputs.go`;

/** The provider's attribute name of a Pulumi input (`portRange` -> `port_range`). */
const snakeCase = (input: string) => input.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const forceNew = (input: string, source: string, field = snakeCase(input), note = "ForceNew"): InputFact => ({
  input,
  effect: "replace",
  note,
  source,
  evidence: `\`${field}\`: ForceNew: true`,
});

const commandFacts = (controller: string): TypeFacts => ({
  inputs: [
    { input: "triggers", effect: "replace", note: "replaceOnChanges", source: COMMAND_INPUTS, evidence: '`Triggers`: provider:"replaceOnChanges"' },
    ...["create", "update", "stdin", "environment", "connection"].map(
      (input): InputFact => ({
        input,
        effect: "rerun",
        note: "",
        source: `${COMMAND}:${controller}`,
        evidence: "Update runs `update`, or `create` when there is no `update`",
      }),
    ),
  ],
  otherwise: "rerun",
});

export const PROVIDER_FACTS: Readonly<Record<string, TypeFacts>> = {
  "linode:index/instance:Instance": {
    inputs: [
      forceNew("metadatas[*].userData", LINODE_SCHEMA, "metadata.user_data"),
      forceNew("image", LINODE_SCHEMA),
      forceNew("authorizedKeys", LINODE_SCHEMA),
      forceNew("authorizedUsers", LINODE_SCHEMA),
      // v3.10.0 and later reset the password in place (resource.go pendingRootPassReset); v3.1.1 does not.
      forceNew("rootPass", LINODE_SCHEMA),
      forceNew("firewallId", LINODE_SCHEMA),
      forceNew("diskEncryption", LINODE_SCHEMA),
      { input: "region", effect: "migrate", note: "the Linode is migrated to the new region", source: LINODE_UPDATE, evidence: '`HasChange("region")` -> applyInstanceMigration' },
      { input: "type", effect: "update", note: "resize, with a reboot", source: LINODE_UPDATE, evidence: "getInstanceTypeChange -> applyInstanceTypeChange" },
    ],
    otherwise: "update",
  },
  "alicloud:ecs/instance:Instance": {
    inputs: [
      {
        input: "userData",
        effect: "update",
        // cloud-init runs runcmd and write_files only on an instance-id's first boot: both modules
        // declare "frequency": PER_INSTANCE (canonical/cloud-init cloudinit/config/cc_runcmd.py,
        // cc_write_files.py).
        note: "with a reboot; cloud-init does not re-run first-boot steps",
        source: ALICLOUD,
        evidence: 'modifyInstanceAttribute: `HasChange("user_data")` -> ModifyInstanceAttribute UserData, reboot = true',
      },
      {
        input: "imageId",
        effect: "update",
        note: "system disk replaced, same instance and IP",
        source: ALICLOUD,
        evidence: "modifyInstanceImage -> ReplaceSystemDisk (a replacement only with features.ecs_instance.replace_on_image_update)",
      },
      { input: "instanceType", effect: "update", note: "resize, with a stop and start", source: ALICLOUD, evidence: "modifyInstanceType -> ModifyInstanceSpec / ModifyPrepayInstanceSpec" },
      { input: "hostName", effect: "update", note: "with a reboot", source: ALICLOUD, evidence: 'modifyInstanceAttribute: `HasChange("host_name")`, reboot = true' },
      { input: "vswitchId", effect: "update", note: "with a stop and start", source: ALICLOUD, evidence: "modifyVpcAttribute -> ModifyInstanceVpcAttribute" },
      forceNew("availabilityZone", ALICLOUD),
    ],
    otherwise: "update",
  },
  "oci:Core/instance:Instance": {
    inputs: [
      ...["user_data", "ssh_authorized_keys"].map(
        (key): InputFact => ({
          input: `metadata.${key}`,
          effect: "replace",
          note: "ForceNew (CustomizeDiff)",
          source: OCI,
          evidence: `CustomizeDiff: ForceNewIfChange("metadata") when ${key} changes`,
        }),
      ),
      forceNew("availabilityDomain", OCI),
      forceNew("createVnicDetails.subnetId", OCI),
      { input: "shape", effect: "update", note: "UpdateInstance, with a reboot", source: OCI, evidence: 'updateOptionsViaWorkRequest: `HasChange("shape")` -> UpdateInstance Shape' },
      { input: "shapeConfig", effect: "update", note: "UpdateInstance, with a reboot", source: OCI, evidence: 'updateOptionsViaWorkRequest: `HasChange("shape_config")` -> UpdateInstance ShapeConfig' },
      {
        input: "sourceDetails.sourceId",
        effect: "update",
        note: "boot volume replaced, same instance",
        source: OCI,
        evidence: 'updateOptionsViaWorkRequest: `HasChange("source_details.0.source_id")` -> UpdateInstanceSourceViaImageDetails',
      },
    ],
    otherwise: "update",
  },
  "tailscale:index/tailnetKey:TailnetKey": {
    inputs: [
      ...["reusable", "ephemeral", "tags", "preauthorized", "expiry", "description"].map(
        (input): InputFact => ({ input, effect: "replace", note: "RequiresReplace: a new key", source: TAILNET_KEY, evidence: `\`${input}\`: PlanModifiers RequiresReplace()` }),
      ),
      { input: "recreateIfInvalid", effect: "update", note: "state only", source: TAILNET_KEY, evidence: "`recreate_if_invalid`: no plan modifier; read by ModifyPlan" },
    ],
    otherwise: "update",
  },
  "linode:index/image:Image": {
    inputs: ["diskId", "linodeId", "cloudInit"].map(
      (input): InputFact => ({
        input,
        effect: "replace",
        note: "RequiresReplace: a new image",
        source: `${LINODE}:linode/image/framework_schema_resource.go`,
        evidence: `\`${snakeCase(input)}\`: PlanModifiers RequiresReplace()`,
      }),
    ),
    otherwise: "update",
  },
  "alicloud:vpc/switch:Switch": {
    inputs: [
      forceNew("cidrBlock", ALICLOUD_SOURCE("vswitch")),
      forceNew("vpcId", ALICLOUD_SOURCE("vswitch")),
      forceNew("zoneId", ALICLOUD_SOURCE("vswitch")),
    ],
    otherwise: "update",
  },
  "alicloud:ecs/securityGroup:SecurityGroup": { inputs: [forceNew("vpcId", ALICLOUD_SOURCE("security_group"))], otherwise: "update" },
  "alicloud:ecs/securityGroupRule:SecurityGroupRule": {
    inputs: ["securityGroupId", "type", "ipProtocol", "policy", "cidrIp", "portRange", "nicType"].map((input) => forceNew(input, ALICLOUD_SOURCE("security_group_rule"))),
    otherwise: "update",
  },
  "alicloud:ecs/imageCopy:ImageCopy": {
    inputs: [forceNew("sourceImageId", ALICLOUD_SOURCE("image_copy")), forceNew("sourceRegionId", ALICLOUD_SOURCE("image_copy"))],
    otherwise: "update",
  },
  "alicloud:ecs/image:Image": {
    inputs: [
      {
        input: "instanceId",
        effect: "update",
        note: "no change in the cloud: Update never reads it (the program renames the image instead)",
        source: ALICLOUD_SOURCE("image"),
        evidence: "`instance_id`: Optional, no ForceNew; resourceAliCloudEcsImageUpdate reads no instance_id",
      },
    ],
    otherwise: "update",
  },
  "alicloud:ecs/ecsKeyPair:EcsKeyPair": {
    inputs: [
      forceNew("keyPairName", ALICLOUD_SOURCE("ecs_key_pair")),
      {
        input: "publicKey",
        effect: "update",
        note: "no change in the cloud: Update applies only resource_group_id and tags (the program replaces the key pair instead)",
        source: ALICLOUD_SOURCE("ecs_key_pair"),
        evidence: '`public_key`: no ForceNew; resourceAliCloudEcsKeyPairUpdate: `HasChange("resource_group_id")`, `HasChange("tags")` only',
      },
    ],
    otherwise: "update",
  },
  "oci:Core/image:Image": { inputs: [forceNew("instanceId", OCI_SOURCE("image"))], otherwise: "update" },
  ...Object.fromEntries(
    (
      [
        ["oci:Core/subnet:Subnet", "subnet"],
        ["oci:Core/internetGateway:InternetGateway", "internet_gateway"],
        ["oci:Core/routeTable:RouteTable", "route_table"],
        ["oci:Core/securityList:SecurityList", "security_list"],
        ["oci:Core/networkSecurityGroup:NetworkSecurityGroup", "network_security_group"],
      ] as const
    ).map(([type, resource]): [string, TypeFacts] => [type, { inputs: [forceNew("vcnId", OCI_SOURCE(resource))], otherwise: "update" }]),
  ),
  "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule": {
    inputs: [forceNew("networkSecurityGroupId", OCI_SOURCE("network_security_group_security_rule"))],
    otherwise: "update",
  },
  "command:remote:Command": commandFacts("provider/pkg/provider/remote/commandController.go"),
  "command:local:Command": commandFacts("provider/pkg/provider/local/commandController.go"),
  "command:remote:CopyToRemote": {
    inputs: [
      { input: "triggers", effect: "replace", note: "replaceOnChanges", source: `${COMMAND}:provider/pkg/provider/remote/copy.go`, evidence: '`Triggers`: provider:"replaceOnChanges"' },
      ...["source", "remotePath"].map(
        (input): InputFact => ({
          input,
          effect: "rerun",
          note: "copies again",
          source: `${COMMAND}:provider/pkg/provider/remote/copyController.go`,
          evidence: "Update copies when the source hash or remotePath changed",
        }),
      ),
    ],
    otherwise: "update",
  },
};

const SEVERITY: readonly ProviderEffect[] = ["replace", "migrate", "rerun", "update"];

/** The provider's fact for a changed input path (the most severe of those that cover it); undefined: not in the table. */
export function providerFact(type: string, path: string): InputFact | undefined {
  const facts = PROVIDER_FACTS[type]?.inputs.filter((f) => covers(f.input, path)) ?? [];
  return facts.sort((a, b) => SEVERITY.indexOf(a.effect) - SEVERITY.indexOf(b.effect))[0];
}
