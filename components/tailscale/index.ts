/**
 * Tailscale: each route joins the tailnet at first boot with its own one-off
 * auth key, created by the program (`<route>-tailscale-key`) through an
 * OAuth client, so the key in a route's user-data is useless once that
 * route has joined (or once it expires).
 *
 * Resource and provider facts, from tailscale/terraform-provider-tailscale
 * v0.29.2 (bundled by @pulumi/tailscale 0.29.1: provider/go.mod of
 * pulumi/pulumi-tailscale), tailscale/resource_tailnet_key.go:
 * - every argument (reusable, ephemeral, tags, preauthorized, expiry) is
 *   RequiresReplace: any change is a new key;
 * - `key` is Sensitive (a secret output: schema.json `"secret": true`, the
 *   SDK's additionalSecretOutputs ["key"]) and only Create returns it;
 * - a used or expired single-use key reads back `invalid` (also when the API
 *   no longer finds it: Read sets invalid instead of dropping it, v0.29.2);
 *   ModifyPlan replaces an invalid key only when shouldRecreateIfInvalid says
 *   so, and `recreate_if_invalid = "never"` makes that always false. Without
 *   it, a used key would be recreated on the next `up`, changing every
 *   route's user-data and so replacing every `replace` route.
 */
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import { alicloudZoneOf, buildRegionOf, type FleetConfig, NEWEST_IMAGE, type Route, routeImageOf, stockImageOf } from "../../stacks/config";
import { baseImageName, type ImageIdentity } from "../images/recipe";

/** What a route's key is, from the validated config (stacks/config.ts tailscaleKeyConfigOf). */
export interface TailnetKeySettings {
  readonly tags: readonly string[];
  readonly expirySeconds: number;
}

/**
 * A route's key: single-use (`reusable: false`), pre-approved (no admin
 * approval step for an unattended first boot), tagged (a key made by an
 * OAuth client must tag its nodes: tailscale.com/kb/1215/oauth-clients),
 * short-lived. Not ephemeral: an ephemeral node is removed from the tailnet
 * soon after it goes offline (tailscale.com/kb/1111/ephemeral-nodes), and a
 * route is a long-lived server that reboots and has outages without a new
 * key to rejoin with.
 */
export function tailnetKeyArgs(settings: TailnetKeySettings): tailscale.TailnetKeyArgs {
  return {
    reusable: false,
    ephemeral: false,
    preauthorized: true,
    tags: [...settings.tags],
    expiry: settings.expirySeconds,
    recreateIfInvalid: "never",
  };
}

/** What replaces a route's instance, other than its key: the key is replaced with the same values. */
export interface InstanceIdentity {
  /**
   * The image the instance boots: its track's pinned id (config image.tracks), or for a track
   * on `newest` the name of the base image this run builds (components/images/recipe.ts
   * baseImageName): a new name is a new image.
   */
  readonly image: string;
  /** The ECS zone (alicloud `availabilityZone` is ForceNew). */
  readonly zone?: string;
  /** `replace` routes: a digest of the user-data without the key (its change replaces the instance). */
  readonly userData?: string;
}

/**
 * The instance identity of a route, from the config alone: the image it
 * boots (its track's pinned id, or the name of the newest base image, which
 * each provider's fleet builds from the stock image of its build region, or,
 * on OCI, of the route's own region; components/fleet.ts routeImage), its zone on
 * alicloud, and for a `replace` route the digest of its user-data without
 * the key. A `hotswap` route ignores user-data changes (instanceOptions), so
 * they do not count there.
 */
export function instanceIdentity(
  route: Route,
  config: FleetConfig,
  image: Omit<ImageIdentity, "stockImage">,
  userDataDigest: pulumi.Input<string>,
): pulumi.Output<InstanceIdentity> {
  const stockRegion = route.provider === "oci" ? route.region : buildRegionOf(config, route.provider);
  const pinned = routeImageOf(config, route);
  const identity = {
    image: pinned === NEWEST_IMAGE ? baseImageName({ ...image, stockImage: stockImageOf(config, route.provider, stockRegion) }) : pinned,
    ...(route.provider === "alicloud" ? { zone: alicloudZoneOf(config, route.region) } : {}),
  };
  return route.rollout === "replace" ? pulumi.output(userDataDigest).apply((userData) => ({ ...identity, userData })) : pulumi.output(identity);
}

/**
 * Declares `<route>-tailscale-key`. The key feeds the user-data, so it is
 * created before the instance and cannot name it in `replaceWith` (a cycle);
 * instead its `replacementTrigger` is the instance's own replace-causing
 * inputs: the engine replaces a resource whose trigger differs from the
 * recorded one (shouldTriggerReplace in pkg/resource/deploy/step_generator.go,
 * pulumi/pulumi), so a replaced instance boots with a new, unused key.
 * `after` is the instance's own place in the release waves, so a key is made
 * just before its instance, not at the start of a long `pulumi up`.
 */
export function routeTailnetKey(
  route: Route,
  settings: TailnetKeySettings,
  identity: pulumi.Input<InstanceIdentity>,
  provider: tailscale.Provider,
  after: pulumi.Input<pulumi.Input<pulumi.Resource>[]>,
): tailscale.TailnetKey {
  return new tailscale.TailnetKey(`${route.id}-tailscale-key`, tailnetKeyArgs(settings), {
    provider,
    replacementTrigger: identity,
    dependsOn: after,
  });
}

/**
 * The stack's one Tailscale provider: an OAuth client's credentials (the
 * secret stays a Pulumi secret), asking only for the `auth_keys` scope
 * (tailscale.com/kb/1623/trust-credentials#scopes), the least that creates
 * keys. Explicit, not the default provider: its credentials are program
 * config (the secret in SECRET_KEYS), validated with the rest of the config
 * before anything is declared, like every other secret of the stack.
 */
export function tailscaleProvider(oauthClientId: string, oauthClientSecret: pulumi.Input<string>): tailscale.Provider {
  return new tailscale.Provider("tailscale", { oauthClientId, oauthClientSecret: pulumi.secret(oauthClientSecret), scopes: ["auth_keys"] });
}
