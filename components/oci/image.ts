import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import type { OciNetwork } from "./network";
import { buildSteps } from "../images/builder";
import { builderHostKey } from "../images/builder-userdata";
import { ociPower, untilBuilderStopped } from "../images/poweroff";
import { baseImageName } from "../images/recipe";
import type { BaseImageArgs } from "../images/types";

export interface OciRegionBaseImageArgs extends Omit<BaseImageArgs, "regions"> {
  readonly region: string;
  /** This region's pinned stock image (config image.stockImages.oci.<region>); OCI image OCIDs are per region. */
  readonly stockImage: string;
  readonly compartmentId: string;
  readonly shape: string;
  readonly network: OciNetwork;
  readonly provider: oci.Provider;
}

/**
 * The OCI base image of one region. OCI has no image-copy resource, and no
 * provider resource exports an image to Object Storage (oci.core.Image only
 * imports one, imageSourceDetails: oracle/terraform-provider-oci
 * internal/service/core/core_image_resource.go), so each region builds its
 * own image from the same recipe and captures it once OCI reports the
 * builder STOPPED.
 */
export class OciRegionBaseImage extends pulumi.ComponentResource {
  readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: OciRegionBaseImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:OciRegionBaseImage", name, {}, opts);
    const imageName = baseImageName(args);
    const inRegion = { parent: this, provider: args.provider };
    const hostKey = builderHostKey(`${name}-builder`, "oci", this);
    const builder = new oci.core.Instance(
      `${name}-builder`,
      {
        compartmentId: args.compartmentId,
        availabilityDomain: args.network.availabilityDomain,
        displayName: `${imageName}-builder`,
        shape: args.shape,
        shapeConfig: { ocpus: 1, memoryInGbs: 6 },
        sourceDetails: { sourceType: "image", sourceId: args.stockImage },
        createVnicDetails: { subnetId: args.network.subnetId, assignPublicIp: "true", nsgIds: [args.network.nsgId] },
        metadata: { ssh_authorized_keys: args.builderKey.publicKeyOpenssh, user_data: hostKey.userData },
        // `state` is left unset (Optional+Computed in oracle/terraform-provider-oci
        // internal/service/core/core_instance_resource.go), so the builder's own power-off does
        // not diff. Set to STOPPED at create, the provider would stop it before the build.
        freeformTags: { role: "lantern-builder", stack: args.stack },
      },
      { ...inRegion, replaceOnChanges: ["displayName"] },
    );
    const poweredOff = buildSteps(name, { id: builder.id, host: builder.publicIp, user: "ubuntu", hostKey: hostKey.publicKey }, imageName, args, this);
    // A rebuild replaces the image resource but keeps the old image in the cloud: tracks pinned to it
    // (config image.tracks) still boot from it. The engine's delete of a retainOnDelete resource only
    // drops it from state (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply).
    const image = new oci.core.Image(
      `${name}-image`,
      {
        compartmentId: args.compartmentId,
        instanceId: builder.id,
        displayName: imageName,
      },
      {
        ...inRegion,
        dependsOn: [poweredOff],
        hooks: untilBuilderStopped(`${name}-builder`, "instanceId", ociPower(args.provider, args.region)),
        replaceOnChanges: ["displayName"],
        retainOnDelete: true,
      },
    );
    this.imageId = image.id;
    this.registerOutputs({ imageId: this.imageId });
  }
}
