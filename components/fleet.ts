/**
 * The one shape of a provider's fleet: given this provider's routes (by
 * region) and what every provider shares, it declares the provider's base
 * image, networks, regional providers and route components, and returns the
 * launched routes. index.ts keeps one table of fleets (FLEETS), so a fourth
 * provider is its catalogue entry (stacks/catalog.ts), one folder here
 * (components/<provider>/) and one line in that table.
 *
 * A fleet is a function, not a component resource: its resources keep the
 * parents (and so the URNs) they had before fleets existed; a new parent
 * would change every URN in the stack.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ProviderName } from "../stacks/catalog";
import { type FleetConfig, HELD_IMAGE, NEWEST_IMAGE, type Route, routeImageOf } from "../stacks/config";
import type { BaseImageArgs, ImageIds } from "./images/types";
import type { LaunchedRoute, RouteImage, RouteLaunch } from "./routes/types";
import type { ReleaseSettings } from "./cloud-init/userdata";
import type { WaveGate } from "./release/waves";
import type { Tailnet } from "./tailscale";
import { heldImageName } from "./naming";

/** What every region's routes and network share. */
export interface SharedRouteArgs {
  readonly stack: string;
  /** The one release gate of the whole fleet: waves span providers. */
  readonly waves: WaveGate;
  readonly ingress: FleetConfig["ingress"];
  readonly release: ReleaseSettings;
  /** The program's management key (secret), for release commands over SSH. */
  readonly managementPrivateKey: pulumi.Output<string>;
  /** How each new instance joins the tailnet. */
  readonly tailnet: Tailnet;
}

export interface FleetArgs {
  readonly config: FleetConfig;
  /** This provider's routes, by region (never empty). */
  readonly routesByRegion: ReadonlyMap<string, readonly Route[]>;
  /** Each route's user-data, config files and host key (index.ts makes the keys). */
  readonly launch: (routes: readonly Route[]) => RouteLaunch[];
  /** The base-image inputs every provider shares, for the regions the image must reach. */
  readonly image: (regions: readonly string[]) => BaseImageArgs;
  readonly shared: SharedRouteArgs;
}

/** What a provider's fleet launched: its routes, and the image this run built per region (stack output `images`). */
export interface LaunchedFleet {
  readonly routes: readonly LaunchedRoute[];
  readonly images: ImageIds;
}

/** A provider's fleet: declares its images, networks, providers and routes. */
export type ProviderFleet = (args: FleetArgs) => LaunchedFleet;

/**
 * The image a route boots: its track's pinned id (config image.tracks), or
 * the image this run built for its region when the track is on `newest`
 * (every route follows each new build) or `hold` (only new instances do).
 * A rebuild therefore moves only the routes of `newest` tracks.
 *
 * A held route's image goes through a Stash, the engine's built-in resource
 * that keeps the value it was created with (pulumi/pulumi
 * pkg/resource/deploy/builtins.go: Create stores `input` as `output`,
 * Update keeps the old `output`), its own input changes ignored. The
 * instance's ignoreChanges alone would not hold it through a replacement:
 * for a replacement the engine checks the program's inputs again, ignored
 * ones included (step_generator.go, continueStepsFromDiff: "recompute the
 * default values"), so a held route replaced for another reason (a release
 * on a `replace` route, a new zone) would boot the newest build. With the
 * stash it boots the build that was newest when its stash was created: when
 * the route was created, or its track last set to `hold` (a route then
 * running an older build keeps running it until it is replaced).
 */
export function routeImage(config: FleetConfig, built: ImageIds): (route: Route, parent: pulumi.Resource) => RouteImage {
  return (route, parent) => {
    const image = routeImageOf(config, route);
    if (image === HELD_IMAGE) {
      const stash = new pulumi.Stash(heldImageName(route.id), { input: imageFor(built, route.region) }, { parent, ignoreChanges: ["input"] });
      return { id: stash.output as pulumi.Output<string>, held: true };
    }
    return { id: image === NEWEST_IMAGE ? imageFor(built, route.region) : image, held: false };
  };
}

/**
 * A provider's built images in the shape config image.tracks.<track> pins
 * them: one Linode id (replicated to every region), per region elsewhere.
 */
export function trackImageIds(provider: ProviderName, images: ImageIds): pulumi.Output<string> | ImageIds {
  const first = Object.values(images)[0];
  return provider === "linode" && first ? first : images;
}

/** A route region the image does not reach is a program error, caught by the plan. */
export function imageFor(imageIds: ImageIds, region: string): pulumi.Output<string> {
  const id = imageIds[region];
  if (!id) throw new Error(`the base image does not reach region ${region}`);
  return id;
}
