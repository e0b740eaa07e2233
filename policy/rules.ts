/**
 * The fleet's policy rules as pure functions: (resource, config) -> violation
 * messages. No Pulumi runtime here, so the tests run every rule over the
 * offline plan without the CLI; index.ts only wraps them in a PolicyPack.
 *
 * The rules keep their own resource-type tables and user-data decoding
 * instead of importing the program's: a guard that reused the program's
 * code would share its mistakes.
 *
 * Values a rule cannot see are `UNKNOWN`: unknown during a preview (ids,
 * generated keys) or masked in the offline plan. A rule reports nothing
 * about what it cannot see, and counts an unknown value as "set".
 */
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";

/** Stands in for a value the policy cannot see (unknown in preview, masked in the plan). */
export const UNKNOWN: unique symbol = Symbol("unknown");

export interface Subject {
  readonly type: string;
  readonly name: string;
  /** The resource's inputs, with `UNKNOWN` for values that cannot be seen. */
  readonly props: Readonly<Record<string, unknown>>;
  /**
   * An instance's user-data decoded to text ("" when it has none); undefined
   * when it cannot be seen (a secret unknown during preview) or for other types.
   */
  readonly userData?: string;
  /** The resource option `additionalSecretOutputs` (outputs the engine stores as secrets whatever their input). */
  readonly secretOutputs?: readonly string[];
  /** The resource option `ignoreChanges`. */
  readonly ignoreChanges?: readonly string[];
}

export interface PolicyConfig {
  readonly allowedTcpPorts: readonly number[];
  readonly allowedUdpPorts: readonly number[];
}

/** SSH for operators and hot-swaps, 443 for the proxy (TCP and QUIC). */
export const DEFAULT_CONFIG: PolicyConfig = { allowedTcpPorts: [22, 443], allowedUdpPorts: [443] };

export interface Rule {
  readonly name: string;
  readonly description: string;
  readonly check: (subject: Subject, config: PolicyConfig) => string[];
}

export const INSTANCE_TYPES = {
  linode: "linode:index/instance:Instance",
  alicloud: "alicloud:ecs/instance:Instance",
  oci: "oci:Core/instance:Instance",
} as const;
const INSTANCES: ReadonlySet<string> = new Set(Object.values(INSTANCE_TYPES));

const IMAGE_TYPES: ReadonlySet<string> = new Set([
  "linode:index/image:Image",
  "alicloud:ecs/image:Image",
  "alicloud:ecs/imageCopy:ImageCopy",
  "oci:Core/image:Image",
]);

const LINODE_FIREWALL = "linode:index/firewall:Firewall";
const ALICLOUD_SG_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule";
const OCI_NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule";
const OCI_SECURITY_LIST = "oci:Core/securityList:SecurityList";
const OCI_SUBNET = "oci:Core/subnet:Subnet";
/** `@pulumi/command` resources that dial SSH with a `connection`. */
const REMOTE_SSH_TYPES: ReadonlySet<string> = new Set(["command:remote:Command", "command:remote:CopyToRemote"]);
const SSH_PORT = 22;

const INSTALL_SCRIPT = "install-lantern-box.sh";
const RELEASE_TAG = /v\d+\.\d+\.\d+/;
const EXACT_TAG = /^v\d+\.\d+\.\d+$/;

// ---------------------------------------------------------------- helpers

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);
const isSet = (v: unknown): boolean => v !== undefined && v !== null;
const str = (v: unknown): string => (typeof v === "string" || typeof v === "number" ? String(v) : "");
/** True when any of the values cannot be seen: the rule then says nothing about them. */
const unseen = (...values: unknown[]) => values.includes(UNKNOWN);
const isBuilder = (name: string) => name.endsWith("-builder");
const isRouteInstance = (s: Subject) => INSTANCES.has(s.type) && !isBuilder(s.name);

