import { type FleetConfig, sshSourceCidrsOf } from "../../stacks/config";

export interface IngressRule {
  readonly protocol: "tcp" | "udp";
  readonly ports: readonly number[];
  readonly cidrs: readonly string[];
  readonly description: string;
}

const ANYWHERE = ["0.0.0.0/0"];

/**
 * SSH from the configured sources only (config `ingress.sshSourceCidrs`, never
 * anywhere): the deploy runner's egress, where image builds and hot-swaps
 * connect from, and the operators'.
 */
export function builderIngressRules(sshSourceCidrs: readonly string[]): IngressRule[] {
  return [{ protocol: "tcp", ports: [22], cidrs: sshSourceCidrs, description: "ssh" }];
}

/** The only traffic a route accepts: SSH as builders do, the proxy ports from anywhere. */
export function ingressRules(ingress: FleetConfig["ingress"]): IngressRule[] {
  const rules: IngressRule[] = [
    ...builderIngressRules(sshSourceCidrsOf({ ingress })),
    { protocol: "tcp", ports: ingress.tcp, cidrs: ANYWHERE, description: "proxy-tcp" },
    { protocol: "udp", ports: ingress.udp, cidrs: ANYWHERE, description: "proxy-udp" },
  ];
  return rules.filter((rule) => rule.ports.length > 0);
}

export interface IngressPermit {
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  readonly cidr: string;
  /** Stable suffix for the resource that opens it, e.g. `ssh-22-0-0-0-0-0`. */
  readonly name: string;
}

/** The same rules, one permit per protocol, port and source: security groups and NSGs take them one by one. */
export function ingressPermits(ingress: FleetConfig["ingress"]): IngressPermit[] {
  return ingressRules(ingress).flatMap((rule) =>
    rule.cidrs.flatMap((cidr) =>
      rule.ports.map((port) => ({
        protocol: rule.protocol,
        port,
        cidr,
        name: `${rule.description}-${port}-${cidr.replace(/[./]/g, "-")}`,
      })),
    ),
  );
}
