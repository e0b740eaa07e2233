import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_PROFILES } from "../../stacks/catalog";
import type { AlicloudNetwork } from "../network/alicloud";
import { buildSteps } from "./builder";
import { baseImageName } from "./recipe";
import { alicloudStockImage, ALICLOUD_STOCK_IMAGE } from "./stock";
import type { BaseImageArgs, ImageIds } from "./types";

export interface AlicloudBaseImageArgs extends BaseImageArgs {
  readonly buildRegion: string;
  /** The build region's network (SSH must be open to where `pulumi up` runs). */
  readonly buildNetwork: AlicloudNetwork;
  /** One provider per region: ImageCopy's destination is its provider's region. */
  readonly providers: Readonly<Record<string, alicloud.Provider>>;
}

/**
 * The alicloud base image: built once in the build region from the stock
 * Ubuntu 24.04 image, then one ImageCopy per other route region.
 */
export class AlicloudBaseImage extends pulumi.ComponentResource {
  readonly imageIds: ImageIds;

  constructor(name: string, args: AlicloudBaseImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:AlicloudBaseImage", name, {}, opts);
    const imageName = baseImageName(args.recipe, ALICLOUD_STOCK_IMAGE, args.rebuild);
    const buildProvider = args.providers[args.buildRegion];
    if (!buildProvider) throw new Error(`alicloud: no provider for build region ${args.buildRegion}`);
    const inBuildRegion = { parent: this, provider: buildProvider };
    const keyPair = new alicloud.ecs.EcsKeyPair(
      `${name}-builder-key`,
      { keyPairName: `${args.stack}-lantern-builder`, publicKey: args.builderKey.publicKeyOpenssh },
      inBuildRegion,
    );
    const builder = new alicloud.ecs.Instance(
      `${name}-builder`,
      {
        instanceName: `${imageName}-builder`,
        instanceType: PROVIDER_PROFILES.alicloud.defaultInstanceType,
        imageId: alicloudStockImage(buildProvider),
        vswitchId: args.buildNetwork.vswitchId,
        securityGroups: [args.buildNetwork.securityGroupId],
        keyName: keyPair.keyPairName,
        internetChargeType: "PayByTraffic",
        internetMaxBandwidthOut: 10,
        // Once powered off, a stopped VPC instance is not billed for compute.
        stoppedMode: "StopCharging",
        tags: { role: "lantern-builder", stack: args.stack },
      },
      { ...inBuildRegion, replaceOnChanges: ["instanceName"], ignoreChanges: ["status"] },
    );
    const built = buildSteps(name, { id: builder.id, host: builder.publicIp, user: "root" }, imageName, args, inBuildRegion);
    const image = new alicloud.ecs.Image(
      `${name}-image`,
      { imageName, instanceId: builder.id, description: "lantern-box route base image (release-agnostic)", force: true },
      { ...inBuildRegion, dependsOn: [built], replaceOnChanges: ["imageName"] },
    );
    const ids: Record<string, pulumi.Output<string>> = {};
    for (const region of args.regions) {
      if (region === args.buildRegion) {
        ids[region] = image.id;
        continue;
      }
      const provider = args.providers[region];
      if (!provider) throw new Error(`alicloud: no provider for region ${region}`);
      ids[region] = new alicloud.ecs.ImageCopy(
        `${name}-copy-${region}`,
        { sourceImageId: image.id, sourceRegionId: args.buildRegion, imageName, force: true },
        { parent: this, provider, replaceOnChanges: ["imageName"] },
      ).id;
    }
    this.imageIds = ids;
    this.registerOutputs({ imageIds: this.imageIds });
  }
}
