import type * as pulumi from "@pulumi/pulumi";
import type { Route } from "../../stacks/config";
import type { ReleaseSettings, RouteFileName } from "../cloud-init/userdata";
import type { WaveGate } from "../release/waves";
import type { Tailnet } from "../tailscale";

/** The image a route's instance is declared with, and whether its track holds it. */
export interface RouteImage {
  readonly id: pulumi.Input<string>;
  /**
   * The track is on `hold`: `id` is the build the route's stash recorded
   * (components/fleet.ts routeImage), and the instance also
   * ignores changes to its image, so a running one never moves for a
   * rebuild.
   */
  readonly held: boolean;
}

/** What every provider's region component needs to launch its routes. */
export interface RegionRoutesArgs {
  readonly stack: string;
  readonly region: string;
  /** The routes to launch, each with its encoded user-data (base64, a Pulumi secret) and the host key it injects. */
  readonly routes: readonly RouteLaunch[];
  /** Where releases come from and how long a new one must soak (install script). */
  readonly release: ReleaseSettings;
  /** The program's management key (secret), for release commands over SSH. */
  readonly managementPrivateKey: pulumi.Output<string>;
  /** Release waves: where each route's rollout waits (components/release/waves.ts). */
  readonly waves: WaveGate;
  /** How each new instance joins the tailnet (components/tailscale). */
  readonly tailnet: Tailnet;
  /** The base image a route boots, and whether its track holds it (components/fleet.ts routeImage; a held route's stash is a child of `parent`). */
  readonly imageOf: (route: Route, parent: pulumi.Resource) => RouteImage;
}

export interface RouteLaunch {
  readonly route: Route;
  readonly userData: pulumi.Input<string>;
  /** The route's files as a config push delivers them (secret): hot-swap routes get changes this way. */
  readonly configFiles: pulumi.Output<Record<RouteFileName, string>>;
  readonly hostPublicKey: pulumi.Output<string>;
}

/** One launched route, as the stack outputs report it. */
export interface LaunchedRoute {
  readonly route: Route;
  readonly ip: pulumi.Output<string>;
  /** The release verified on the route (see components/release). */
  readonly verifiedTag: pulumi.Output<string>;
  /** The base image its instance boots, as the instance reports it (a held route keeps its own). */
  readonly image: pulumi.Input<string | undefined>;
}

/** What a region's routes component registers as its outputs: per route its name, address and verified release. */
export function routeOutputs(launched: readonly LaunchedRoute[]) {
  return launched.map(({ route, ip, verifiedTag }) => ({ name: route.id, ip, verifiedTag }));
}
