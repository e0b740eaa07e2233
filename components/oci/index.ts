/** OCI: per region a provider, a network, a base image built there (components/oci/image.ts: no image-copy resource) and the region's routes. */
import type * as pulumi from "@pulumi/pulumi";
import { instanceTypeOf, stockImageOf } from "../../stacks/config";
import { type ProviderFleet, routeImage } from "../fleet";
import { OciRegionBaseImage } from "./image";
import { OciNetwork } from "./network";
import { ociProvider } from "../providers";
import { OciRegionRoutes } from "./routes";

export const ociFleet: ProviderFleet = ({ config, routesByRegion, launch, image, shared }) => {
  const oci = config.providers.oci;
  if (!oci) throw new Error("OCI routes without providers.oci config: the schema should have refused them");
  const shape = instanceTypeOf(config, "oci");
  const images: Record<string, pulumi.Output<string>> = {};
  const launched = [...routesByRegion].flatMap(([region, routes]) => {
    const provider = ociProvider(region);
    const network = new OciNetwork(`oci-${region}`, { ...shared, region, compartmentId: oci.compartmentId }, { providers: [provider] });
    const baseImage = new OciRegionBaseImage(`oci-${region}-base`, {
      ...image([region]),
      region,
      stockImage: stockImageOf(config, "oci", region),
      compartmentId: oci.compartmentId,
      shape,
      network,
      provider,
    });
    images[region] = baseImage.imageId;
    return new OciRegionRoutes(
      `oci-${region}`,
      { ...shared, region, routes: launch(routes), imageOf: routeImage(config, { [region]: baseImage.imageId }), network, compartmentId: oci.compartmentId, ocpus: oci.ocpus, memoryInGbs: oci.memoryInGbs },
      { providers: [provider] },
    ).launched;
  });
  return { routes: launched, images };
};
