/**
 * User-data for routes: rendered from the validated config, encoded for the
 * route's provider, kept a Pulumi secret (it carries the auth key and the
 * route config).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConfigProblem, FleetConfig, Route } from "../../stacks/config";
import type { FleetSecrets } from "../../stacks/stack";
import { type EncodedUserData, encodeUserData } from "./encoding";
import { renderUserData, type UserDataInput } from "./userdata";

export { decodeUserData } from "./encoding";
export { INSTALL_SCRIPT, renderUserData } from "./userdata";

type PlainSecrets = UserDataInput["secrets"];

/** OCI counts ssh_authorized_keys against the same metadata limit as user_data. */
function otherMetadataBytes(route: Route, config: FleetConfig): number {
  return route.provider === "oci" ? "ssh_authorized_keys".length + config.sshPublicKeys.join("\n").length + "user_data".length : 0;
}

export function encodeRouteUserData(route: Route, stack: string, config: FleetConfig, secrets: PlainSecrets): EncodedUserData {
  const text = renderUserData({ route, stack, config, secrets });
  return encodeUserData(route.id, route.provider, text, otherMetadataBytes(route, config));
}

/** Base64 user-data for one route, as a secret Output. */
export function routeUserData(route: Route, stack: string, config: FleetConfig, secrets: FleetSecrets): pulumi.Output<string> {
  return pulumi
    .all([secrets.tailscaleAuthKey, secrets.routeConfig])
    .apply(([tailscaleAuthKey, routeConfig]) => encodeRouteUserData(route, stack, config, { tailscaleAuthKey, routeConfig }).base64);
}

/** Size-limit problems for every route, found before any resource is declared. */
export function userDataProblems(routes: readonly Route[], stack: string, config: FleetConfig, secrets: PlainSecrets): ConfigProblem[] {
  return routes.flatMap((route) => {
    try {
      encodeRouteUserData(route, stack, config, secrets);
      return [];
    } catch (err) {
      return [{ path: `providers.${route.provider}.regions.${route.region}.${route.track}`, message: (err as Error).message }];
    }
  });
}