/** The base64 (maybe gzipped) user-data property of an instance, UNKNOWN, or undefined when absent. */
function userDataProperty(type: string, props: Readonly<Dict>): unknown {
  switch (type) {
    case INSTANCE_TYPES.linode: {
      const metadatas = props.metadatas;
      if (metadatas === UNKNOWN) return UNKNOWN;
      const first: unknown = Array.isArray(metadatas) ? metadatas[0] : undefined;
      return first === UNKNOWN ? UNKNOWN : isDict(first) ? first.userData : undefined;
    }
    case INSTANCE_TYPES.alicloud:
      return props.userData;
    case INSTANCE_TYPES.oci: {
      const metadata = props.metadata;
      return metadata === UNKNOWN ? UNKNOWN : isDict(metadata) ? metadata.user_data : undefined;
    }
    default:
      return undefined;
  }
}

/** Decodes base64 user-data, gunzipping it when it starts with the gzip magic (as cloud-init does). */
export function decodeUserData(base64: string): string {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString("utf8");
    } catch {
      return ""; // corrupt gzip: no readable document, which the user-data rule reports
    }
  }
  return bytes.toString("utf8");
}

/** An instance's user-data as text ("" when it has none), or undefined when it cannot be seen. */
export function userDataOf(type: string, props: Readonly<Dict>): string | undefined {
  if (!INSTANCES.has(type)) return undefined;
  const value = userDataProperty(type, props);
  if (value === UNKNOWN) return undefined;
  return typeof value === "string" ? decodeUserData(value) : "";
}

/** Parses a cloud-config as cloud-init does (PyYAML: YAML 1.1, so `no` is false). */
function parseCloudConfig(text: string): Dict | string {
  if (!text.startsWith("#cloud-config")) return "user-data is not a #cloud-config document";
  try {
    const doc: unknown = parse(text, { version: "1.1" });
    return isDict(doc) ? doc : "user-data is not a cloud-config mapping";
  } catch (e) {
    return `user-data is not valid YAML: ${(e as Error).message.split("\n")[0]}`;
  }
}

/** Every string in a value, with its path (UNKNOWN values are skipped: they cannot be seen). */
function strings(value: unknown, path = ""): [string, string][] {
  if (typeof value === "string") return [[path || "(value)", value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (isDict(value)) return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

/** Every mapping key in a parsed document, at any depth. */
function keys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keys);
  if (isDict(value)) return Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]);
  return [];
}

interface Invocation {
  readonly script: string;
  readonly args: readonly string[];
}

/** Invocations of the install script in runcmd: list entries (exec'd) or strings (run by sh). */
function installInvocations(runcmd: unknown): Invocation[] {
  if (!Array.isArray(runcmd)) return [];
  return runcmd.flatMap((entry): Invocation[] => {
    const words = Array.isArray(entry) ? entry.map(String) : typeof entry === "string" ? entry.split(/\s+/) : [];
    const found: Invocation[] = [];
    words.forEach((word, i) => {
      if (!word.endsWith(INSTALL_SCRIPT)) return;
      const rest = words.slice(i + 1);
      const end = rest.findIndex((w) => /^(;|&&|\|\||\|)$/.test(w) || w.endsWith(";"));
      found.push({ script: word, args: (end < 0 ? rest : rest.slice(0, end)).filter((w) => w !== "") });
    });
    return found;
  });
}

/** Ports named by a Linode `ports` string ("22", "22,443", "8000-8100"); undefined means all ports. */
function linodePorts(ports: unknown): [number, number][] | undefined {
  if (typeof ports !== "string" || ports.trim() === "") return undefined;
  return ports.split(",").map((part) => {
    const [lo, hi = lo] = part.trim().split("-").map(Number);
    return [lo!, hi!];
  });
}

/** The ports of [lo, hi] that the allowed list does not contain ("all" for an unbounded range). */
function disallowed(ranges: [number, number][] | undefined, allowed: readonly number[]): string[] {
  if (!ranges) return ["all ports"];
  return ranges.flatMap(([lo, hi]) => {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || lo > hi) return [`${lo}-${hi}`];
    const bad: string[] = [];
    for (let p = lo; p <= hi && bad.length < 5; p++) if (!allowed.includes(p)) bad.push(String(p));
    return bad;
  });
}

