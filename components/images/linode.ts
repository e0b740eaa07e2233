import * as linode from "@pulumi/linode";
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_PROFILES } from "../../stacks/catalog";
import { buildSteps } from "./builder";
import { baseImageName } from "./recipe";
import { LINODE_STOCK_IMAGE } from "./stock";
import type { BaseImageArgs, ImageIds } from "./types";

export interface LinodeBaseImageArgs extends BaseImageArgs {
  readonly buildRegion: string;
}

/**
 * The Linode base image: a builder from the stock Ubuntu 24.04 image runs the
 * recipe, is powered off, and its disk is captured once, then replicated to
 * every route region (with the cloud-init capability).
 */
export class LinodeBaseImage extends pulumi.ComponentResource {
  readonly imageIds: ImageIds;

  constructor(name: string, args: LinodeBaseImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:LinodeBaseImage", name, {}, opts);
    const imageName = baseImageName(args.recipe, LINODE_STOCK_IMAGE, args.rebuild);
    const firewall = new linode.Firewall(
      `${name}-builder-firewall`,
      {
        label: `${args.stack}-lantern-builder`,
        inboundPolicy: "DROP",
        outboundPolicy: "ACCEPT",
        inbounds: [{ label: "ssh", action: "ACCEPT", protocol: "TCP", ports: "22", ipv4s: ["0.0.0.0/0"] }],
      },
      { parent: this },
    );
    const builder = new linode.Instance(
      `${name}-builder`,
      {
        label: `${imageName}-builder`,
        region: args.buildRegion,
        type: PROVIDER_PROFILES.linode.defaultInstanceType,
        image: LINODE_STOCK_IMAGE,
        authorizedKeys: [args.builderKey.publicKeyOpenssh],
        firewallId: firewall.id.apply(Number),
        tags: ["lantern-builder", args.stack],
      },
      // A new recipe builds on a new machine; the power-off is ours, not drift.
      { parent: this, replaceOnChanges: ["label"], ignoreChanges: ["booted"] },
    );
    const built = buildSteps(name, { id: builder.id, host: builder.ipAddress, user: "root" }, imageName, args, { parent: this });
    const replicaRegions = [...new Set([args.buildRegion, ...args.regions])].sort();
    const image = new linode.Image(
      `${name}-image`,
      {
        label: imageName,
        description: "lantern-box route base image (release-agnostic)",
        linodeId: builder.id.apply(Number),
        diskId: builder.disks.apply((disks) => disks[0]?.id ?? Number.NaN),
        cloudInit: true,
        // Regions left out of this list are removed, so it is always the full set.
        replicaRegions,
        waitForReplications: true,
      },
      { parent: this, dependsOn: [built], replaceOnChanges: ["label"] },
    );
    this.imageIds = Object.fromEntries(args.regions.map((region) => [region, image.id]));
    this.registerOutputs({ imageIds: this.imageIds });
  }
}
