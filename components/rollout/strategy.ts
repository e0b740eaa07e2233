/**
 * What a release bump does to a route's instance, per provider and strategy:
 *
 * - replace: the instance is replaced because its user-data changed, the new
 *   one created before the old is deleted. Linode and OCI already replace on
 *   a user-data change; alicloud would update it in place and reboot, which
 *   does not re-run first boot, so replacement is forced there.
 * - hotswap: user-data changes are ignored for existing instances (new ones
 *   still get them); a remote command installs the new release instead.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderName } from "../../stacks/catalog";
import type { RolloutStrategy, Route } from "../../stacks/config";
import type { WaveGate } from "./waves";
import { USER_DATA_PROPERTY } from "../routes/instances";

export function instanceOptions(provider: ProviderName, strategy: RolloutStrategy): pulumi.CustomResourceOptions {
  const property = USER_DATA_PROPERTY[provider];
  if (strategy === "hotswap") return { ignoreChanges: [property] };
  return { replaceOnChanges: [property], deleteBeforeReplace: false };
}

/**
 * A route instance's options: its strategy's, and for `replace` routes (whose
 * replacement is the rollout) a place after the previous release wave.
 */
export function routeInstanceOptions(route: Route, waves: WaveGate): pulumi.CustomResourceOptions {
  const options = instanceOptions(route.provider, route.rollout);
  return route.rollout === "replace" ? { ...options, dependsOn: waves.previous(route) } : options;
}