function portViolations(what: string, protocol: string, ranges: [number, number][] | undefined, config: PolicyConfig): string[] {
  const allowed = protocol === "tcp" ? config.allowedTcpPorts : protocol === "udp" ? config.allowedUdpPorts : undefined;
  if (!allowed) return [`${what} allows protocol ${protocol}: only tcp and udp on configured ports may be opened`];
  const bad = disallowed(ranges, allowed);
  return bad.length > 0
    ? [`${what} opens ${protocol} ${bad.join(", ")}: allowed ${protocol} ports are ${allowed.join(", ") || "none"} (policy config)`]
    : [];
}

/** True when a source CIDR is everywhere (IPv4 or IPv6 /0). */
const isAnywhere = (cidr: unknown): boolean => typeof cidr === "string" && /\/0$/.test(cidr.trim());

/** True when the port ranges (undefined = every port) include SSH. */
const coversSsh = (ranges: [number, number][] | undefined): boolean =>
  ranges === undefined || ranges.some(([lo, hi]) => lo <= SSH_PORT && SSH_PORT <= hi);

/** An OCI rule's TCP destination range (tcpOptions.destinationPortRange; none = every port), or UNKNOWN. */
function ociTcpRanges(rule: Readonly<Dict>): [number, number][] | undefined | typeof UNKNOWN {
  const options = rule.tcpOptions;
  if (options === UNKNOWN) return UNKNOWN;
  const range = isDict(options) ? options.destinationPortRange : undefined;
  if (range === UNKNOWN) return UNKNOWN;
  if (!isDict(range)) return undefined;
  if (unseen(range.min, range.max)) return UNKNOWN;
  return [[Number(str(range.min)), Number(str(range.max))]];
}

/** An OCI ingress rule (NSG rule or security-list entry) that admits SSH from anywhere. */
function ociRuleOpensSshToAnywhere(rule: Readonly<Dict>): boolean {
  if (unseen(rule.protocol, rule.source)) return false;
  const protocol = str(rule.protocol);
  if (protocol !== "6" && protocol !== "all") return false;
  const ranges = protocol === "all" ? undefined : ociTcpRanges(rule);
  return ranges !== UNKNOWN && coversSsh(ranges) && isAnywhere(rule.source);
}

// ---------------------------------------------------------------- rules

/** Each route boots exactly one pinned release, through the install script that verifies its checksum. */
export const routeUserDataPinsOneRelease: Rule = {
  name: "route-userdata-pins-one-release",
  description:
    "Route user-data installs exactly one pinned lantern-box release (install-lantern-box.sh install vX.Y.Z, once) with the script's sha256 verification.",
  check(s) {
    // Builders carry only their host key in user-data, and are not routes. User-data is a secret built from generated keys, so
    // a preview of a new route sees it as unknown: the rule can only check known values (existing routes,
    // and `pulumi up`, where the engine analyzes again with the values resolved), and says nothing otherwise.
    if (!isRouteInstance(s) || s.userData === undefined) return [];
    if (s.userData === "") return [`route ${s.name} has no user-data, so it installs no release`];
    const doc = parseCloudConfig(s.userData);
    if (typeof doc === "string") return [doc];
    const out: string[] = [];
    const calls = installInvocations(doc.runcmd);
    if (calls.length !== 1) out.push(`runcmd invokes ${INSTALL_SCRIPT} ${calls.length} times, expected exactly once`);
    for (const call of calls) {
      if (call.args.length !== 2 || call.args[0] !== "install" || !EXACT_TAG.test(call.args[1]!)) {
        out.push(`${INSTALL_SCRIPT} is invoked with [${call.args.join(" ")}], expected \`install\` and one pinned vX.Y.Z tag`);
      }
    }
    const tags = new Set(JSON.stringify(doc.runcmd ?? []).match(new RegExp(RELEASE_TAG, "g")) ?? []);
    if (tags.size > 1) out.push(`runcmd names several releases (${[...tags].join(", ")}), expected one`);
    const files = Array.isArray(doc.write_files) ? doc.write_files.filter(isDict) : [];
    for (const script of new Set(calls.map((c) => c.script))) {
      const file = files.find((f) => f.path === script);
      const content = typeof file?.content === "string" ? file.content : "";
      if (!file) out.push(`${script} is not written by the user-data, so its checksum verification cannot be checked`);
      else if (!content.includes("_checksums.txt") || !content.includes("sha256sum")) {
        out.push(`${script} has no checksum verification (sha256sum against the release's _checksums.txt)`);
      }
    }
    return out;
  },
};

