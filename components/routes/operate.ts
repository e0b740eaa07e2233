import type * as pulumi from "@pulumi/pulumi";
import { rollOut } from "../release";
import { routeConnection } from "../ssh";
import { joinTailnet } from "../tailscale";
import type { RegionRoutesArgs, RouteLaunch } from "./types";

/**
 * What the program runs on a launched instance over SSH, the same on every
 * provider: its release (components/release: install or verify, and config
 * pushes, in its wave) and then its tailnet join (components/tailscale), the
 * last of the route's wave. Returns
 * the tag verified on the route.
 */
export function operateRoute(
  args: Pick<RegionRoutesArgs, "release" | "managementPrivateKey" | "waves" | "tailnet">,
  { route, configFiles, hostPublicKey }: RouteLaunch,
  host: pulumi.Output<string>,
  instance: pulumi.CustomResource,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const connection = routeConnection({ host, hostPublicKey, managementPrivateKey: args.managementPrivateKey });
  const { verifiedTag, last } = rollOut({ connection, route, configFiles, release: args.release }, instance, args.waves, parent);
  // The join last: a change to what it runs on the box then reaches routes wave by wave, as a release does.
  args.waves.declare(route, joinTailnet(route, args.tailnet, connection, instance, last, parent));
  return verifiedTag;
}
