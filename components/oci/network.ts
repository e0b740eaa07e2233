import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "../../stacks/config";
import { ingressPermits } from "../network/ingress";

const VCN_CIDR = "10.43.0.0/16";
const SUBNET_CIDR = "10.43.1.0/24";
const PROTOCOL_NUMBERS = { icmp: "1", tcp: "6", udp: "17" } as const;

export interface OciNetworkArgs {
  readonly stack: string;
  readonly region: string;
  readonly compartmentId: string;
  readonly ingress: FleetConfig["ingress"];
}

/**
 * One region's network for routes and image builders: VCN with an internet
 * gateway and default route, a public subnet with its own security list, an
 * NSG that accepts only the configured ports (SSH only from
 * ingress.sshSourceCidrs), and the first availability domain. The region's
 * provider comes from opts.providers.
 *
 * A subnet created without `securityListIds` gets the VCN's default security
 * list, which OCI creates with SSH open to 0.0.0.0/0 ("Default Security List
 * for a VCN", docs.oracle.com/iaas/Content/Network/Concepts/securitylists.htm);
 * security lists and NSGs add up, so that would open SSH to everyone whatever
 * the NSG says. The subnet's own list admits only path-MTU ICMP (type 3 code 4,
 * as the default list does) and lets everything out.
 */
export class OciNetwork extends pulumi.ComponentResource {
  readonly subnetId: pulumi.Output<string>;
  readonly nsgId: pulumi.Output<string>;
  readonly availabilityDomain: pulumi.Output<string>;

  constructor(name: string, args: OciNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lantern:fleet:OciNetwork", name, {}, opts);
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
    const securityList = new oci.core.SecurityList(
      `${name}-seclist`,
      {
        compartmentId,
        vcnId: vcn.id,
        displayName,
        egressSecurityRules: [{ destination: "0.0.0.0/0", destinationType: "CIDR_BLOCK", protocol: "all" }],
        ingressSecurityRules: [
          { source: "0.0.0.0/0", sourceType: "CIDR_BLOCK", protocol: PROTOCOL_NUMBERS.icmp, icmpOptions: { type: 3, code: 4 } },
        ],
      },
      child,
    );
    const subnet = new oci.core.Subnet(
      `${name}-subnet`,
      { compartmentId, vcnId: vcn.id, cidrBlock: SUBNET_CIDR, routeTableId: routeTable.id, securityListIds: [securityList.id], displayName },
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
    this.subnetId = subnet.id;
    this.nsgId = nsg.id;
    this.availabilityDomain = availabilityDomain;
    this.registerOutputs({ subnetId: this.subnetId, nsgId: this.nsgId, availabilityDomain: this.availabilityDomain });
  }
}
