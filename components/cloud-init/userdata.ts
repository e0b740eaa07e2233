/**
 * First-boot cloud-init user-data for one route: a pure function of the
 * validated config, emitted with a YAML library. Every value placed here was
 * matched strictly by the config schema, so nothing is escaped by hand.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type ScalarTag, stringify, type Tags } from "yaml";
import { OTEL_CLOUD_PROVIDER } from "../../stacks/catalog";
import type { FleetConfig, Route } from "../../stacks/config";

/** The shared download-verify-install-check step (first boot and hot-swap). */
export const INSTALL_SCRIPT = readFileSync(path.join(__dirname, "install-lantern-box.sh"), "utf8");
export const INSTALL_SCRIPT_PATH = "/usr/local/lib/lantern/install-lantern-box.sh";
/**
 * The journal's SYSLOG_IDENTIFIER of every run of the install script over
 * SSH (its transient units' `SyslogIdentifier=`), and of the lines the SSH
 * texts around it write (components/release/commands.ts, shippedLog: the
 * wait, the transfer checks, the tailnet join), which the image's collector
 * ships by (image/otelcol-config.yaml, journald/install-script): a unit
 * name pattern would match only units that existed when the collector
 * started.
 */
export const INSTALL_SYSLOG_IDENTIFIER = "install-lantern-box";
export const MANAGEMENT_USER = "lantern";

const OTEL_ENV_FILES = ["/etc/lantern-box/otel.env", "/etc/otelcol-contrib/otelcol.env"] as const;

/**
 * Appends the provider's instance id (cloud-init's instance data,
 * `v1.instance_id`) to both telemetry env files; POSIX sh, the id checked
 * against a strict pattern before it is written.
 */
const RECORD_INSTANCE_ID =
  "id=$(cloud-init query v1.instance_id) && case \"$id\" in ''|*[!A-Za-z0-9._:-]*) false ;; esac && " +
  `sed -i "s/^OTEL_RESOURCE_ATTRIBUTES=.*/&,instance.id=$id/" ${OTEL_ENV_FILES.join(" ")}`;
const LOG_TAG = "[lantern-firstboot]";

export interface UserDataInput {
  readonly route: Route;
  readonly stack: string;
  readonly config: Pick<FleetConfig, "releaseBaseUrl" | "releaseSoakSeconds" | "otel" | "sshPublicKeys">;
  /** Secret values, plain here: the caller keeps the result a Pulumi secret. */
  readonly secrets: { readonly routeConfig: string };
  readonly keys: RouteKeys;
}

/** Keys the program generates per route (OpenSSH format). */
export interface RouteKeys {
  /** The program's own management key, used by hot-swap commands. */
  readonly managementPublicKey: string;
  /** The instance's SSH host key, injected so connections can pin it. */
  readonly hostPrivateKey: string;
  readonly hostPublicKey: string;
}

/** What the install script needs from the config besides the route. */
export type ReleaseSettings = Pick<FleetConfig, "releaseBaseUrl" | "releaseSoakSeconds">;

/** Environment for the install script: where releases live, the pinned hash, if any, and the soak window. */
export function installEnvironment(route: Route, release: ReleaseSettings): string[] {
  return [
    `LANTERN_RELEASE_BASE_URL=${release.releaseBaseUrl}`,
    ...(route.debSha256 ? [`LANTERN_DEB_SHA256=${route.debSha256}`] : []),
    `LANTERN_SOAK_SECONDS=${release.releaseSoakSeconds}`,
  ];
}

/**
 * OTel resource attributes that tag this route's telemetry, with their
 * semantic-convention names. First boot's copy carries `service.version` =
 * the route's target release (`serviceVersion`); from then on the install
 * script keeps it equal to the release the box verified (a hot-swap, a
 * rollback), so a config push sends none. First boot appends `instance.id`
 * from cloud-init's instance data; `host.name` is the hostname it sets.
 */
