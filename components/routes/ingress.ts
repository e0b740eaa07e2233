import type { FleetConfig } from "../../stacks/config";

export interface IngressRule {
  readonly protocol: "tcp" | "udp";
  readonly ports: readonly number[];
  readonly cidrs: readonly string[];
  readonly description: string;
}

const ANYWHERE = ["0.0.0.0/0"];

/** The only traffic a route accepts: SSH from the configured sources, the proxy ports from anywhere. */
export function ingressRules(ingress: FleetConfig["ingress"]): IngressRule[] {
  const rules: IngressRule[] = [
    { protocol: "tcp", ports: [22], cidrs: ingress.sshSourceCidrs, description: "ssh" },
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