/** Images are release-agnostic: a release baked into an image would outlive every tag bump. */
export const noReleaseTagInImages: Rule = {
  name: "no-release-tag-in-images",
  description: "Base images, their builders and build commands name no lantern-box release (no vX.Y.Z, no lantern-box_ .deb).",
  check(s) {
    // Policies see one resource at a time, so image-build resources are known by name (`<x>-base-...`, `...-builder`).
    const imageBuild = IMAGE_TYPES.has(s.type) || isBuilder(s.name) || s.name.includes("-base-");
    if (!imageBuild) return [];
    return strings(s.props).flatMap(([path, text]) => {
      const hit = RELEASE_TAG.exec(text)?.[0] ?? (text.includes("lantern-box_") ? "lantern-box_" : undefined);
      return hit ? [`${path} names a release (${hit}): images and their builds must be release-agnostic`] : [];
    });
  },
};

/** Access is by SSH key only; a root password in the inputs would also sit in the state. */
export const noCleartextRootPassword: Rule = {
  name: "no-cleartext-root-password",
  description: "Linode instances set no rootPass and Alibaba Cloud instances no password: access is by SSH key only.",
  check(s) {
    if (s.type === INSTANCE_TYPES.linode && isSet(s.props.rootPass)) return ["linode instance sets rootPass: use SSH keys only"];
    if (s.type === INSTANCE_TYPES.alicloud && isSet(s.props.password)) return ["alicloud instance sets password: use SSH keys only"];
    return [];
  },
};

const PASSWORD_KEYS = new Set(["password", "passwd", "hashed_passwd", "plain_text_passwd", "chpasswd"]);

/** Routes face the internet: SSH must refuse passwords and no account may get one. */
export const noSshPasswordLogin: Rule = {
  name: "no-ssh-password-login",
  description: "Instance user-data sets ssh_pwauth: false, never PasswordAuthentication yes, and sets no passwords.",
  check(s) {
    if (!INSTANCES.has(s.type) || !s.userData) return []; // none, or unknown during preview
    const doc = parseCloudConfig(s.userData);
    if (typeof doc === "string") return [doc];
    const out: string[] = [];
    if (doc.ssh_pwauth !== false) out.push(`user-data sets ssh_pwauth to ${JSON.stringify(doc.ssh_pwauth)}, expected false`);
    if (/PasswordAuthentication\s+yes/i.test(s.userData)) out.push("user-data enables sshd PasswordAuthentication");
    const found = [...new Set(keys(doc).filter((k) => PASSWORD_KEYS.has(k)))];
    if (found.length > 0) out.push(`user-data sets passwords (${found.join(", ")})`);
    return out;
  },
};

