/**
 * The command texts that bring a running route to its target release over
 * SSH, as the `lantern` management user:
 *
 * - hot-swap (`install`): installs the target tag with the same install
 *   script first boot runs (pre-flight, install, verify, rollback on failure);
 * - verify: checks, without installing, that the route runs its target tag
 *   and stays up (routes rolled out by `replace`, after their first boot; and
 *   a hot-swap whose tag did not change).
 *
 * The script arrives on stdin and must hash to the program's copy before it
 * is used, so a cut-off transfer can never run. It then runs detached from
 * the SSH session, in a transient systemd unit (`systemd-run --wait`): a
 * dropped connection does not stop an install half-way, the next run waits
 * for it (the script's lock) and finds it done. The unit's journal is
 * printed back: `pulumi up` shows it as the command's progress (the
 * provider logs each line as a status message, which the display does not
 * keep: pulumi-command provider/pkg/provider/util/util.go LogOutput), it is
 * kept in the command's `stdout` output, and a failed command's error
 * carries it whole (remote/commandOutputs.go).
 */
import { createHash } from "node:crypto";
import type { Route } from "../../stacks/config";
import { RELEASE_TAG } from "../../stacks/patterns";
import {
  INSTALL_SCRIPT,
  INSTALL_SCRIPT_PATH,
  INSTALL_SYSLOG_IDENTIFIER,
  installEnvironment,
  type ReleaseSettings,
  ROUTE_FILES,
  type RouteFileName,
} from "../cloud-init/userdata";

/**
 * The log lines of what the program runs over SSH, before and around the
 * install script: `say <text>` writes `$log <text>` to stderr, which `pulumi
 * up` shows, and to the route's journal under the identifier the collector
 * ships (image/otelcol-config.yaml, journald/install-script), so a failure
 * there reaches telemetry too; `fail <text>` says `FAILED: <text>` and exits
 * 1. logger(1) is util-linux's (package bsdutils, Essential on Debian and
 * Ubuntu); journald takes its tag as SYSLOG_IDENTIFIER (systemd
 * systemd.journal-fields(7)). A logger that fails never fails the run.
 * `$log` is `[<tag>]`.
 */
export function shippedLog(tag: string): string {
  return [
    `log='[${tag}]'`,
    `say() { echo "$log $1" >&2; logger -t ${INSTALL_SYSLOG_IDENTIFIER} -- "$log $1" || true; }`,
    'fail() { say "FAILED: $1"; exit 1; }',
  ].join("\n");
}

/** Bounded wait for first boot to have finished (successfully or not) before touching the route; fails with shippedLog's `fail`. */
const WAIT_FOR_FIRST_BOOT =
  "timeout 900 sh -c 'until [ -f /var/lib/cloud/instance/boot-finished ]; do sleep 5; done' " +
  '|| fail "step=wait outcome=failed: first boot did not finish within 15 minutes"';

/** How a text run over SSH on a route starts: strict, with shippedLog(tag), once first boot has finished. */
export function afterFirstBoot(tag: string): string[] {
  return ["set -eu", shippedLog(tag), WAIT_FOR_FIRST_BOOT];
}

const INSTALL_SCRIPT_SHA256 = createHash("sha256").update(INSTALL_SCRIPT).digest("hex");
const INSTALL_SCRIPT_BYTES = Buffer.byteLength(INSTALL_SCRIPT);

/**
 * Reads a config payload (configPayload) into a root-only staging directory:
 * known names only, decoded from base64 (no value is ever parsed by a shell),
 * and the count on the `end` line must match.
 */
const RECEIVE_CONFIG = [
  'stage=/run/lantern/stage-$unit && sudo install -d -m 0700 "$stage"',
  "received=0 ended=",
  "while read -r name data; do",
  '  case $name in',
  `    ${ROUTE_FILES.join(" | ")}) base64 -d <<<"$data" | sudo install -m 0600 /dev/stdin "$stage/$name"; received=$((received + 1)) ;;`,
  '    end) ended=$data ;;',
  '    *) fail "step=receive outcome=failed: unexpected entry in the config payload" ;;',
  "  esac",
  "done",
  `if [ "$ended" != "$received" ] || [ "$received" != ${ROUTE_FILES.length} ]; then`,
  '  fail "step=receive outcome=failed: the config payload arrived incomplete"',
  "fi",
];

/**
 * What a config push sends after the install script on stdin: one line per
 * file, `<name> <base64>`, then `end <count>`, so a cut-off transfer is
 * refused. Secret: the caller keeps it a Pulumi secret.
 */
export function configPayload(files: Readonly<Record<RouteFileName, string>>): string {
  const lines = ROUTE_FILES.map((name) => `${name} ${Buffer.from(files[name]).toString("base64")}`);
  return [...lines, `end ${lines.length}`, ""].join("\n");
}

export interface ReleaseCommand {
  /** Runs when the command is created, or replaced (a new target tag, a new instance). */
  readonly create: string;
  /** Runs on any other change to the command: verifies only. */
  readonly update: string;
  /** The install script, checked against its hash on the box before use. */
  readonly stdin: string;
  /** A new target tag replaces the command, so `create` runs again. */
  readonly triggers: string[];
}

