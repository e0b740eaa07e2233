import * as linode from "@pulumi/linode";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../naming";
import { ingressRules } from "../network/ingress";
import { routeInstanceOptions } from "../release";
import { operateRoute } from "../routes/operate";
import type { FleetConfig } from "../../stacks/config";
import { type LaunchedRoute, type RegionRoutesArgs, routeOutputs } from "../routes/types";

export interface LinodeRegionRoutesArgs extends RegionRoutesArgs {
  /** Linode firewalls are per route; the other providers' rules live in their region network. */
  readonly ingress: FleetConfig["ingress"];
}

/** Linode routes of one region: per route a firewall (DROP by default) and the instance behind it. */
export class LinodeRegionRoutes extends pulumi.ComponentResource {
  readonly launched: readonly LaunchedRoute[];

  constructor(name: string, args: LinodeRegionRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:LinodeRegionRoutes", name, {}, opts);
    const inbounds = ingressRules(args.ingress).map((rule) => ({
      label: rule.description,
      action: "ACCEPT",
      protocol: rule.protocol.toUpperCase(),
      ports: rule.ports.join(","),
      ipv4s: [...rule.cidrs],
    }));
    this.launched = args.routes.map((launch) => {
      const { route, userData } = launch;
      const tags = [args.stack, route.id];
      const firewall = new linode.Firewall(
        `${route.id}-firewall`,
        {
          // "This Firewall's unique label" (linode/terraform-provider-linode docs/resources/firewall.md), at most 32 characters.
          label: physicalName(`${args.stack}-${route.id}`, 32),
          inboundPolicy: "DROP",
          outboundPolicy: "ACCEPT",
          inbounds,
          tags,
        },
        { parent: this },
      );
      const image = args.imageOf(route, this);
      const instance = new linode.Instance(
        route.id,
        {
          region: args.region,
          type: route.instanceType,
          image: image.id,
          // No label: Linode generates a unique one, so a replacement can exist beside the old VM.
          tags,
          firewallId: firewall.id.apply(Number),
          // No authorizedKeys: they would go to root. Keys reach only the
          // `lantern` user, through user-data; without rootPass Linode sets a
          // random root password that is not stored in state
          // (docs/resources/instance.md, root_pass, linode/terraform-provider-linode), and
          // the image refuses root and password logins.
          metadatas: [{ userData }],
        },
        { parent: this, ...routeInstanceOptions(route, args.waves, image.held) },
      );
      const ip = instance.ipAddress;
      const verifiedTag = operateRoute(args, launch, ip, instance, this);
      // What the instance boots, as it reports it: a held route keeps its own image.
      return { route, ip, verifiedTag, image: instance.image };
    });
    this.registerOutputs({ routes: routeOutputs(this.launched) });
  }
}