/** Only the configured ports are reachable, and every instance sits behind a firewall. */
export const onlyConfiguredPorts: Rule = {
  name: "only-configured-ports",
  description:
    "Firewalls, security group rules and NSG rules open only the configured TCP/UDP ports; Linode firewalls drop by default; every instance has a firewall, security group or NSG.",
  check(s, config) {
    const p = s.props;
    switch (s.type) {
      case LINODE_FIREWALL: {
        const out: string[] = [];
        if (p.inboundPolicy !== "DROP" && !unseen(p.inboundPolicy)) {
          out.push(`firewall inboundPolicy is ${str(p.inboundPolicy) || "unset"}, expected DROP`);
        }
        const inbounds = Array.isArray(p.inbounds) ? p.inbounds.filter(isDict) : [];
        for (const rule of inbounds.filter((r) => r.action !== "DROP" && !unseen(r.action, r.protocol, r.ports))) {
          const what = `inbound rule ${str(rule.label) || "(no label)"}`;
          out.push(...portViolations(what, str(rule.protocol).toLowerCase(), linodePorts(rule.ports), config));
        }
        return out;
      }
      case ALICLOUD_SG_RULE: {
        if (p.type !== "ingress" || p.policy === "drop" || unseen(p.type, p.policy, p.ipProtocol, p.portRange)) return [];
        // "22/22", "8000/8100"; "-1/-1" (or none) is every port.
        const [lo = -1, hi = lo] = str(p.portRange).split("/").filter((x) => x !== "").map(Number);
        const range: [number, number][] | undefined = lo === -1 ? undefined : [[lo, hi]];
        return portViolations("security group rule", str(p.ipProtocol).toLowerCase(), range, config);
      }
      case OCI_NSG_RULE: {
        if (p.direction !== "INGRESS" || unseen(p.direction, p.protocol, p.tcpOptions, p.udpOptions)) return [];
        // OCI names protocols by IANA number; no destinationPortRange means every port.
        const protocol = ({ "6": "tcp", "17": "udp" } as Record<string, string>)[str(p.protocol)] ?? str(p.protocol);
        const options = protocol === "tcp" ? p.tcpOptions : protocol === "udp" ? p.udpOptions : undefined;
        const range = isDict(options) && isDict(options.destinationPortRange) ? options.destinationPortRange : undefined;
        if (unseen(isDict(options) ? options.destinationPortRange : undefined, range?.min, range?.max)) return [];
        const ranges: [number, number][] | undefined = range ? [[Number(str(range.min)), Number(str(range.max))]] : undefined;
        return portViolations("NSG rule", protocol, ranges, config);
      }
      case INSTANCE_TYPES.linode:
        return isSet(p.firewallId) ? [] : ["linode instance has no firewallId: every instance sits behind a firewall"];
      case INSTANCE_TYPES.alicloud: {
        const groups = p.securityGroups;
        return groups === UNKNOWN || (Array.isArray(groups) && groups.length > 0) ? [] : ["alicloud instance has no securityGroups"];
      }
      case INSTANCE_TYPES.oci: {
        const vnic = p.createVnicDetails;
        const nsgIds = isDict(vnic) ? vnic.nsgIds : undefined;
        const ok = vnic === UNKNOWN || nsgIds === UNKNOWN || (Array.isArray(nsgIds) && nsgIds.length > 0);
        return ok ? [] : ["oci instance has no createVnicDetails.nsgIds: every instance sits in an NSG"];
      }
      default:
        return [];
    }
  },
};

/**
 * Every SSH connection (hot-swaps, image builds) sends a key and trusts the
 * answer: it must pin the host's key, or `@pulumi/command` accepts any
 * (pulumi/pulumi-command provider/pkg/provider/remote/connection.go:
 * InsecureIgnoreHostKey without hostKey).
 */
export const remoteCommandsPinHostKey: Rule = {
  name: "remote-commands-pin-host-key",
  description: "Every remote command and copy (hot-swaps, image builds) pins the host's SSH key (connection.hostKey).",
  check(s) {
    if (!REMOTE_SSH_TYPES.has(s.type)) return [];
    const connection = s.props.connection;
    if (connection === UNKNOWN) return [];
    const hostKey = isDict(connection) ? connection.hostKey : undefined;
    if (hostKey === UNKNOWN || (typeof hostKey === "string" && hostKey.trim() !== "")) return [];
    return ["connection has no hostKey: it would trust any host key on first contact"];
  },
};

