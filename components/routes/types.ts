import type * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, Route } from "../../stacks/config";

/** What every provider's region component needs to launch its routes. */
export interface RegionRoutesArgs {
  readonly stack: string;
  readonly region: string;
  /** The routes to launch, each with its encoded user-data (base64, a Pulumi secret). */
  readonly routes: readonly { readonly route: Route; readonly userData: pulumi.Input<string> }[];
  /** The base image every route in this region boots. */
  readonly imageId: pulumi.Input<string>;
  readonly sshPublicKeys: readonly string[];
  readonly ingress: FleetConfig["ingress"];
}

/** One launched route, as the stack outputs report it. */
export interface LaunchedRoute {
  readonly route: Route;
  readonly ip: pulumi.Output<string>;
}
