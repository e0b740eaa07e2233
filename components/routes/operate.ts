import type * as pulumi from "@pulumi/pulumi";
import { rollOut } from "../release";
import { routeConnection } from "../ssh";
import { joinTailnet } from "../tailscale";
import type { RegionRoutesArgs, RouteLaunch } from "./types";

/**
 * What the program runs on a launched instance over SSH, the same on every
 * provider: its release (components/release: install or verify, and config
 * pushes, in its wave) and its tailnet join (components/tailscale). Returns
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
  const verifiedTag = rollOut({ connection, route, configFiles, release: args.release }, instance, args.waves, parent);
  joinTailnet(route, args.tailnet, connection, instance, parent);
  return verifiedTag;
}
