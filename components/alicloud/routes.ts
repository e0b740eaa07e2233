import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../naming";
import type { AlicloudNetwork } from "./network";
import { routeInstanceOptions } from "../release";
import { operateRoute } from "../routes/operate";
import { type LaunchedRoute, type RegionRoutesArgs, routeOutputs } from "../routes/types";

export interface AlicloudRegionRoutesArgs extends RegionRoutesArgs {
  readonly network: AlicloudNetwork;
}

/** Alibaba Cloud routes of one region: instances with public IPs in the region's network. */
export class AlicloudRegionRoutes extends pulumi.ComponentResource {
  readonly launched: readonly LaunchedRoute[];

  constructor(name: string, args: AlicloudRegionRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:AlicloudRegionRoutes", name, {}, opts);
    const child = { parent: this };
    this.launched = args.routes.map((launch) => {
      const { route, userData } = launch;
      const image = args.imageOf(route, this);
      const instance = new alicloud.ecs.Instance(
        route.id,
        {
          instanceName: physicalName(`${args.stack}-${route.id}`, 128),
          hostName: route.id,
          instanceType: route.instanceType,
          imageId: image.id,
          // The instance's zone is fixed at creation (availability_zone is ForceNew): a new
          // pinned zone replaces the instance together with its vSwitch.
          availabilityZone: args.network.zoneId,
          vswitchId: args.network.vswitchId,
          securityGroups: [args.network.securityGroupId],
          instanceChargeType: "PostPaid",
          internetChargeType: "PayByTraffic",
          // A bandwidth above zero gives the instance a public IP.
          internetMaxBandwidthOut: 100,
          userData,
          tags: { stack: args.stack, route: route.id },
        },
        { ...child, ...routeInstanceOptions(route, args.waves, image.held) },
      );
      const ip = instance.publicIp;
      const verifiedTag = operateRoute(args, launch, ip, instance, this);
      // What the instance boots, as it reports it: a held route keeps its own image.
      return { route, ip, verifiedTag, image: instance.imageId };
    });
    this.registerOutputs({ routes: routeOutputs(this.launched) });
  }
}
