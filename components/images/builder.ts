/**
 * Turns a freshly booted stock VM into a base image, over SSH: copy the
 * recipe, run it (it waits for the builder's own cloud-init first), clean
 * for capture and power off. The same steps for every provider.
 *
 * The steps are `command` resources and take the default `command`
 * provider: only their parent is passed. A cloud provider given to them
 * would be sent their registrations (the engine uses a resource's provider
 * reference as given) and fail with "unrecognized resource type"; the
 * offline plan refuses that (plan/run.ts).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { remoteCommand, remoteCommandInputs, sshConnection } from "../ssh";
import { RECIPE_DIR, REMOTE_BUILD_DIR, REMOTE_RECIPE_DIR } from "./recipe";
import type { BaseImageArgs } from "./types";

/** The builder VM as the build steps reach it. */
export interface Builder {
  /** A new builder (for any reason) must be provisioned again. */
  readonly id: pulumi.Input<string>;
  readonly host: pulumi.Input<string>;
  /** The stock image's login with sudo: root on Linode and alicloud, ubuntu on OCI. */
  readonly user: string;
  /** The host key the builder's user-data installed. */
  readonly hostKey: pulumi.Input<string>;
}

/** The recipe's parameters as `env` assignments; the config schema allows only https URLs without metacharacters. */
export function recipeEnvironment(parameters: BaseImageArgs["parameters"]): string {
  return `LANTERN_CA_CERT_URL=${parameters.caCertUrl} LANTERN_OTLP_ENDPOINT=${parameters.otlpEndpoint}`;
}

/**
 * A build step runs once per builder and image name, its `triggers`: after
 * the last step the builder has no authorized key and is off, so nothing can
 * reach it again. Any other change to a step (its text, its connection's
 * dial settings, a new remote path) would be an update, which for a command
 * without `update` runs `create` again, and for a copy to a new remotePath
 * copies again (pulumi/pulumi-command v1.2.1, provider/pkg/provider/remote/
 * commandController.go and copyController.go, Update): it would dial the
 * powered-off builder until the dial budget ran out, on every `pulumi up`.
 * So a step ignores changes to everything but its triggers, and the next
 * build runs the new text: a replacement creates from the program's inputs,
 * ignored ones included (pulumi/pulumi pkg/resource/deploy/step_generator.go,
 * "recompute the default values").
 */
function builtOnce(inputs: object): Pick<pulumi.CustomResourceOptions, "ignoreChanges"> {
  return { ignoreChanges: Object.keys(inputs).filter((input) => input !== "triggers") };
}

/**
 * Declares the build steps and returns the last one, which completes once the
 * guest has scheduled its power-off. A new image name or builder re-runs every step.
 */
export function buildSteps(
  name: string,
  builder: Builder,
  imageName: string,
  args: Pick<BaseImageArgs, "parameters" | "builderKey">,
  parent: pulumi.Resource,
): command.remote.Command {
  const triggers = [imageName, builder.id];
  const connection = sshConnection({ host: builder.host, user: builder.user, privateKey: args.builderKey.privateKeyOpenssh, hostKey: builder.hostKey });
  // No trailing slash: the folder lands as REMOTE_RECIPE_DIR (copiedDirectory).
  const recipe = { connection, source: new pulumi.asset.FileArchive(RECIPE_DIR), remotePath: REMOTE_BUILD_DIR, triggers };
  const copy = new command.remote.CopyToRemote(`${name}-recipe`, recipe, { parent, ...builtOnce(recipe) });
  const provisionArgs = { connection, create: `sudo env ${recipeEnvironment(args.parameters)} bash ${REMOTE_RECIPE_DIR}/provision.sh`, triggers };
  const provision = remoteCommand(`${name}-provision`, provisionArgs, { parent, dependsOn: [copy], ...builtOnce(remoteCommandInputs(provisionArgs)) });
  // One session: clean-for-capture removes every authorized key, so no later login would work.
  // The power-off is scheduled, so the session ends cleanly before the machine goes down;
  // capture then waits for the provider to report the builder stopped (poweroff.ts).
  const cleanArgs = {
    connection,
    create: `sudo bash ${REMOTE_RECIPE_DIR}/clean-for-capture.sh && sudo systemd-run --on-active=5 /bin/systemctl poweroff`,
    triggers,
  };
  return remoteCommand(`${name}-clean-poweroff`, cleanArgs, { parent, dependsOn: [provision], ...builtOnce(remoteCommandInputs(cleanArgs)) });
}
