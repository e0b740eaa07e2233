/** Linode: one base image built in the build region and replicated; per region its routes (each behind its own firewall). */
import { buildRegionOf, sshSourceCidrsOf, stockImageOf } from "../../stacks/config";
import { type ProviderFleet, routeImage } from "../fleet";
import { LinodeBaseImage } from "./image";
import { LinodeRegionRoutes } from "./routes";

export const linodeFleet: ProviderFleet = ({ config, routesByRegion, launch, image, shared }) => {
  const buildRegion = buildRegionOf(config, "linode");
  const baseImage = new LinodeBaseImage("linode-base", {
    ...image([...routesByRegion.keys()]),
    buildRegion,
    stockImage: stockImageOf(config, "linode", buildRegion),
    sshSourceCidrs: sshSourceCidrsOf(config),
  });
  const imageOf = routeImage(config, baseImage.imageIds);
  const launched = [...routesByRegion].flatMap(
    ([region, routes]) => new LinodeRegionRoutes(`linode-${region}`, { ...shared, region, routes: launch(routes), imageOf }).launched,
  );
  return { routes: launched, images: baseImage.imageIds };
};
