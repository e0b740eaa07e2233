/**
 * Turns a freshly booted stock VM into a base image, over SSH: copy the
 * recipe, run it (it waits for the builder's own cloud-init first), clean
 * for capture and power off. The same steps for every provider.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { REMOTE_RECIPE_DIR, RECIPE_DIR } from "./recipe";
import type { BaseImageArgs } from "./types";

/** The builder VM as the build steps reach it. */
export interface Builder {
  /** A new builder (for any reason) must be provisioned again. */
  readonly id: pulumi.Input<string>;
  readonly host: pulumi.Input<string>;
  /** The stock image's login with sudo: root on Linode and alicloud, ubuntu on OCI. */
  readonly user: string;
}

/**
 * Declares the build steps; the returned resource completes once the builder
 * is shutting down. A new image name (recipe change) re-runs every step.
 */
export function buildSteps(
  name: string,
  builder: Builder,
  imageName: string,
  args: Pick<BaseImageArgs, "parameters" | "builderKey">,
  opts: pulumi.CustomResourceOptions,
): pulumi.Resource {
  const triggers = [imageName, builder.id];
  const connection = { host: builder.host, user: builder.user, privateKey: args.builderKey.privateKeyOpenssh };
  const copy = new command.remote.CopyToRemote(
    `${name}-recipe`,
    { connection, source: new pulumi.asset.FileArchive(RECIPE_DIR), remotePath: REMOTE_RECIPE_DIR, triggers },
    opts,
  );
  // Values were validated by the config schema (https URLs without metacharacters).
  const env = `LANTERN_CA_CERT_URL=${args.parameters.caCertUrl} LANTERN_OTLP_ENDPOINT=${args.parameters.otlpEndpoint}`;
  const provision = new command.remote.Command(
    `${name}-provision`,
    { connection, create: `sudo env ${env} bash ${REMOTE_RECIPE_DIR}/provision.sh`, triggers },
    { ...opts, dependsOn: [copy] },
  );
  // One session: clean-for-capture removes every authorized key, so no later login would work.
  // The power-off is scheduled, so the session ends cleanly before the machine goes down.
  const cleanAndPowerOff = new command.remote.Command(
    `${name}-clean-poweroff`,
    {
      connection,
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
