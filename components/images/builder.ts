/**
 * Turns a freshly booted stock VM into a base image, over SSH: copy the
 * recipe, run it (it waits for the builder's own cloud-init first), clean
 * for capture and power off. The same steps for every provider.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { REMOTE_RECIPE_DIR, RECIPE_DIR } from "./recipe";

export interface RecipeParameters {
  readonly caCertUrl: string;
  readonly otlpEndpoint: string;
}

export interface BuildStepsArgs {
  readonly connection: command.types.input.remote.ConnectionArgs;
  readonly parameters: RecipeParameters;
  /** Names the image being built; a new name re-runs every step. */
  readonly imageName: pulumi.Input<string>;
  /** A new builder (for any reason) must be provisioned again. */
  readonly builderId: pulumi.Input<string>;
}

/** Declares the build steps; the returned resource completes once the builder is shutting down. */
export function buildSteps(name: string, args: BuildStepsArgs, opts: pulumi.CustomResourceOptions): pulumi.Resource {
  const triggers = [args.imageName, args.builderId];
  const copy = new command.remote.CopyToRemote(
    `${name}-recipe`,
    { connection: args.connection, source: new pulumi.asset.FileArchive(RECIPE_DIR), remotePath: REMOTE_RECIPE_DIR, triggers },
    opts,
  );
  // Values were validated by the config schema (https URLs without metacharacters).
  const env = `LANTERN_CA_CERT_URL=${args.parameters.caCertUrl} LANTERN_OTLP_ENDPOINT=${args.parameters.otlpEndpoint}`;
  const provision = new command.remote.Command(
    `${name}-provision`,
    { connection: args.connection, create: `sudo env ${env} bash ${REMOTE_RECIPE_DIR}/provision.sh`, triggers },
    { ...opts, dependsOn: [copy] },
  );
  // One session: clean-for-capture removes every authorized key, so no later login would work.
  // The power-off is scheduled, so the session ends cleanly before the machine goes down.
  const cleanAndPowerOff = new command.remote.Command(
    `${name}-clean-poweroff`,
    {
      connection: args.connection,
      create: `sudo bash ${REMOTE_RECIPE_DIR}/clean-for-capture.sh && sudo systemd-run --on-active=5 /bin/systemctl poweroff`,
      triggers,
    },
    { ...opts, dependsOn: [provision] },
  );
  // Capture only after the power-off has happened (bounded wait on the Pulumi side).
  return new command.local.Command(
    `${name}-wait-poweroff`,
    { create: "sleep 60", triggers },
    { ...opts, dependsOn: [cleanAndPowerOff] },
  );
}
