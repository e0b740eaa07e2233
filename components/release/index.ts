/**
 * Brings each launched instance to its route's target tag and reports the
 * tag verified on it, per the provider's rollout strategy:
 *
 * - hotswap: `<route>-hotswap` installs the target over SSH (commands.ts);
 * - replace: the instance is replaced with user-data for the target, and
 *   `<route>-verify` checks the new instance over SSH before the old one is
 *   deleted.
 *
 * Both commands are replaced with their instance (strategy.ts
 * instanceBoundOptions), so a new instance always gets the full install or
 * check for the current target, also when the run that replaced it failed
 * before they ran.
 * With create-before-delete, the engine deletes a replaced instance only
 * after every create and update of the run has finished ("the delete step is
 * generated later on, after all creates/updates finish":
 * pkg/resource/deploy/step_generator.go in pulumi/pulumi), so a failed
 * verification fails `pulumi up` while the old instance still serves.
 */
import type * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { Route } from "../../stacks/config";
import { INSTALL_SCRIPT, type ReleaseSettings, type RouteFileName } from "../cloud-init/userdata";
import { sha256Hex } from "../naming";
import { remoteCommand } from "../ssh";
import { configPayload, configPushCommand, hotSwapCommand, verifiedTagOf, verifyCommand } from "./commands";
import { instanceBoundOptions } from "./strategy";
import type { WaveGate } from "./waves";

export { configPayload, configPushCommand, hotSwapCommand, verifiedTagOf, verifyCommand } from "./commands";
export { releaseSkew } from "./skew";
export { instanceOptions, routeInstanceOptions } from "./strategy";
export { WaveGate } from "./waves";

export interface RolloutArgs {
  readonly route: Route;
  /** The route's connection (components/ssh.ts routeConnection). */
  readonly connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
  /** The route's files for a config push (hot-swap routes), a Pulumi secret. */
  readonly configFiles: pulumi.Output<Record<RouteFileName, string>>;
  readonly release: ReleaseSettings;
}

/** The route's release command: `<route>-hotswap` or `<route>-verify`, per its rollout. */
export function releaseCommand(args: RolloutArgs, opts: pulumi.CustomResourceOptions): command.remote.Command {
  const { route, release } = args;
  const hotswap = route.rollout === "hotswap";
  const { create, update, stdin, triggers } = hotswap ? hotSwapCommand(route, release) : verifyCommand(route, release);
  return remoteCommand(
    `${route.id}-${hotswap ? "hotswap" : "verify"}`,
    { connection: args.connection, create, update, stdin, triggers },
    opts,
  );
}

/**
 * `<route>-config`: pushes a hot-swap route's files (commands.ts
 * configPushCommand). The files' digest is its trigger, so new files replace
 * it and the push runs again; a new instance gets it after its release is
 * installed.
 */
export function configPush(args: RolloutArgs, opts: pulumi.CustomResourceOptions): command.remote.Command {
  const { create, update } = configPushCommand(args.route);
  // Secrets, as the route's files are (a digest of secrets stays one).
  const stdin = args.configFiles.apply((files) => INSTALL_SCRIPT + configPayload(files));
  const triggers = args.configFiles.apply((files) => [sha256Hex(configPayload(files))]);
  // The SDK's own replaceOnChanges, `triggers[*]`, does not cover a change the engine reports as the
  // whole secret `triggers` (pulumi/pulumi sdk/go/common/resource/properties_path.go, Contains): said here.
  return remoteCommand(`${args.route.id}-config`, { connection: args.connection, create, update, stdin, triggers }, { ...opts, replaceOnChanges: ["triggers"] });
}

/**
 * Declares the route's release command after its instance and after the
 * previous release wave (waves.ts), and for a hot-swap route its config push
 * after the release; returns the tag it verified ("unverified" when none)
 * and its last command, which whatever else the route's wave runs follows.
 */
export function rollOut(
  args: RolloutArgs,
  instance: pulumi.CustomResource,
  waves: WaveGate,
  parent: pulumi.Resource,
): { verifiedTag: pulumi.Output<string>; last: command.remote.Command } {
  const bound = instanceBoundOptions(instance);
  const run = releaseCommand(args, { parent, dependsOn: [instance, ...waves.previous(args.route)], ...bound });
  const last = args.route.rollout === "hotswap" ? configPush(args, { parent, dependsOn: [run], ...bound }) : run;
  return { verifiedTag: run.stdout.apply((stdout) => verifiedTagOf(stdout) ?? "unverified"), last };
}
