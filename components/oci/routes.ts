import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../naming";
import type { OciNetwork } from "./network";
import { routeInstanceOptions } from "../release";
import { operateRoute } from "../routes/operate";
import { type LaunchedRoute, type RegionRoutesArgs, routeOutputs } from "../routes/types";

export interface OciRegionRoutesArgs extends RegionRoutesArgs {
  readonly compartmentId: string;
  readonly ocpus: number;
  readonly memoryInGbs: number;
  readonly network: OciNetwork;
}

/** OCI routes of one region: A1.Flex instances in the region's network. */
export class OciRegionRoutes extends pulumi.ComponentResource {
  readonly launched: readonly LaunchedRoute[];

  constructor(name: string, args: OciRegionRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:OciRegionRoutes", name, {}, opts);
    const child = { parent: this };
    this.launched = args.routes.map((launch) => {
      const { route, userData } = launch;
      const image = args.imageOf(route, this);
      const instance = new oci.core.Instance(
        route.id,
        {
          availabilityDomain: args.network.availabilityDomain,
          compartmentId: args.compartmentId,
          displayName: physicalName(`${args.stack}-${route.id}`, 255),
          shape: route.instanceType,
          shapeConfig: { ocpus: args.ocpus, memoryInGbs: args.memoryInGbs },
          sourceDetails: { sourceType: "image", sourceId: image.id },
          createVnicDetails: { subnetId: args.network.subnetId, assignPublicIp: "true", nsgIds: [args.network.nsgId] },
          // Only user_data: `ssh_authorized_keys` would go to the image's default
          // user; operator keys reach the `lantern` user through user-data.
          metadata: { user_data: userData },
          freeformTags: { stack: args.stack, route: route.id },
        },
        { ...child, ...routeInstanceOptions(route, args.waves, image.held) },
      );
      const ip = instance.publicIp;
      const verifiedTag = operateRoute(args, launch, ip, instance, this);
      // What the instance boots, as it reports it: a held route keeps its own image.
      return { route, ip, verifiedTag, image: instance.sourceDetails.sourceId };
    });
    this.registerOutputs({ routes: routeOutputs(this.launched) });
  }
}
