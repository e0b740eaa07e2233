import * as pulumi from "@pulumi/pulumi";
import { hotSwap, type HotSwapArgs } from "./hotswap";

export { hotSwapCommand, verifiedTagOf } from "./hotswap";
export { releaseSkew, type RouteRelease, type TrackSkew } from "./skew";
export { instanceOptions } from "./strategy";

/**
 * Brings a launched instance to its route's target tag and returns the tag
 * verified on it: hot-swapped routes report what the box verified; replaced
 * routes verify at first boot (a failure leaves cloud-init in error), so
 * their target is their verified tag.
 */
export function rollOut(args: HotSwapArgs, instance: pulumi.Resource, parent: pulumi.Resource): pulumi.Output<string> {
  if (args.route.rollout === "replace") return pulumi.output(args.route.releaseTag);
  const { route, releaseBaseUrl, host, hostPublicKey, managementPrivateKey } = args;
  return hotSwap({ route, releaseBaseUrl, host, hostPublicKey, managementPrivateKey }, { parent, dependsOn: [instance] });
}