/** What one remote run starts on the box, besides the install script itself. */
interface RemoteRun {
  /** Prefix of its log lines on the operator's side. */
  readonly logTag: string;
  /** The transient unit's name, before a unique suffix; its journal is shipped (image/otelcol-config.yaml). */
  readonly unit: string;
  readonly description: string;
  readonly env: readonly string[];
  readonly args: readonly string[];
  /** Whether a config payload follows the script on stdin. */
  readonly payload: boolean;
}

/**
 * The text run over SSH. Every value here was validated by the config
 * schema (tags, URLs, route ids), so nothing needs quoting.
 */
function remoteRun(route: Route, run: RemoteRun): string {
  const setenv = run.env.map((e) => `--setenv=${e}`);
  return [
    ...afterFirstBoot(run.logTag),
    `say "route=${route.id} ${run.description}; first boot: $(cloud-init status 2>/dev/null | tr -d '\\n')"`,
    `unit=${run.unit}-$(date +%s)-$$`,
    'script=$(mktemp) && trap \'rm -f "$script"\' EXIT',
    // Exactly the script's bytes (dd reads a pipe one byte at a time, never past them); anything after is a config payload.
    `dd bs=1 count=${INSTALL_SCRIPT_BYTES} status=none of="$script"`,
    `echo "${INSTALL_SCRIPT_SHA256}  $script" | sha256sum --check --status ||`,
    '  fail "step=receive outcome=failed: the install script arrived incomplete or altered"',
    `sudo install -D -m 0755 "$script" ${INSTALL_SCRIPT_PATH}`,
    ...(run.payload ? RECEIVE_CONFIG : []),
    "rc=0",
    [
      "sudo systemd-run",
      '--unit="$unit"',
      `--description="${run.description}"`,
      `--property=SyslogIdentifier=${INSTALL_SYSLOG_IDENTIFIER}`,
      "--wait --collect --quiet",
      ...setenv,
      INSTALL_SCRIPT_PATH,
      ...run.args,
      "|| rc=$?",
    ].join(" "),
    ...(run.payload ? ['sudo rm -rf "$stage"'] : []),
    "sudo journalctl --sync",
    'sudo journalctl --unit="$unit" --output=cat --no-pager',
    'exit "$rc"',
  ].join("\n");
}

/** Installs (`install`) or checks (`verify`) the route's target release. */
function releaseRun(route: Route, release: ReleaseSettings, mode: "install" | "verify", logTag: string): string {
  return remoteRun(route, {
    logTag,
    unit: `lantern-${mode}-${route.releaseTag.slice(1)}`,
    description: `lantern-box ${mode} ${route.releaseTag}`,
    env: installEnvironment(route, release),
    args: [mode, route.releaseTag],
    payload: false,
  });
}

/** Hot-swap: installs on a new tag or a new instance; otherwise re-verifies. */
export function hotSwapCommand(route: Route, release: ReleaseSettings): ReleaseCommand {
  return {
    create: releaseRun(route, release, "install", "lantern-hotswap"),
    update: releaseRun(route, release, "verify", "lantern-hotswap"),
    stdin: INSTALL_SCRIPT,
    triggers: [route.releaseTag],
  };
}

/** The check a `replace` route gets after its first boot: verifies, never installs. */
export function verifyCommand(route: Route, release: ReleaseSettings): ReleaseCommand {
  const verify = releaseRun(route, release, "verify", "lantern-verify");
  return { create: verify, update: verify, stdin: INSTALL_SCRIPT, triggers: [route.releaseTag] };
}

/**
 * The config push of a hot-swap route: the route's config.json, telemetry
 * env files and authorized keys, checked by the running release and applied
 * with a rollback (install-lantern-box.sh configure), which restarts
 * lantern-box. Its stdin is the install script followed by
 * configPayload(...). `create` pushes: on a new instance (once its release
 * is installed), and on new files, whose digest is the command's trigger
 * (release/index.ts configPush). `update` runs on any other change (an
 * edited install script, a new connection) and pushes nothing, so those
 * never restart the proxy.
 */
export function configPushCommand(route: Route): Pick<ReleaseCommand, "create" | "update"> {
  // Nothing here names the release or the soak window (the box keeps the last
  // install's), so a tag bump or a soak change does not re-run the push.
  const push = remoteRun(route, {
    logTag: "lantern-config",
    unit: "lantern-configure",
    description: "lantern-box configure",
    env: [],
    args: ["configure", '"$stage"'],
    payload: true,
  });
  const unchanged = ["set -eu", `echo "[lantern-config] route=${route.id} files unchanged: nothing pushed" >&2`].join("\n");
  return { create: push, update: unchanged };
}

/** The tag the install script verified (its last line is `verified=<tag>`). */
export function verifiedTagOf(stdout: string): string | undefined {
  const tag = /^verified=(\S+)$/m.exec(stdout)?.[1];
  return tag !== undefined && RELEASE_TAG.test(tag) ? tag : undefined;
}
