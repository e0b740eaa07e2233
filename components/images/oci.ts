import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import type { OciNetwork } from "../network/oci";
import { buildSteps } from "./builder";
import { baseImageName } from "./recipe";
import { OCI_STOCK_IMAGE, ociStockImage } from "./stock";
import type { BaseImageArgs } from "./types";

export interface OciRegionBaseImageArgs extends Omit<BaseImageArgs, "regions"> {
  readonly region: string;
  readonly compartmentId: string;
  readonly shape: string;
  readonly network: OciNetwork;
  readonly provider: oci.Provider;
}

/**
 * The OCI base image of one region. OCI has no image-copy resource (only
 * export to and import from Object Storage, which no provider resource
 * declares), so each region builds its own image from the same recipe.
 */
export class OciRegionBaseImage extends pulumi.ComponentResource {
  readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: OciRegionBaseImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:OciRegionBaseImage", name, {}, opts);
    const imageName = baseImageName(args.recipe, OCI_STOCK_IMAGE, args.rebuild);
    const inRegion = { parent: this, provider: args.provider };
    const builder = new oci.core.Instance(
      `${name}-builder`,
      {
        compartmentId: args.compartmentId,
        availabilityDomain: args.network.availabilityDomain,
        displayName: `${imageName}-builder`,
        shape: args.shape,
        shapeConfig: { ocpus: 1, memoryInGbs: 6 },
        sourceDetails: { sourceType: "image", sourceId: ociStockImage(args.provider, args.compartmentId, args.shape) },
        createVnicDetails: { subnetId: args.network.subnetId, assignPublicIp: "true", nsgIds: [args.network.nsgId] },
        metadata: { ssh_authorized_keys: args.builderKey.publicKeyOpenssh },
        freeformTags: { role: "lantern-builder", stack: args.stack },
      },
      { ...inRegion, replaceOnChanges: ["displayName"], ignoreChanges: ["state"] },
    );
    const built = buildSteps(name, { id: builder.id, host: builder.publicIp, user: "ubuntu" }, imageName, args, inRegion);
    const image = new oci.core.Image(
      `${name}-image`,
      { compartmentId: args.compartmentId, instanceId: builder.id, displayName: imageName },
      { ...inRegion, dependsOn: [built], replaceOnChanges: ["displayName"] },
    );
    this.imageId = image.id;
    this.registerOutputs({ imageId: this.imageId });
  }
}
