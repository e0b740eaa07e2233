import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../naming";
import { ingressPermits } from "./ingress";
import type { LaunchedRoute, RegionRoutesArgs } from "./types";

const VPC_CIDR = "10.42.0.0/16";
const VSWITCH_CIDR = "10.42.1.0/24";

/**
 * Alibaba Cloud routes of one region: a provider for the region, VPC,
 * vSwitch in a zone that offers the instance type, a security group that
 * accepts only the configured ports, and the instances with public IPs.
 */
export class AlicloudRegionRoutes extends pulumi.ComponentResource {
  readonly launched: readonly LaunchedRoute[];

  constructor(name: string, args: RegionRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:AlicloudRegionRoutes", name, {}, opts);
    // The region's provider comes from opts.providers and is inherited through parent.
    const child = { parent: this };
    const instanceTypes = [...new Set(args.routes.map((r) => r.route.instanceType))];
    const zoneId = alicloud
      .getZonesOutput({ availableInstanceType: instanceTypes[0], availableResourceCreation: "VSwitch" }, child)
      .apply((result) => {
        const zone = result.zones[0];
        if (!zone) throw new Error(`alicloud ${args.region}: no zone offers ${instanceTypes[0]} with vSwitches`);
        return zone.id;
      });
    const label = physicalName(`lantern-${args.stack}-${args.region}`, 64);
    const vpc = new alicloud.vpc.Network(`${name}-vpc`, { vpcName: label, cidrBlock: VPC_CIDR }, child);
    const vswitch = new alicloud.vpc.Switch(
      `${name}-vswitch`,
      { vswitchName: label, vpcId: vpc.id, cidrBlock: VSWITCH_CIDR, zoneId },
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
    this.launched = args.routes.map(({ route, userData }) => {
      const instance = new alicloud.ecs.Instance(
        route.id,
        {
          instanceName: physicalName(`${args.stack}-${route.id}`, 128),
          hostName: route.id,
          instanceType: route.instanceType,
          imageId: args.imageId,
          vswitchId: vswitch.id,
          securityGroups: [securityGroup.id],
          instanceChargeType: "PostPaid",
          internetChargeType: "PayByTraffic",
          // A bandwidth above zero gives the instance a public IP.
          internetMaxBandwidthOut: 100,
          userData: userData,
          tags: { stack: args.stack, route: route.id },
        },
        child,
      );
      return { route, ip: instance.publicIp };
    });
    this.registerOutputs({});
  }
}
