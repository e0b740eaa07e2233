/**
 * What a change does to a route's instance, per provider and strategy:
 *
 * - replace: the instance is replaced because its user-data changed, the new
 *   one created before the old is deleted. Linode and OCI already replace on
 *   a user-data change; alicloud would update it in place and reboot, which
 *   does not re-run first boot, so replacement is forced there.
 * - hotswap: user-data changes are ignored for existing instances; new
 *   ones, replacements included, get the current user-data (for a
 *   replacement the engine checks the program's inputs again, ignored ones
 *   included: continueStepsFromDiff in pulumi/pulumi
 *   pkg/resource/deploy/step_generator.go); remote commands install the new
 *   release and push the new config instead.
 * - on every route, a new image replaces the instance (never a disk swapped
 *   in place, which would re-run nothing and keep the instance's commands
 *   from running again), so its release commands run again on it; on a
 *   track on `hold` a running instance ignores a new image, and its image
 *   comes from its stash (components/fleet.ts routeImage), so a replacement
 *   keeps it too; only new routes boot the newest build.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { RolloutStrategy, Route } from "../../stacks/config";
import { IMAGE_PROPERTY, type ProviderName, USER_DATA_PROPERTY } from "../../stacks/catalog";
import type { WaveGate } from "./waves";

export function instanceOptions(provider: ProviderName, strategy: RolloutStrategy, imageHeld = false): pulumi.CustomResourceOptions {
  const userData = USER_DATA_PROPERTY[provider];
  const image = IMAGE_PROPERTY[provider];
  // The user-data carries secrets: its stored output is a secret however the input was built.
  const secret = { additionalSecretOutputs: [userData] };
  const ignored = [...(strategy === "hotswap" ? [userData] : []), ...(imageHeld ? [image] : [])];
  const replaceOn = strategy === "hotswap" ? [image] : [userData, image];
  return { ...(ignored.length > 0 ? { ignoreChanges: ignored } : {}), replaceOnChanges: replaceOn, deleteBeforeReplace: false, ...secret };
}

/**
 * A route instance's options: its strategy's, and a place after the previous
 * release wave, so anything that replaces instances (a release on `replace`
 * routes, a new image on every route) moves wave by wave and stops at the
 * first wave that fails verification.
 */
export function routeInstanceOptions(route: Route, waves: WaveGate, imageHeld: boolean): pulumi.CustomResourceOptions {
  return { ...instanceOptions(route.provider, route.rollout, imageHeld), dependsOn: waves.previous(route) };
}

/**
 * The options of every resource that belongs to one instance (its release
 * command, config push, Tailscale key and join): replaced with it.
 * `replaceWith` replaces them in the run that replaces the instance, and a
 * preview shows why. The instance's id as `replacementTrigger` finishes a
 * replacement a failed run left half-done: a create that fails keeps the
 * old state, recorded with the old instance's id (pulumi/pulumi
 * pkg/backend/snapshot.go, createSnapshotMutation.End records a create only
 * when it succeeds), and in the next run the
 * instance is no longer replaced, so `replaceWith` does not fire; the engine
 * replaces a resource whose trigger differs from the recorded one
 * (step_generator.go, shouldTriggerReplace), so the next run creates them
 * (installs, joins with a new key) instead of updating them.
 */
export function instanceBoundOptions(instance: pulumi.CustomResource): Pick<pulumi.CustomResourceOptions, "replaceWith" | "replacementTrigger"> {
  return { replaceWith: [instance], replacementTrigger: instance.id };
}
