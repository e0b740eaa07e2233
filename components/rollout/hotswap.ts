/**
 * Hot-swap: install a route's target release over SSH on the running
 * instance, with the same install script first boot runs, and report the
 * version it verified. The install runs exactly when the target tag changes
 * (the tag is the command's replacement trigger); any other change to the
 * command (a new install script, a new host) only re-checks the installed
 * version. Rolling back is the same operation to an older tag.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { Route } from "../../stacks/config";
import { INSTALL_SCRIPT, installEnvironment, MANAGEMENT_USER } from "../cloud-init/userdata";

/** Bounded wait for first boot to have finished (successfully or not) before installing. */
const WAIT_FOR_FIRST_BOOT =
  "timeout 900 sh -c 'until [ -f /var/lib/cloud/instance/boot-finished ]; do sleep 5; done' " +
  "|| { echo '[lantern-hotswap] FAILED: first boot did not finish within 15 minutes' >&2; exit 1; }";

export interface HotSwapCommand {
  /** Installs: the install script arrives on stdin, the tag and environment on the command line. */
  readonly create: string;
  /** Checks only: the installed version is the target, without reinstalling. */
  readonly update: string;
  readonly stdin: string;
  /** A new target tag replaces the command, so `create` (the install) runs again. */
  readonly triggers: string[];
}

/** The hot-swap's command texts. Every value here was validated by the config schema, so nothing needs quoting. */
export function hotSwapCommand(route: Route, releaseBaseUrl: string): HotSwapCommand {
  const env = installEnvironment(route, releaseBaseUrl).join(" ");
  const version = route.releaseTag.slice(1);
  return {
    create: [
      "set -eu",
      WAIT_FOR_FIRST_BOOT,
      `echo "[lantern-hotswap] target=${route.releaseTag} route=${route.id}" >&2`,
      `sudo env ${env} bash -s -- ${route.releaseTag}`,
    ].join("\n"),
    update: [
      "set -eu",
      WAIT_FOR_FIRST_BOOT,
      "installed=$(dpkg-query --show --showformat='${Version}' lantern-box)",
      `[ "$installed" = ${version} ] || { echo "[lantern-hotswap] FAILED: installed $installed, target ${version}" >&2; exit 1; }`,
      `echo verified=${route.releaseTag}`,
    ].join("\n"),
    stdin: INSTALL_SCRIPT,
    triggers: [route.releaseTag],
  };
}

/** The tag the install script reported (its last line is `verified=<tag>`). */
export function verifiedTagOf(stdout: string): string | undefined {
  return /^verified=(v\d+\.\d+\.\d+)$/m.exec(stdout)?.[1];
}

export interface HotSwapArgs {
  readonly route: Route;
  readonly releaseBaseUrl: string;
  readonly host: pulumi.Input<string>;
  /** The instance's own host key (injected by user-data), pinned for the connection. */
  readonly hostPublicKey: pulumi.Input<string>;
  /** The program's management key (secret). */
  readonly managementPrivateKey: pulumi.Input<string>;
}

/** Declares the hot-swap command for one route; returns the verified tag. */
export function hotSwap(args: HotSwapArgs, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  const { create, update, stdin, triggers } = hotSwapCommand(args.route, args.releaseBaseUrl);
  const swap = new command.remote.Command(
    `${args.route.id}-hotswap`,
    {
      connection: { host: args.host, user: MANAGEMENT_USER, privateKey: args.managementPrivateKey, hostKey: args.hostPublicKey },
      create,
      update,
      stdin,
      triggers,
    },
    opts,
  );
  return swap.stdout.apply((stdout) => verifiedTagOf(stdout) ?? "unverified");
}
