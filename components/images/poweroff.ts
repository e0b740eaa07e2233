/**
 * Capture waits for the builder to be stopped as its provider reports it,
 * never for a fixed time. The guest powers itself off (clean-for-capture
 * removes every login key, so nothing could log in to do it later); right
 * before the engine creates the image, the image's hook polls the
 * provider's own view of the instance through the program's providers (the
 * same credentials and regions).
 *
 * Why not the instance's power input (Linode `booted = false`, alicloud
 * `status = "Stopped"`, OCI `state = "STOPPED"`): each provider applies it
 * right after creating the instance, before any build step could run
 * (linode/terraform-provider-linode linode/instance/resource.go: create with
 * booted=false leaves the Linode offline; aliyun/terraform-provider-alicloud
 * alicloud/resource_alicloud_instance.go: Create ends in Update, which stops
 * the instance when status is Stopped; oracle/terraform-provider-oci
 * internal/service/core/core_instance_resource.go: powerOffIfNeeded after
 * launch), and one resource cannot change twice in one `pulumi up`. Left
 * unset, the three are Optional+Computed in those schemas, so a refresh that
 * reads the powered-off builder produces no diff.
 */
import * as alicloud from "@pulumi/alicloud";
import * as linode from "@pulumi/linode";
import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import { stopOciInstance } from "../oci/api";

export interface PollOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly warn?: (message: string) => void;
}

/** A builder shuts down in well under a minute; ten minutes is a generous bound, polled every 10 s. */
export const POWER_OFF_POLL: PollOptions = { intervalMs: 10_000, timeoutMs: 600_000 };

/**
 * Stops the instance through the provider's API, once, when the guest's own
 * power-off has not shown up in its state `afterMs` into the wait and the
 * state still reads `from` (a stop is refused in other states: OCI answers
 * 409 IncorrectState).
 */
export interface StopThroughApi {
  readonly afterMs: number;
  readonly from: string;
  readonly stop: () => Promise<void>;
}

/**
 * Polls `read` until it returns `target`; throws naming `what` and the last
 * state at the deadline. With `fallback`, asks the API to stop the instance
 * once the guest has had `fallback.afterMs` to power itself off. A failed
 * stop is only warned about: the state may still come, and the deadline's
 * error says what the stop answered.
 */
export async function waitForState(
  what: string,
  target: string,
  read: () => Promise<string | undefined>,
  options: PollOptions = POWER_OFF_POLL,
  fallback?: StopThroughApi,
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const warn = options.warn ?? ((message: string) => void pulumi.log.warn(message));
  const start = now();
  const deadline = start + options.timeoutMs;
  let stopOutcome: string | undefined;
  for (;;) {
    const state = await read();
    if (state === target) return;
    if (now() >= deadline) {
      throw new Error(`${what}: not ${target} after ${options.timeoutMs / 1000} s (state: ${state ?? "not found"}${stopOutcome ? `; ${stopOutcome}` : ""})`);
    }
    if (fallback && stopOutcome === undefined && state === fallback.from && now() - start >= fallback.afterMs) {
      const after = `after ${(now() - start) / 1000} s`;
      try {
        await fallback.stop();
        stopOutcome = `a stop through the API was requested ${after}`;
      } catch (err) {
        stopOutcome = `the stop through the API ${after} failed: ${(err as Error).message}`;
        warn(`${what}: still ${state}; ${stopOutcome}`);
      }
    }
    await sleep(options.intervalMs);
  }
}

/** How one provider reports an instance's power state, and the state that means "stopped". */
export interface PowerState {
  readonly stopped: string;
  readonly read: (id: string) => Promise<string | undefined>;
  /** Where the provider may not record a power-off from inside the guest: its API's stop. */
  readonly stopThroughApi?: Omit<StopThroughApi, "stop"> & { readonly stop: (id: string) => Promise<void> };
}

/** Linode: `status` of linode.getInstances filtered by id (an API filter: linode/terraform-provider-linode linode/instance/datasource.go), "offline" once powered off. */
export const LINODE_POWER: PowerState = {
  stopped: "offline",
  read: async (id) => (await linode.getInstances({ filters: [{ name: "id", values: [id] }] })).instances[0]?.status,
};

/** alicloud: `status` of alicloud.ecs.getInstances by id, through the region's provider ("Stopped"). */
export function alicloudPower(provider: alicloud.Provider): PowerState {
  return { stopped: "Stopped", read: async (id) => (await alicloud.ecs.getInstances({ ids: [id] }, { provider })).instances[0]?.status };
}

/**
 * A guest that has been told to power off is down within seconds (the VM
 * test's builder: systemd's poweroff after clean-for-capture); three minutes
 * leave it ample time before OCI's hard stop is asked for.
 */
export const OCI_STOP_AFTER_MS = 180_000;

/**
 * OCI: `state` of oci.core.getInstance, through the region's provider
 * ("STOPPED"). Oracle's docs do not say the state follows a shutdown from
 * inside the guest, and say such a shutdown does not stop billing ("If you
 * shut down an instance this way, be sure to also stop it from the Console
 * or API": docs.oracle.com/en-us/iaas/Content/Compute/Tasks/restartinginstance.htm),
 * so a builder still RUNNING after OCI_STOP_AFTER_MS is stopped through
 * the API (components/oci/api.ts), which also ends its compute billing.
 */
export function ociPower(provider: oci.Provider, region: string): PowerState {
  return {
    stopped: "STOPPED",
    read: async (id) => (await oci.core.getInstance({ instanceId: id }, { provider })).state,
    stopThroughApi: { afterMs: OCI_STOP_AFTER_MS, from: "RUNNING", stop: (id) => stopOciInstance(region, id) },
  };
}

/**
 * The image's hooks: before the engine creates the image, wait until the
 * provider reports its builder stopped. The engine runs a beforeCreate hook
 * right before the create, a replacement's included, and never in a preview
 * (pulumi/pulumi pkg/resource/deploy/step.go, CreateStep.Apply: RunHooks
 * BeforeCreate; ResourceHookOptions.onDryRun, default false). An `up` that
 * keeps the image polls nothing, so a kept builder someone started holds no
 * later deploy up. `idInput` is the image input holding the builder's id
 * (the image also depends on the power-off step). A hook's name is unique
 * in the program (the engine refuses a second: resource_hooks.go).
 */
export function untilBuilderStopped(what: string, idInput: string, power: PowerState): pulumi.ResourceHookBinding {
  return { beforeCreate: [new pulumi.ResourceHook(`${what}-stopped`, builderStoppedWait(what, idInput, power))] };
}

/**
 * The hook's work: the builder's id from the image's new inputs, then
 * waitForState. The SDK hands a hook the inputs as the program registered
 * them, keyed by the SDK's property names, secrets as Outputs (@pulumi/pulumi
 * runtime/callbacks.ts, the resource hook handler: deserializeProperties of
 * the request's new inputs, then outputtifySecrets); a builder's id is plain.
 */
export function builderStoppedWait(what: string, idInput: string, power: PowerState, options = POWER_OFF_POLL): pulumi.ResourceHookFunction {
  const stop = power.stopThroughApi;
  return async ({ newInputs }) => {
    const id = String(newInputs?.[idInput]);
    await waitForState(what, power.stopped, () => power.read(id), options, stop && { ...stop, stop: () => stop.stop(id) });
  };
}