export function otelEnvFile(input: Pick<UserDataInput, "route" | "stack" | "config">, serviceVersion?: string): string {
  const { route, stack, config } = input;
  const attributes = [
    `service.name=${config.otel.serviceName}`,
    ...(serviceVersion ? [`service.version=${serviceVersion}`] : []),
    `host.name=${route.id}`,
    `route.id=${route.id}`,
    `deployment.environment=${stack}`,
    `cloud.provider=${OTEL_CLOUD_PROVIDER[route.provider]}`,
    `cloud.region=${route.region}`,
    `lantern.track=${route.track}`,
  ].join(",");
  return [
    `OTEL_SERVICE_NAME=${config.otel.serviceName}`,
    `OTEL_RESOURCE_ATTRIBUTES=${attributes}`,
    `OTEL_EXPORTER_OTLP_ENDPOINT=${config.otel.endpoint}`,
    "",
  ].join("\n");
}

/** The collector's env file: the image's endpoint variable plus the route's attributes. */
export function collectorEnvFile(input: Pick<UserDataInput, "route" | "stack" | "config">, serviceVersion?: string): string {
  return [`LANTERN_OTLP_ENDPOINT=${input.config.otel.endpoint}`, otelEnvFile(input, serviceVersion)].join("\n");
}

/**
 * First boot's log line, `[lantern-firstboot] step=<step> tag=<tag> outcome=<outcome>`, as
 * the install script writes its own (install-lantern-box.sh log): `log <step> <outcome>
 * [<start epoch> [<detail>]]` adds `seconds=` since that start. POSIX sh: cloud-init writes
 * runcmd as one script under `#!/bin/sh` (canonical/cloud-init cloudinit/config/cc_runcmd.py
 * calls util.shellify, cloudinit/util.py); the tag was matched by the config schema.
 */
function logFunction(tag: string): string {
  return `log() { echo "${LOG_TAG} step=$1 tag=${tag} outcome=$2\${3:+ seconds=$(($(date +%s) - $3))}\${4:+ $4}"; }`;
}

/**
 * A side step of first boot: its failure is logged and remembered, and does
 * not stop the proxy install; first boot then ends in error (see runcmd).
 * `command` is built only from schema-validated values.
 */
function sideStep(name: string, command: string): string {
  return `t=$(date +%s); if ${command}; then log ${name} ok "$t"; else log ${name} failed "$t" >&2; failed_side_steps="$failed_side_steps ${name}"; fi`;
}

/**
 * A route's own files, by the name a config push stages them under
 * (install-lantern-box.sh CONFIG_FILES): first boot writes them from
 * user-data, and a config push delivers the same text later (the telemetry
 * files without `service.version`, which the box keeps: see otelEnvFile).
 */
export const ROUTE_FILES = ["config.json", "otel.env", "otelcol.env", "authorized_keys"] as const;
export type RouteFileName = (typeof ROUTE_FILES)[number];

/** Keys that may log in as the management user: the operators' and the program's own. */
function managementKeys(input: Pick<UserDataInput, "config" | "keys">): string[] {
  return [...input.config.sshPublicKeys, input.keys.managementPublicKey];
}

export function routeFiles(input: UserDataInput): Record<RouteFileName, string> {
  return {
    "config.json": input.secrets.routeConfig,
    "otel.env": otelEnvFile(input),
    "otelcol.env": collectorEnvFile(input),
    authorized_keys: `${managementKeys(input).join("\n")}\n`,
  };
}

const YAML_STRING_TAG = "tag:yaml.org,2002:str";

/** The install script's text as the YAML library writes it, per context it was written in. */
const installScriptYaml = new Map<string, string>();

/**
 * The YAML library's tags, with one for the install script first: it writes
 * the script with the library's own string tag, once per context (indent and
 * flags; the options are renderUserData's, always the same), and reuses that
 * text, so the same bytes come out. The library would otherwise scan and
 * re-indent the same 18 kB for every document, twice per route (the size
 * check and the render): most of a render's work and garbage. Custom tags
 * are the library's extension point for how a value is written
 * (eemeli.org/yaml/#writing-custom-tags; the first tag that identifies a
 * value writes it: yaml dist/stringify/stringify.js, getTagObject).
 */
