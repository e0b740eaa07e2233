import * as pulumi from "@pulumi/pulumi";
import type { Route } from "../../stacks/config";
import { hotSwap } from "./hotswap";

export { hotSwapCommand, verifiedTagOf } from "./hotswap";
export { releaseSkew, type RouteRelease, type TrackSkew } from "./skew";
export { instanceOptions, USER_DATA_PROPERTY } from "./strategy";

export interface RolloutArgs {
  readonly route: Route;
  readonly releaseBaseUrl: string;
  readonly host: pulumi.Input<string>;
  readonly hostPublicKey: pulumi.Input<string>;
  readonly managementPrivateKey: pulumi.Input<string>;
}

/**
 * Brings a launched instance to its route's target tag and returns the tag
 * verified on it: hot-swapped routes report what the box verified; replaced
 * routes verify at first boot (a failure leaves cloud-init in error), so
 * their target is their verified tag.
 */
export function rollOut(args: RolloutArgs, instance: pulumi.Resource, parent: pulumi.Resource): pulumi.Output<string> {
  if (args.route.rollout === "replace") return pulumi.output(args.route.releaseTag);
  return hotSwap(
    {
      route: args.route,
      releaseBaseUrl: args.releaseBaseUrl,
      host: args.host,
      hostPublicKey: args.hostPublicKey,
      privateKey: args.managementPrivateKey,
    },
    { parent, dependsOn: [instance] },
  );
}
