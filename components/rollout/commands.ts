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
 * printed back, so `pulumi up` shows the install's own log.
 */
import { createHash } from "node:crypto";
import type { Route } from "../../stacks/config";
import { INSTALL_SCRIPT, INSTALL_SCRIPT_PATH, installEnvironment, type ReleaseSettings } from "../cloud-init/userdata";

/** Bounded wait for first boot to have finished (successfully or not) before touching the release. */
const WAIT_FOR_FIRST_BOOT =
  "timeout 900 sh -c 'until [ -f /var/lib/cloud/instance/boot-finished ]; do sleep 5; done' " +
  "|| { echo \"$log FAILED: step=wait: first boot did not finish within 15 minutes\" >&2; exit 1; }";

const INSTALL_SCRIPT_SHA256 = createHash("sha256").update(INSTALL_SCRIPT).digest("hex");

export type ReleaseMode = "install" | "verify";

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

/**
 * The text run over SSH for one mode. Every value here was validated by the
 * config schema (tags, URLs, route ids), so nothing needs quoting.
 */
export function remoteReleaseRun(route: Route, release: ReleaseSettings, mode: ReleaseMode, logTag: string): string {
  const setenv = installEnvironment(route, release).map((e) => `--setenv=${e}`).join(" ");
  return [
    "set -eu",
    `log='[${logTag}]'`,
    WAIT_FOR_FIRST_BOOT,
    `echo "$log route=${route.id} target=${route.releaseTag} first boot: $(cloud-init status 2>/dev/null | tr -d '\\n')" >&2`,
    'script=$(mktemp) && trap \'rm -f "$script"\' EXIT',
    'cat >"$script"',
    `echo "${INSTALL_SCRIPT_SHA256}  $script" | sha256sum --check --status ||`,
    '  { echo "$log FAILED: step=receive: the install script arrived incomplete or altered" >&2; exit 1; }',
    `sudo install -D -m 0755 "$script" ${INSTALL_SCRIPT_PATH}`,
    `unit=lantern-${mode}-${route.releaseTag.slice(1)}-$(date +%s)-$$`,
    "rc=0",
    `sudo systemd-run --unit="$unit" --description="lantern-box ${mode} ${route.releaseTag}" --wait --collect --quiet ${setenv} ${INSTALL_SCRIPT_PATH} ${mode} ${route.releaseTag} || rc=$?`,
    "sudo journalctl --sync",
    'sudo journalctl --unit="$unit" --output=cat --no-pager',
    'exit "$rc"',
  ].join("\n");
}

/** Hot-swap: installs on a new tag or a new instance; otherwise re-verifies. */
export function hotSwapCommand(route: Route, release: ReleaseSettings): ReleaseCommand {
  return {
    create: remoteReleaseRun(route, release, "install", "lantern-hotswap"),
    update: remoteReleaseRun(route, release, "verify", "lantern-hotswap"),
    stdin: INSTALL_SCRIPT,
    triggers: [route.releaseTag],
  };
}

/** The check a `replace` route gets after its first boot: verifies, never installs. */
export function verifyCommand(route: Route, release: ReleaseSettings): ReleaseCommand {
  const verify = remoteReleaseRun(route, release, "verify", "lantern-verify");
  return { create: verify, update: verify, stdin: INSTALL_SCRIPT, triggers: [route.releaseTag] };
}

/** The tag the install script verified (its last line is `verified=<tag>`). */
export function verifiedTagOf(stdout: string): string | undefined {
  return /^verified=(v\d+\.\d+\.\d+)$/m.exec(stdout)?.[1];
}