function withInstallScriptTag(tags: Tags): Tags {
  const string = tags.find((tag) => typeof tag === "object" && tag.tag === YAML_STRING_TAG && !tag.format) as ScalarTag | undefined;
  if (!string?.stringify) throw new Error("the YAML library has no string tag to write the install script with");
  const write = string.stringify;
  const installScript: ScalarTag = {
    ...string,
    identify: (value) => value === INSTALL_SCRIPT,
    stringify(item, ctx, onComment, onChompKeep) {
      const key = JSON.stringify([ctx.indent, ctx.implicitKey, ctx.inFlow, ctx.forceBlockIndent]);
      const known = installScriptYaml.get(key);
      if (known !== undefined) return known;
      // Kept only when the library signalled nothing (a comment, `+` chomping) a reuse would not repeat.
      let signalled = false;
      const text = write(item, ctx, onComment && (() => ((signalled = true), onComment())), onChompKeep && (() => ((signalled = true), onChompKeep())));
      if (!signalled) installScriptYaml.set(key, text);
      return text;
    },
  };
  return [installScript, ...tags];
}

/** Renders the `#cloud-config` document for one route. */
export function renderUserData(input: UserDataInput): string {
  const { route, config } = input;
  const files = routeFiles(input);
  const version = route.releaseTag.slice(1);
  const document = {
    hostname: route.id,
    manage_etc_hosts: true,
    locale: "C.UTF-8",
    // The image creates the management user; this adds the route's keys to it.
    users: [{ name: MANAGEMENT_USER, ssh_authorized_keys: managementKeys(input) }],
    ssh_pwauth: false,
    // Keys come from this document only: none the provider's metadata offers
    // (cc_ssh would give them to root or a default user).
    allow_public_ssh_keys: false,
    // The only host key is the one the program generated, so SSH clients can pin it:
    // with ssh_keys given, cc_ssh deletes the image's host keys (ssh_deletekeys,
    // default true), writes these and generates none; ssh_genkeytypes is read only
    // when ssh_keys is absent (canonical/cloud-init cloudinit/config/cc_ssh.py, handle).
    ssh_keys: { ed25519_private: input.keys.hostPrivateKey, ed25519_public: input.keys.hostPublicKey },
    ssh_genkeytypes: ["ed25519"],
    write_files: [
      { path: OTEL_ENV_FILES[0], permissions: "0600", owner: "root:root", content: otelEnvFile(input, version) },
      { path: OTEL_ENV_FILES[1], permissions: "0600", owner: "root:root", content: collectorEnvFile(input, version) },
      { path: "/etc/lantern-box/config.json", permissions: "0600", owner: "root:root", content: files["config.json"] },
      { path: INSTALL_SCRIPT_PATH, permissions: "0755", owner: "root:root", content: INSTALL_SCRIPT },
    ],
    // One shell script. The proxy install is the one step that must succeed
    // (`set -e`: its failure stops here, cloud-init status error). Telemetry is
    // a side step: the proxy does not depend on it, so its failure is logged
    // and first boot still installs the release, then ends in status error
    // naming it ("degraded"). No Tailscale key is here: each new instance
    // joins the tailnet over SSH (components/tailscale): user-data is rendered
    // before the instance exists and stays readable in its metadata.
    runcmd: [
      "set -eu",
      logFunction(route.releaseTag),
      'start=$(date +%s) failed_side_steps=""',
      sideStep("instance-id", RECORD_INSTANCE_ID),
      sideStep("otel", "systemctl restart otelcol-contrib.service"),
      "log install started",
      ["env", ...installEnvironment(route, config), INSTALL_SCRIPT_PATH, "install", route.releaseTag],
      'if [ -n "$failed_side_steps" ]; then log "done" degraded "$start" "failed:$failed_side_steps" >&2; exit 1; fi',
      'log "done" ok "$start"',
    ],
  };
  return `#cloud-config\n${stringify(document, { lineWidth: 0, customTags: withInstallScriptTag })}`;
}
