/**
 * User-data for routes: rendered from the validated config, encoded for the
 * route's provider, kept a Pulumi secret (it carries the auth key and the
 * route config).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConfigProblem, FleetConfig, Route } from "../../stacks/config";
import type { FleetSecrets } from "../../stacks/stack";
import { type EncodedUserData, encodeUserData } from "./encoding";
import { type RouteKeys, renderUserData, type UserDataInput } from "./userdata";

export { decodeUserData } from "./encoding";
export { INSTALL_SCRIPT, renderUserData, type RouteKeys } from "./userdata";

type PlainSecrets = UserDataInput["secrets"];

/** Stand-ins a little larger than the generated keys, to check user-data sizes before the keys exist. */
const KEY_LINE = "A".repeat(70);
export const KEY_SIZE_STAND_INS: RouteKeys = {
  managementPublicKey: `ssh-ed25519 ${"A".repeat(100)}`,
  hostPublicKey: `ssh-ed25519 ${"A".repeat(100)}`,
  hostPrivateKey: ["-----BEGIN OPENSSH PRIVATE KEY-----", ...Array<string>(6).fill(KEY_LINE), "-----END OPENSSH PRIVATE KEY-----", ""].join("\n"),
};

/** OCI counts every metadata key and value against one limit; routes send only user_data. */
function otherMetadataBytes(route: Route): number {
  return route.provider === "oci" ? "user_data".length : 0;
}

export function encodeRouteUserData(route: Route, stack: string, config: FleetConfig, secrets: PlainSecrets, keys: RouteKeys): EncodedUserData {
  const text = renderUserData({ route, stack, config, secrets, keys });
  return encodeUserData(route.id, route.provider, text, otherMetadataBytes(route));
}

/** Base64 user-data for one route, as a secret Output. */
export function routeUserData(
  route: Route,
  stack: string,
  config: FleetConfig,
  secrets: FleetSecrets,
  keys: { readonly [K in keyof RouteKeys]: pulumi.Input<string> },
): pulumi.Output<string> {
  return pulumi
    .all([secrets.tailscaleAuthKey, secrets.routeConfig, keys.managementPublicKey, keys.hostPrivateKey, keys.hostPublicKey])
    .apply(([tailscaleAuthKey, routeConfig, managementPublicKey, hostPrivateKey, hostPublicKey]) =>
      pulumi.secret(
        encodeRouteUserData(route, stack, config, { tailscaleAuthKey, routeConfig }, { managementPublicKey, hostPrivateKey, hostPublicKey }).base64,
      ),
    );
}

/** Size-limit problems for every route, found before any resource is declared. */
export function userDataProblems(routes: readonly Route[], stack: string, config: FleetConfig, secrets: PlainSecrets): ConfigProblem[] {
  return routes.flatMap((route) => {
    try {
      encodeRouteUserData(route, stack, config, secrets, KEY_SIZE_STAND_INS);
      return [];
    } catch (err) {
      return [{ path: `providers.${route.provider}.regions.${route.region}.${route.track}`, message: (err as Error).message }];
    }
  });
}
