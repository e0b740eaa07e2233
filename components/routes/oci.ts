import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../naming";
import { ingressPermits } from "./ingress";
import type { LaunchedRoute, RegionRoutesArgs } from "./types";

const VCN_CIDR = "10.43.0.0/16";
const SUBNET_CIDR = "10.43.1.0/24";
const PROTOCOL_NUMBERS = { tcp: "6", udp: "17" } as const;

export interface OciRegionRoutesArgs extends RegionRoutesArgs {
  readonly compartmentId: string;
  readonly ocpus: number;
  readonly memoryInGbs: number;
}

/**
 * OCI routes of one region: a provider for the region, VCN with an internet
 * gateway and default route, a public subnet, an NSG that accepts only the
 * configured ports, and A1.Flex instances in the first availability domain.
 */
export class OciRegionRoutes extends pulumi.ComponentResource {
  readonly launched: readonly LaunchedRoute[];

  constructor(name: string, args: OciRegionRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:OciRegionRoutes", name, {}, opts);
    // The region's provider comes from opts.providers and is inherited through parent.
    const child = { parent: this };
    const compartmentId = args.compartmentId;
    const availabilityDomain = oci.identity
      .getAvailabilityDomainsOutput({ compartmentId }, child)
      .apply((result) => {
        const domain = result.availabilityDomains[0];
        if (!domain) throw new Error(`oci ${args.region}: no availability domain in the compartment`);
        return domain.name;
      });
    const displayName = `lantern-${args.stack}`;
    const vcn = new oci.core.Vcn(`${name}-vcn`, { compartmentId, cidrBlocks: [VCN_CIDR], displayName }, child);
    const gateway = new oci.core.InternetGateway(
      `${name}-igw`,
      { compartmentId, vcnId: vcn.id, enabled: true, displayName },
      child,
    );
    const routeTable = new oci.core.RouteTable(
      `${name}-rt`,
      {
        compartmentId,
        vcnId: vcn.id,
        displayName,
        routeRules: [{ destination: "0.0.0.0/0", destinationType: "CIDR_BLOCK", networkEntityId: gateway.id }],
      },
      child,
    );
    const subnet = new oci.core.Subnet(
      `${name}-subnet`,
      { compartmentId, vcnId: vcn.id, cidrBlock: SUBNET_CIDR, routeTableId: routeTable.id, displayName },
      child,
    );
    const nsg = new oci.core.NetworkSecurityGroup(`${name}-nsg`, { compartmentId, vcnId: vcn.id, displayName }, child);
    new oci.core.NetworkSecurityGroupSecurityRule(
      `${name}-egress`,
      { networkSecurityGroupId: nsg.id, direction: "EGRESS", protocol: "all", destination: "0.0.0.0/0", destinationType: "CIDR_BLOCK" },
      child,
    );
    for (const permit of ingressPermits(args.ingress)) {
      const range = { destinationPortRange: { min: permit.port, max: permit.port } };
      new oci.core.NetworkSecurityGroupSecurityRule(
        `${name}-${permit.name}`,
        {
          networkSecurityGroupId: nsg.id,
          direction: "INGRESS",
          protocol: PROTOCOL_NUMBERS[permit.protocol],
          source: permit.cidr,
          sourceType: "CIDR_BLOCK",
          ...(permit.protocol === "tcp" ? { tcpOptions: range } : { udpOptions: range }),
        },
        child,
      );
    }
    this.launched = args.routes.map(({ route, userData }) => {
      const instance = new oci.core.Instance(
        route.id,
        {
          compartmentId,
          availabilityDomain,
          displayName: physicalName(`${args.stack}-${route.id}`, 255),
          shape: route.instanceType,
          shapeConfig: { ocpus: args.ocpus, memoryInGbs: args.memoryInGbs },
          sourceDetails: { sourceType: "image", sourceId: args.imageId },
          createVnicDetails: { subnetId: subnet.id, assignPublicIp: "true", nsgIds: [nsg.id], hostnameLabel: route.id.replace(/[^a-z0-9]/g, "").slice(0, 63) },
          metadata: { ssh_authorized_keys: args.sshPublicKeys.join("\n"), user_data: userData },
          freeformTags: { stack: args.stack, route: route.id },
        },
        child,
      );
      return { route, ip: instance.publicIp };
    });
    this.registerOutputs({});
  }
}