/** Routes and image builders are the root of trust: SSH only from the configured sources, never from anywhere. */
export const noSshFromAnywhere: Rule = {
  name: "no-ssh-from-anywhere",
  description:
    "No firewall, security group rule, NSG rule or security list admits SSH (TCP 22) from 0.0.0.0/0 or ::/0, on any route or image builder.",
  check(s) {
    const p = s.props;
    const found = "admits SSH (tcp 22) from anywhere: allow only the deploy runner's and operators' CIDRs (config ingress.sshSourceCidrs)";
    switch (s.type) {
      case LINODE_FIREWALL: {
        const inbounds = Array.isArray(p.inbounds) ? p.inbounds.filter(isDict) : [];
        return inbounds
          .filter((r) => r.action === "ACCEPT" && str(r.protocol).toUpperCase() === "TCP" && !unseen(r.ports, r.ipv4s, r.ipv6s))
          .filter((r) => coversSsh(linodePorts(r.ports)))
          .filter((r) => [r.ipv4s, r.ipv6s].some((list) => Array.isArray(list) && list.some(isAnywhere)))
          .map((r) => `inbound rule ${str(r.label) || "(no label)"} ${found}`);
      }
      case ALICLOUD_SG_RULE: {
        if (p.type !== "ingress" || p.policy === "drop" || unseen(p.type, p.policy, p.ipProtocol, p.portRange, p.cidrIp, p.ipv6CidrIp)) return [];
        const protocol = str(p.ipProtocol).toLowerCase();
        if (protocol !== "tcp" && protocol !== "all") return [];
        const [lo = -1, hi = lo] = str(p.portRange).split("/").filter((x) => x !== "").map(Number);
        const ranges: [number, number][] | undefined = lo === -1 ? undefined : [[lo, hi]];
        return coversSsh(ranges) && (isAnywhere(p.cidrIp) || isAnywhere(p.ipv6CidrIp)) ? [`security group rule ${found}`] : [];
      }
      case OCI_NSG_RULE:
        return p.direction === "INGRESS" && ociRuleOpensSshToAnywhere(p) ? [`NSG rule ${found}`] : [];
      case OCI_SECURITY_LIST: {
        const rules = Array.isArray(p.ingressSecurityRules) ? p.ingressSecurityRules.filter(isDict) : [];
        return rules.some(ociRuleOpensSshToAnywhere) ? [`security list ${found}`] : [];
      }
      default:
        return [];
    }
  },
};

/** Without its own security lists an OCI subnet gets the VCN's default one, which admits SSH from 0.0.0.0/0. */
export const ociSubnetsHaveSecurityLists: Rule = {
  name: "oci-subnets-have-security-lists",
  description: "Every OCI subnet names its security lists (securityListIds); the VCN's default list admits SSH from anywhere.",
  check(s) {
    if (s.type !== OCI_SUBNET) return [];
    const lists = s.props.securityListIds;
    return lists === UNKNOWN || (Array.isArray(lists) && lists.length > 0)
      ? []
      : ["subnet has no securityListIds: it would get the VCN's default security list, which admits SSH from 0.0.0.0/0"];
  },
};

/**
 * The property of each route instance type that carries user-data (the
 * program's own copy is in stacks/catalog.ts; this guard keeps its own).
 */
const USER_DATA_PROPERTY: Readonly<Record<string, string>> = {
  [INSTANCE_TYPES.linode]: "metadatas",
  [INSTANCE_TYPES.alicloud]: "userData",
  [INSTANCE_TYPES.oci]: "metadata",
};

/**
 * A route's user-data carries its host private key and the route config. Policies see secret inputs unwrapped (@pulumi/policy
 * deserialize.js: validation policies get plain values), so what a policy can
 * check is the option that makes the engine store the property as a secret
 * whatever its input was: `additionalSecretOutputs`.
 */
