/**
 * User-data for routes: rendered from the validated config, encoded for the
 * route's provider, kept a Pulumi secret (it carries the route's SSH host
 * private key and the route config).
 */
import * as pulumi from "@pulumi/pulumi";
import { type ConfigProblem, type FleetConfig, type Route, routesOf } from "../../stacks/config";
import type { FleetSecrets } from "../../stacks/stack";
import { combine } from "../outputs";
import { type EncodedUserData, encodeUserData } from "./encoding";
import { KEY_STAND_INS } from "./openssh-keys";
import { type RouteFileName, type RouteKeys, renderUserData, routeFiles, type UserDataInput } from "./userdata";

export { KEY_STAND_INS } from "./openssh-keys";
export { INSTALL_SCRIPT, renderUserData } from "./userdata";

type PlainSecrets = UserDataInput["secrets"];

/**
 * Counted bytes kept free when sizes are checked with KEY_STAND_INS and the
 * document is gzipped: with the real keys' exact length and random-looking
 * bytes, the stand-ins' document differs from a real one by at most 16
 * counted bytes over 300 key pairs (openssh-keys.test.ts, on every run; it
 * fails above half this headroom).
 */
export const USER_DATA_KEY_HEADROOM = 64;

/**
 * OCI counts "the combined size of the metadata and extendedMetadata objects" against one limit
 * (oci-core LaunchInstanceDetails.metadata); routes send only user_data. Whether that is the keys
 * and values or the object's JSON is not said: the JSON's framing, `{"user_data":""}`, is the larger.
 */
function otherMetadataBytes(route: Route): number {
  return route.provider === "oci" ? JSON.stringify({ user_data: "" }).length : 0;
}

/** A route's rendered document, encoded against its provider's limit with what else shares it. */
export function encodeRouteDocument(route: Route, text: string, gzipHeadroom = 0): EncodedUserData {
  return encodeUserData(route.id, route.provider, text, otherMetadataBytes(route), gzipHeadroom);
}

export function encodeRouteUserData(route: Route, stack: string, config: UserDataInput["config"], secrets: PlainSecrets, keys: RouteKeys, gzipHeadroom = 0): EncodedUserData {
  return encodeRouteDocument(route, renderUserData({ route, stack, config, secrets, keys }), gzipHeadroom);
}

/** A route's inputs as Outputs: the stack's secrets and the keys the program generates. */
export interface RouteInputs {
  readonly route: Route;
  readonly stack: string;
  readonly config: FleetConfig;
  readonly secrets: Pick<FleetSecrets, "routeConfig">;
  readonly keys: { readonly [K in keyof RouteKeys]: pulumi.Output<string> };
}

/** Renders from the plain values of a route's inputs; the result is a Pulumi secret. */
function renderSecret<T>({ route, stack, config, secrets, keys }: RouteInputs, render: (input: UserDataInput) => T): pulumi.Output<pulumi.Unwrap<T>> {
  // The route config first: a secret, which a preview always knows (combine).
  return combine(
    [secrets.routeConfig, keys.managementPublicKey, keys.hostPrivateKey, keys.hostPublicKey] as const,
    ([routeConfig, managementPublicKey, hostPrivateKey, hostPublicKey]) =>
      pulumi.secret(render({ route, stack, config, secrets: { routeConfig }, keys: { managementPublicKey, hostPrivateKey, hostPublicKey } })),
  );
}

/**
 * A route's base64 user-data and the files a config push delivers (the same
 * text first boot writes), rendered together from one wait on its inputs;
 * both Pulumi secrets.
 */
export function routeLaunchData(inputs: RouteInputs): { userData: pulumi.Output<string>; configFiles: pulumi.Output<Record<RouteFileName, string>> } {
  const rendered = renderSecret(inputs, (input) => ({
    userData: encodeRouteUserData(input.route, input.stack, input.config, input.secrets, input.keys).base64,
    configFiles: routeFiles(input),
  }));
  return { userData: rendered.apply((r) => r.userData), configFiles: rendered.apply((r) => r.configFiles) };
}

/**
 * Size-limit problems for every route, found before any resource is
 * declared (the keys do not exist yet): rendered with key stand-ins of the
 * keys' exact length, plain sizes are exact, gzipped ones keep headroom.
 */
export function userDataProblems(config: FleetConfig, stack: string, secrets: PlainSecrets): ConfigProblem[] {
  return routesOf(config).flatMap((route) => {
    try {
      encodeRouteUserData(route, stack, config, secrets, KEY_STAND_INS, USER_DATA_KEY_HEADROOM);
      return [];
    } catch (err) {
      return [{ path: `providers.${route.provider}.regions.${route.region}.${route.track}`, message: (err as Error).message }];
    }
  });
}
