import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "../../stacks/config";
import { physicalName } from "../naming";
import { ingressPermits } from "../network/ingress";

const VPC_CIDR = "10.42.0.0/16";

/**
 * The vSwitch's /24, from its zone's letter (the zone id is the region id
 * plus a letter: stacks/config.ts deployProblems): ...a -> 10.42.1.0/24,
 * ...b -> 10.42.2.0/24. A new zone replaces the vSwitch, and the engine
 * creates the new one before it deletes the old (create-before-delete unless
 * deleteBeforeReplace: pulumi/pulumi pkg/resource/deploy/step_generator.go),
 * in the same VPC, where
 * CreateVSwitch refuses an overlapping block (InvalidCidrBlock.Overlapped,
 * the error codes of the VPC API reference page CreateVSwitch,
 * alibabacloud.com/help/en/vpc): each zone of a region gets its own.
 */
export function vswitchCidrOf(zoneId: string): string {
  const letter = zoneId.at(-1) ?? "";
  if (!/^[a-z]$/.test(letter)) throw new Error(`alicloud zone ${zoneId}: expected a zone id ending in a letter`);
  return `10.42.${letter.charCodeAt(0) - "a".charCodeAt(0) + 1}.0/24`;
}

export interface AlicloudNetworkArgs {
  readonly stack: string;
  readonly region: string;
  /** The vSwitch's zone, pinned in config (providers.alicloud.zones.<region>). */
  readonly zoneId: string;
  readonly ingress: FleetConfig["ingress"];
}

/**
 * One region's network for routes and image builders: VPC, vSwitch in the
 * pinned zone, and a security group that accepts only the configured ports
 * (SSH only from ingress.sshSourceCidrs). The region's provider comes from
 * opts.providers.
 */
export class AlicloudNetwork extends pulumi.ComponentResource {
  /** The zone instances must be created in: the vSwitch's. */
  readonly zoneId: string;
  readonly vswitchId: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: AlicloudNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:AlicloudNetwork", name, {}, opts);
    this.zoneId = args.zoneId;
    const child = { parent: this };
    const label = physicalName(`lantern-${args.stack}-${args.region}`, 64);
    const vpc = new alicloud.vpc.Network(`${name}-vpc`, { vpcName: label, cidrBlock: VPC_CIDR }, child);
    const vswitch = new alicloud.vpc.Switch(
      `${name}-vswitch`,
      { vswitchName: label, vpcId: vpc.id, cidrBlock: vswitchCidrOf(args.zoneId), zoneId: args.zoneId },
      child,
    );
    const securityGroup = new alicloud.ecs.SecurityGroup(
      `${name}-sg`,
      { securityGroupName: label, vpcId: vpc.id, description: "lantern-box routes: configured ports only" },
      child,
    );
    for (const permit of ingressPermits(args.ingress)) {
      new alicloud.ecs.SecurityGroupRule(
        `${name}-${permit.name}`,
        {
          securityGroupId: securityGroup.id,
          type: "ingress",
          ipProtocol: permit.protocol,
          portRange: `${permit.port}/${permit.port}`,
          cidrIp: permit.cidr,
          policy: "accept",
          nicType: "intranet",
        },
        child,
      );
    }
    this.vswitchId = vswitch.id;
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ zoneId: this.zoneId, vswitchId: this.vswitchId, securityGroupId: this.securityGroupId });
  }
}
