/**
 * The one SSH connection shape of every `@pulumi/command` remote resource
 * the program declares (image builders, hot-swaps), and the one way it
 * declares a remote command (remoteCommand): the host key is always pinned,
 * and the dial budget is sized for a VM that has just been created.
 *
 * Facts from pulumi/pulumi-command, provider/pkg/provider/remote/connection.go:
 * - `hostKey` unset means `ssh.InsecureIgnoreHostKey()` (any key is accepted);
 *   set, it is `ssh.FixedHostKey` and the only host key algorithm offered.
 * - `dialErrorLimit` (default 10) is how many failed dials are retried: the
 *   dial fails for good once `dials > dialErrorLimit`, so limit + 1 attempts.
 * - `perDialTimeout` (default 15 s) is `ssh.ClientConfig.Timeout`, the TCP
 *   connect time limit of one attempt (golang.org/x/crypto/ssh, `Dial`).
 * - Between attempts, `dialWithRetry` uses pulumi/pulumi's `retry.Until`
 *   (sdk/go/common/util/retry/until.go): 100 ms, times 1.5 each try, at most 5 s.
 *
 * The defaults give a fresh VM about 11 s of refused connections (10 waits),
 * less than a cloud VM takes from "instance running" to sshd. What a fresh
 * VM needs: between the provider reporting the instance created and sshd
 * answering, the guest boots and cloud-init writes the injected host key
 * (before ssh.service starts). While the guest network is not up, SYNs are
 * dropped and each dial costs its whole timeout; once the kernel is up but
 * sshd is not, dials are refused at once. 40 retries with a 10 s connect
 * limit allow about 9.5 minutes when every dial times out and about 2.7
 * minutes of refused dials (dialBudgetSeconds), several times what a cloud
 * VM takes to boot, and still a bounded failure for a host that never comes.
 */
import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { MANAGEMENT_USER } from "./cloud-init/userdata";
import { combine } from "./outputs";

/** The dial settings of every connection to a VM the program may just have created. */
export const FRESH_VM_DIAL = { dialErrorLimit: 40, perDialTimeout: 10 } as const;

/** retry.Until's schedule, as pulumi-command's dialWithRetry uses it. */
const RETRY = { firstDelay: 0.1, backoff: 1.5, maxDelay: 5 } as const;

/**
 * Seconds a connection keeps dialing before it fails: `refused` when every
 * dial fails at once, `timeout` when every dial waits its whole perDialTimeout.
 */
export function dialBudgetSeconds(dial: { dialErrorLimit: number; perDialTimeout: number }, mode: "refused" | "timeout"): number {
  let waits = 0;
  for (let k = 0; k < dial.dialErrorLimit; k++) waits += Math.min(RETRY.firstDelay * RETRY.backoff ** k, RETRY.maxDelay);
  const attempts = dial.dialErrorLimit + 1;
  return waits + (mode === "timeout" ? attempts * dial.perDialTimeout : 0);
}

export interface SshEndpoint {
  readonly host: pulumi.Input<string>;
  readonly user: string;
  /** A Pulumi secret. */
  readonly privateKey: pulumi.Input<string>;
  /** The host's own public key (OpenSSH line), injected by its user-data. */
  readonly hostKey: pulumi.Input<string>;
}

/** The connection of a remote command or copy: pinned host key, fresh-VM dial budget. */
export function sshConnection(endpoint: SshEndpoint): command.types.input.remote.ConnectionArgs {
  return { ...endpoint, ...FRESH_VM_DIAL };
}

/** A route as the program's commands reach it (releases, config pushes, the tailnet join). */
export interface RouteEndpoint {
  readonly host: pulumi.Output<string>;
  /** The instance's own host key (injected by its user-data), pinned for the connection. */
  readonly hostPublicKey: pulumi.Output<string>;
  /** The program's management key (secret). */
  readonly managementPrivateKey: pulumi.Output<string>;
}

/**
 * The management user's connection to a route, pinned to the route's own
 * host key: one Output (a secret, as the key is), made once per route and
 * given to each of its commands (components/outputs.ts says why).
 */
export function routeConnection(route: RouteEndpoint): pulumi.Output<command.types.input.remote.ConnectionArgs> {
  // The secret first, as combine asks; a preview knows the key before the address.
  return combine([route.managementPrivateKey, route.hostPublicKey, route.host] as const, ([privateKey, hostKey, host]) =>
    sshConnection({ host, user: MANAGEMENT_USER, privateKey, hostKey }),
  );
}

/**
 * Every remote command the program runs. `addPreviousOutputInEnv` off: by
 * default the provider sends a command's previous stdout and stderr as
 * PULUMI_COMMAND_STDOUT/_STDERR over SSH on every update and delete, and
 * warns when the server refuses them (pulumi/pulumi-command v1.2.1,
 * provider/pkg/provider/remote/commandOutputs.go); sshd refuses any
 * variable its AcceptEnv does not name (Debian's and Ubuntu's sshd_config
 * names LANG and LC_*: openssh debian/patches/debian-config.patch), and no
 * script here reads them.
 */
export function remoteCommand(name: string, args: command.remote.CommandArgs, opts?: pulumi.CustomResourceOptions): command.remote.Command {
  return new command.remote.Command(name, remoteCommandInputs(args), opts);
}

/** Every input a remote command is declared with: its own and the wrapper's. */
export function remoteCommandInputs(args: command.remote.CommandArgs): command.remote.CommandArgs {
  return { ...args, addPreviousOutputInEnv: false };
}
