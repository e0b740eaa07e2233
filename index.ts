/**
 * lantern-fleet: lantern-box proxy routes on Linode, Alibaba Cloud and OCI.
 *
 * config (validated first) -> base images (release-agnostic) -> routes
 * (image + user-data rendered from the release tag) -> stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { routeUserData } from "./components/cloud-init";
import { alicloudStockImage, LINODE_STOCK_IMAGE, ociStockImage } from "./components/images/stock";
import { alicloudProvider, ociProvider } from "./components/providers";
import { AlicloudRegionRoutes, type LaunchedRoute, LinodeRegionRoutes, OciRegionRoutes } from "./components/routes";
import { PROVIDERS, type ProviderName } from "./stacks/catalog";
import { instanceTypeOf, type Route, routesOf } from "./stacks/config";
import { loadStack } from "./stacks/stack";

// 1. Config: every problem is reported before anything is declared.
const { stack, config, secrets } = loadStack();

// 2. Routes, grouped by provider and region; each boots its region's image
//    with first-boot user-data that installs the route's release tag.
function regionArgs(region: string, routes: Route[], imageId: pulumi.Input<string>) {
  const launches = routes.map((route) => ({ route, userData: routeUserData(route, stack, config, secrets) }));
  return { stack, region, routes: launches, imageId, sshPublicKeys: config.sshPublicKeys, ingress: config.ingress };
}

function launchRegion(provider: ProviderName, region: string, routes: Route[]): readonly LaunchedRoute[] {
  const name = `${provider}-${region}`;
  switch (provider) {
    case "linode":
      return new LinodeRegionRoutes(name, regionArgs(region, routes, LINODE_STOCK_IMAGE)).launched;
    case "alicloud": {
      const regional = alicloudProvider(region);
      const args = regionArgs(region, routes, alicloudStockImage(regional));
      return new AlicloudRegionRoutes(name, args, { providers: [regional] }).launched;
    }
    case "oci": {
      const oci = config.providers.oci!;
      const regional = ociProvider(region);
      const args = regionArgs(region, routes, ociStockImage(regional, oci.compartmentId, instanceTypeOf(config, "oci")));
      return new OciRegionRoutes(
        name,
        { ...args, compartmentId: oci.compartmentId, ocpus: oci.ocpus, memoryInGbs: oci.memoryInGbs },
        { providers: [regional] },
      ).launched;
    }
  }
}

const allRoutes = routesOf(config);
const launched = PROVIDERS.flatMap((provider) => {
  const byRegion = Map.groupBy(allRoutes.filter((r) => r.provider === provider), (r) => r.region);
  return [...byRegion].flatMap(([region, routes]) => launchRegion(provider, region, routes));
});

// 3. Outputs: one entry per route (DESIGN.md contract 5).
export const routes = launched.map(({ route, ip }) => ({
  name: route.id,
  provider: route.provider,
  region: route.region,
  track: route.track,
  releaseTag: route.releaseTag,
  ip,
}));
