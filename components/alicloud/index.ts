/**
 * Alibaba Cloud: a provider and a network per region (the build region's too),
 * one base image built in the build region and copied to the others, and per
 * region its routes.
 */
import { alicloudZoneOf, buildRegionOf, stockImageOf } from "../../stacks/config";
import { type ProviderFleet, routeImage } from "../fleet";
import { AlicloudBaseImage } from "./image";
import { AlicloudNetwork } from "./network";
import { alicloudProvider } from "../providers";
import { AlicloudRegionRoutes } from "./routes";

export const alicloudFleet: ProviderFleet = ({ config, routesByRegion, launch, image, shared }) => {
  const buildRegion = buildRegionOf(config, "alicloud");
  const regions = [...new Set([buildRegion, ...routesByRegion.keys()])];
  const providers = Object.fromEntries(regions.map((region) => [region, alicloudProvider(region)]));
  const networks = Object.fromEntries(
    regions.map((region) => [
      region,
      new AlicloudNetwork(`alicloud-${region}`, { ...shared, region, zoneId: alicloudZoneOf(config, region) }, { providers: [providers[region]!] }),
    ]),
  );
  const baseImage = new AlicloudBaseImage("alicloud-base", {
    ...image([...routesByRegion.keys()]),
    buildRegion,
    stockImage: stockImageOf(config, "alicloud", buildRegion),
    buildNetwork: networks[buildRegion]!,
    providers,
  });
  const imageOf = routeImage(config, baseImage.imageIds);
  const launched = [...routesByRegion].flatMap(
    ([region, routes]) =>
      new AlicloudRegionRoutes(`alicloud-${region}`, { ...shared, region, routes: launch(routes), imageOf, network: networks[region]! }, { providers: [providers[region]!] })
        .launched,
  );
  return { routes: launched, images: baseImage.imageIds };
};
