import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_PROFILES } from "../../stacks/catalog";
import type { AlicloudNetwork } from "./network";
import { buildSteps } from "../images/builder";
import { builderHostKey } from "../images/builder-userdata";
import { alicloudPower, untilBuilderStopped } from "../images/poweroff";
import { baseImageName } from "../images/recipe";
import type { BaseImageArgs, ImageIds } from "../images/types";

/** The builder's instance type, whatever the routes use: its zone must offer it (scripts/propose-pins.ts). */
export const ALICLOUD_BUILDER_INSTANCE_TYPE = PROVIDER_PROFILES.alicloud.defaultInstanceType;

export interface AlicloudBaseImageArgs extends BaseImageArgs {
  readonly buildRegion: string;
  /** The build region's pinned stock image (config image.stockImages.alicloud.<buildRegion>). */
  readonly stockImage: string;
  /** The build region's network (its security group admits SSH from ingress.sshSourceCidrs only). */
  readonly buildNetwork: AlicloudNetwork;
  /** One provider per region: ImageCopy's destination is its provider's region. */
  readonly providers: Readonly<Record<string, alicloud.Provider>>;
}

/**
 * The alicloud base image: built once in the build region from the pinned
 * stock image, captured once ECS reports the builder stopped, then one
 * ImageCopy per other route region.
 *
 * The key pair, builder and image live in the build region: they are
 * replaced when it changes (`replacementTrigger`). A resource that only
 * changes provider is kept and then addressed through the new one, in the
 * new region: the engine replaces it only when the new provider's
 * DiffConfig asks (pulumi/pulumi pkg/resource/deploy/step_generator.go,
 * providerChanged), which pulumi-alicloud never does for `region` (its
 * provider/resources.go sets no ForcesProviderReplace; the bridge's
 * configDiffer, pkg/tfbridge/provider.go in pulumi-terraform-bridge).
 */
export class AlicloudBaseImage extends pulumi.ComponentResource {
  readonly imageIds: ImageIds;

  constructor(name: string, args: AlicloudBaseImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:AlicloudBaseImage", name, {}, opts);
    const imageName = baseImageName(args);
    const buildProvider = args.providers[args.buildRegion];
    if (!buildProvider) throw new Error(`alicloud: no provider for build region ${args.buildRegion}`);
    const inBuildRegion = { parent: this, provider: buildProvider, replacementTrigger: args.buildRegion };
    // A new public key replaces the key pair: the provider's Update applies only its resource group
    // and tags (aliyun/terraform-provider-alicloud alicloud/resource_alicloud_ecs_key_pair.go), so an
    // in-place update would change nothing in the cloud. Deleted first: the new one takes the same
    // name, unique in the region.
    const keyPair = new alicloud.ecs.EcsKeyPair(
      `${name}-builder-key`,
      { keyPairName: `${args.stack}-lantern-builder`, publicKey: args.builderKey.publicKeyOpenssh },
      { ...inBuildRegion, replaceOnChanges: ["publicKey"], deleteBeforeReplace: true },
    );
    const hostKey = builderHostKey(`${name}-builder`, "alicloud", this);
    const builder = new alicloud.ecs.Instance(
      `${name}-builder`,
      {
        instanceName: `${imageName}-builder`,
        instanceType: ALICLOUD_BUILDER_INSTANCE_TYPE,
        imageId: args.stockImage,
        // The zone as well as the vSwitch, as routes do: a new zone must replace the builder
        // (availability_zone is ForceNew: plan/diff/provider-facts.ts cites it), since ECS moves an instance to another vSwitch only within
        // its zone (ModifyInstanceVpcAttribute), and the old vSwitch cannot go while it is in use.
        availabilityZone: args.buildNetwork.zoneId,
        vswitchId: args.buildNetwork.vswitchId,
        securityGroups: [args.buildNetwork.securityGroupId],
        keyName: keyPair.keyPairName,
        userData: hostKey.userData,
        internetChargeType: "PayByTraffic",
        internetMaxBandwidthOut: 10,
        // `status` and `stoppedMode` are left unset (Optional+Computed in
        // aliyun/terraform-provider-alicloud alicloud/resource_alicloud_instance.go), so the
        // builder's own power-off does not diff. Set at create, the provider would stop it
        // before the build (see poweroff.ts).
        tags: { role: "lantern-builder", stack: args.stack },
      },
      // A new key pair means a new builder: its key_name stays the same, so nothing would put the new
      // key on it; Linode and OCI replace theirs on a new key too (plan/diff/provider-facts.ts:
      // authorizedKeys, metadata.ssh_authorized_keys).
      { ...inBuildRegion, replaceOnChanges: ["instanceName"], replaceWith: [keyPair] },
    );
    // ECS refuses a second image of one name in a region (InvalidImageName.Duplicated in the error
    // codes of the ECS API reference's CreateImage and CopyImage pages, alibabacloud.com/help/en/ecs),
    // and every image built here stays in the cloud (retainOnDelete below). So each build's images carry its builder's id: a
    // build of an earlier identity (a reverted recipe) or in another build region names no kept image.
    const capturedName = pulumi.interpolate`${imageName}-${builder.id}`;
    const poweredOff = buildSteps(name, { id: builder.id, host: builder.publicIp, user: "root", hostKey: hostKey.publicKey }, imageName, args, this);
    // A rebuild replaces the image resource but keeps the old image in the cloud: tracks pinned to it
    // (config image.tracks) still boot from it. The engine's delete of a retainOnDelete resource only
    // drops it from state (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply).
    const image = new alicloud.ecs.Image(
      `${name}-image`,
      {
        imageName: capturedName,
        instanceId: builder.id,
        description: "lantern-box route base image (release-agnostic)",
        force: true,
      },
      {
        ...inBuildRegion,
        dependsOn: [poweredOff],
        hooks: untilBuilderStopped(`${name}-builder`, "instanceId", alicloudPower(buildProvider)),
        replaceOnChanges: ["imageName"],
        retainOnDelete: true,
        // The provider waits for the image 10 minutes by default, then fails the run with the image
        // still being made (aliyun/terraform-provider-alicloud alicloud/resource_alicloud_image.go, Timeouts).
        customTimeouts: { create: "1h" },
      },
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
        { sourceImageId: image.id, sourceRegionId: args.buildRegion, imageName: capturedName, force: true },
        // A copy to another region takes as long as ECS's queue and the distance make it, often past the
        // provider's 10-minute default wait (alicloud/resource_alicloud_image_copy.go, Timeouts).
        { parent: this, provider, replaceOnChanges: ["imageName"], retainOnDelete: true, customTimeouts: { create: "3h" } },
      ).id;
    }
    this.imageIds = ids;
    this.registerOutputs({ imageIds: this.imageIds });
  }
}
