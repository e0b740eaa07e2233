import * as linode from "@pulumi/linode";
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_PROFILES } from "../../stacks/catalog";
import { physicalName } from "../naming";
import { builderIngressRules } from "../network/ingress";
import { buildSteps } from "../images/builder";
import { builderHostKey } from "../images/builder-userdata";
import { LINODE_POWER, untilBuilderStopped } from "../images/poweroff";
import { baseImageName } from "../images/recipe";
import type { BaseImageArgs, ImageIds } from "../images/types";

export interface LinodeBaseImageArgs extends BaseImageArgs {
  readonly buildRegion: string;
  /** The pinned stock image (config image.stockImages.linode); Linode image ids are global. */
  readonly stockImage: string;
  /** Who may reach the builder's SSH (config ingress.sshSourceCidrs). */
  readonly sshSourceCidrs: readonly string[];
}

/**
 * The Linode base image: a builder from the pinned stock image runs the
 * recipe, powers itself off, and once Linode reports it offline its disk is
 * captured, then replicated to every route region (with the cloud-init
 * capability).
 */
export class LinodeBaseImage extends pulumi.ComponentResource {
  readonly imageIds: ImageIds;

  constructor(name: string, args: LinodeBaseImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:LinodeBaseImage", name, {}, opts);
    const imageName = baseImageName(args);
    const firewall = new linode.Firewall(
      `${name}-builder-firewall`,
      {
        // "This Firewall's unique label" (linode/terraform-provider-linode docs/resources/firewall.md), at most 32 characters.
        label: physicalName(`${args.stack}-lantern-builder`, 32),
        inboundPolicy: "DROP",
        outboundPolicy: "ACCEPT",
        inbounds: builderIngressRules(args.sshSourceCidrs).map((rule) => ({
          label: rule.description,
          action: "ACCEPT",
          protocol: rule.protocol.toUpperCase(),
          ports: rule.ports.join(","),
          ipv4s: [...rule.cidrs],
        })),
      },
      { parent: this },
    );
    const hostKey = builderHostKey(`${name}-builder`, "linode", this);
    const builder = new linode.Instance(
      `${name}-builder`,
      {
        // No label: Linode assigns one (linode/terraform-provider-linode docs/resources/instance.md,
        // `label`), so a replacement builder, which the engine creates before it deletes the old one
        // (pulumi/pulumi pkg/resource/deploy/step_generator.go: delete first only when the provider or
        // deleteBeforeReplace asks), cannot collide with the old one's label. Tagged with what it builds.
        region: args.buildRegion,
        type: PROVIDER_PROFILES.linode.defaultInstanceType,
        image: args.stockImage,
        // One key line without the newline the TLS provider ends it with (ssh.MarshalAuthorizedKey):
        // the provider sends the text unchanged (linode/terraform-provider-linode linode/instance/resource.go,
        // createOpts.AuthorizedKeys).
        authorizedKeys: [pulumi.output(args.builderKey.publicKeyOpenssh).apply((key) => key.trimEnd())],
        metadatas: [{ userData: hostKey.userData }],
        firewallId: firewall.id.apply(Number),
        // Lassie, the shutdown watchdog, boots a Linode that powers off without a shutdown job
        // (linode/terraform-provider-linode linode/instance/schema_resource.go, watchdog_enabled):
        // the builder's own power-off is such a one, so the watchdog is off.
        watchdogEnabled: false,
        // `booted` is left unset: Optional+Computed there, so the powered-off builder does not diff.
        tags: ["lantern-builder", args.stack, imageName],
      },
      // A new image name (a tag) builds on a new machine. The name includes the build region: the
      // provider would migrate the builder to a new one (linode/instance/resource.go, updateResource:
      // applyInstanceMigration) and keep the image it made. Tags, not a replacementTrigger: a builder
      // recorded without a trigger would not be replaced by one (step_generator.go shouldTriggerReplace).
      { parent: this, replaceOnChanges: ["tags"] },
    );
    const poweredOff = buildSteps(name, { id: builder.id, host: builder.ipAddress, user: "root", hostKey: hostKey.publicKey }, imageName, args, this);
    const replicaRegions = [...new Set([args.buildRegion, ...args.regions])].sort();
    // A rebuild replaces the image resource but keeps the old image in the cloud: tracks pinned to it
    // (config image.tracks) still boot from it. The engine's delete of a retainOnDelete resource only
    // drops it from state (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply).
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
      {
        parent: this,
        dependsOn: [poweredOff],
        hooks: untilBuilderStopped(`${name}-builder`, "linodeId", LINODE_POWER),
        replaceOnChanges: ["label"],
        retainOnDelete: true,
      },
    );
    this.imageIds = Object.fromEntries(args.regions.map((region) => [region, image.id]));
    this.registerOutputs({ imageIds: this.imageIds });
  }
}