export const routeUserDataIsSecret: Rule = {
  name: "route-userdata-is-secret",
  description: "Every route instance declares its user-data property in additionalSecretOutputs, so the engine stores it only as a secret.",
  check(s) {
    if (!isRouteInstance(s)) return [];
    const property = USER_DATA_PROPERTY[s.type]!;
    return s.secretOutputs?.includes(property) ? [] : [`route ${s.name} does not declare ${property} in additionalSecretOutputs: its user-data would be stored in clear`];
  },
};

export const TAILNET_KEY_TYPE = "tailscale:index/tailnetKey:TailnetKey";
/** Key settings that force a new key, for the next new instance only. */
const TAILNET_KEY_SETTINGS = ["tags", "expiry"] as const;
/** A week: the longest a route's unused key may stay valid. */
const MAX_TAILNET_KEY_EXPIRY_SECONDS = 604800;

/**
 * A route's Tailscale key stays in the stack's state for the route's life
 * (it reaches the instance over SSH: components/tailscale), so it must be
 * useless once used: single-use, never recreated by the provider
 * once used (`recreateIfInvalid: "never"`, said outright: unset, the
 * provider makes a new key when the used one reads back invalid if the key
 * is reusable, and "always" for any key: shouldRecreateIfInvalid in
 * tailscale/resource_tailnet_key.go, tailscale/terraform-provider-tailscale),
 * tagged, and short-lived (an unset expiry is Tailscale's 90 days). It
 * ignores changes to its tags and expiry, which force a new key
 * (RequiresReplace): new settings would otherwise make a key for every
 * route that no join spends, sent to the running route on its join's stdin;
 * the next new instance's key has them (components/tailscale).
 */
export const tailnetKeysAreOneOff: Rule = {
  name: "tailnet-keys-are-one-off",
  description: "Every Tailscale key is single-use, never recreated once used, tagged, expires within a week, and ignores changes to its tags and expiry.",
  check(s) {
    if (s.type !== TAILNET_KEY_TYPE) return [];
    const { reusable, recreateIfInvalid, tags, expiry } = s.props;
    const problems: string[] = [];
    if (reusable !== false && reusable !== UNKNOWN) problems.push(`key ${s.name} is not single-use (reusable must be false)`);
    if (recreateIfInvalid !== "never" && recreateIfInvalid !== UNKNOWN) problems.push(`key ${s.name} must say recreateIfInvalid "never" (with "always", or unset on a reusable key, the provider makes a new one once it is used)`);
    if (tags !== UNKNOWN && (!Array.isArray(tags) || tags.length === 0)) problems.push(`key ${s.name} has no tags: its node would belong to the key's creator`);
    if (expiry !== UNKNOWN && !(typeof expiry === "number" && expiry > 0 && expiry <= MAX_TAILNET_KEY_EXPIRY_SECONDS)) {
      problems.push(`key ${s.name} must expire within ${MAX_TAILNET_KEY_EXPIRY_SECONDS} seconds`);
    }
    const unignored = TAILNET_KEY_SETTINGS.filter((p) => !s.ignoreChanges?.includes(p));
    if (unignored.length > 0) problems.push(`key ${s.name} must ignore changes to ${unignored.join(" and ")} (ignoreChanges): a change would make a key for a running route that no join spends`);
    return problems;
  },
};

export const RULES: readonly Rule[] = [
  routeUserDataIsSecret,
  tailnetKeysAreOneOff,
  routeUserDataPinsOneRelease,
  noReleaseTagInImages,
  noCleartextRootPassword,
  noSshPasswordLogin,
  onlyConfiguredPorts,
  noSshFromAnywhere,
  ociSubnetsHaveSecurityLists,
  remoteCommandsPinHostKey,
];

/** Every violation of every rule for one resource, as `rule: message`. */
export function violations(subject: Subject, config: PolicyConfig = DEFAULT_CONFIG): { rule: string; message: string }[] {
  return RULES.flatMap((rule) => rule.check(subject, config).map((message) => ({ rule: rule.name, message })));
}
