/**
 * Tailscale: each new instance of a route joins the tailnet over SSH
 * (`<route>-tailnet`) with its own one-off auth key (`<route>-tailscale-key`),
 * created by the program through an OAuth client just after the instance,
 * and replaced with it. The key never enters user-data, which is rendered
 * before the instance exists and which instance metadata serves for the
 * life of the instance; it travels on the command's stdin and the
 * tailscale CLI reads it from there, so it is never written to the route's
 * disk.
 *
 * Resource and provider facts, from tailscale/terraform-provider-tailscale
 * v0.29.2 (bundled by @pulumi/tailscale 0.29.1: provider/go.mod of
 * pulumi/pulumi-tailscale), tailscale/resource_tailnet_key.go:
 * - reusable, ephemeral, tags, preauthorized, expiry and description are
 *   RequiresReplace (a change is a new key); recreate_if_invalid and
 *   user_id change in place;
 * - `key` is Sensitive (a secret output: schema.json `"secret": true`, the
 *   SDK's additionalSecretOutputs ["key"]) and only Create returns it;
 * - a used or expired single-use key reads back `invalid` (also when the API
 *   no longer finds it: Read sets invalid instead of dropping it, v0.29.2);
 *   ModifyPlan replaces an invalid key only when shouldRecreateIfInvalid says
 *   so: always with "always", never with "never", and when unset only if the
 *   key is reusable. The program says "never" outright, so a used key is
 *   never replaced whatever the other settings.
 */
import type * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import type { Route } from "../../stacks/config";
import { afterFirstBoot, shippedLog } from "../release/commands";
import { instanceBoundOptions } from "../release/strategy";
import { remoteCommand } from "../ssh";

/** What a route's key is, from the validated config (stacks/config.ts tailscaleKeyConfigOf). */
export interface TailnetKeySettings {
  readonly tags: readonly string[];
  readonly expirySeconds: number;
}

/**
 * A route's key: single-use (`reusable: false`), pre-approved (no admin
 * approval step for an unattended first boot), tagged (a key made by an
 * OAuth client must tag its nodes: tailscale.com/kb/1215/oauth-clients),
 * short-lived. Not ephemeral: an ephemeral node is removed from the tailnet
 * soon after it goes offline (tailscale.com/kb/1111/ephemeral-nodes), and a
 * route is a long-lived server that reboots and has outages without a new
 * key to rejoin with.
 */
export function tailnetKeyArgs(settings: TailnetKeySettings): tailscale.TailnetKeyArgs {
  return {
    reusable: false,
    ephemeral: false,
    preauthorized: true,
    tags: [...settings.tags],
    expiry: settings.expirySeconds,
    recreateIfInvalid: "never",
  };
}

/** What every route's join needs: the key settings, the control server, the OAuth-client provider. */
export interface Tailnet {
  readonly key: TailnetKeySettings;
  /** Validated https URL (stacks/config.ts `tailscale.loginServer`). */
  readonly loginServer: string;
  readonly provider: tailscale.Provider;
}

/** The texts `<route>-tailnet` runs over SSH: `create` joins; `update` (a new key, the same instance) does not. */
export interface TailnetJoinCommand {
  readonly create: string;
  readonly update: string;
}

/**
 * `create` waits for first boot to finish (tailscaled runs from the image),
 * then `tailscale up` reads the key from stdin: `--auth-key=file:<path>` is
 * read with os.ReadFile (resolveValueFromFile in cmd/tailscale/cli/up.go,
 * tailscale/tailscale), and `/dev/stdin` is the command's stdin through
 * sudo. Every value here was validated by the config schema (route ids,
 * the https login server), so nothing needs quoting.
 *
 * `--netfilter-mode=off`: tailscaled's default firewall rules drop every
 * packet from 100.64.0.0/10 that does not arrive on tailscale0
 * (wgengine/router/osrouter/router_linux.go, CGNATModeDrop;
 * util/linuxfw iptables_runner.go, buildExternalCGNATRules), and Alibaba
 * Cloud serves its DNS, apt mirror and metadata from that range: the
 * replies would be dropped and the route would lose name resolution
 * (tailscale/tailscale#7472, #10237, #21249). A route's inbound is its
 * cloud firewall's on every provider (README "Base images").
 *
 * `--accept-dns=false`: a route resolves nothing in the tailnet, and the
 * proxy's sockets may not reach it at all (image/metadata-block.nft drops
 * what lantern-box.service sends out of tailscale0); tailscaled would
 * otherwise send tailnet names to its resolver at 100.100.100.100
 * (`accept-dns` defaults to true: cmd/tailscale/cli/up.go).
 *
 * `update` runs when the connection or these texts change while the
 * instance stays: the node joined when its instance was new and keeps its
 * node key, so it does not join again; it only makes sure tailscaled's
 * firewall rules and its DNS are off (`tailscale set` takes both flags:
 * cmd/tailscale/cli/set.go), for a node that joined before them. (A new
 * key comes only with a new instance, which replaces the join too: see
 * joinTailnet.)
 */
export function tailnetJoinCommand(route: Route, loginServer: string): TailnetJoinCommand {
  const logTag = "lantern-tailnet";
  return {
    create: [
      ...afterFirstBoot(logTag),
      `say "route=${route.id} step=join outcome=started login-server=${loginServer}"`,
      `sudo tailscale up --auth-key=file:/dev/stdin --login-server=${loginServer} --hostname=${route.id} --netfilter-mode=off --accept-dns=false --timeout=300s ||`,
      '  fail "step=join outcome=failed: tailscale up exited $?"',
      `say "route=${route.id} step=join outcome=ok"`,
    ].join("\n"),
    update: [
      "set -eu",
      shippedLog(logTag),
      `say "route=${route.id} step=join outcome=skipped: joined when its instance was new"`,
      'sudo tailscale set --netfilter-mode=off --accept-dns=false || fail "step=set outcome=failed: tailscale set exited $?"',
    ].join("\n"),
  };
}

/**
 * Declares the route's key and its join, after the instance and replaced
 * with it (components/release instanceBoundOptions), the join after the
 * route's release too (its wave's last), so every new instance,
 * whatever replaced it, joins with a new, unused key made moments before,
 * also when the run that replaced the instance failed before the key (a key
 * it made is kept, and the next run's join uses it while it is valid). The key is its command's stdin: a Pulumi secret
 * (the provider's `key` output is Sensitive), never in a command text.
 *
 * New key settings (tags, expiry) are for the next new instance: a key
 * ignores changes to them, so a settings change makes no key that no join
 * would spend, and sends none to a running route on the join's stdin. The
 * next replacement creates its key from the program's inputs, ignored ones
 * included (pulumi/pulumi pkg/resource/deploy/step_generator.go: a
 * replacement, also one by replaceWith or `--replace`, Checks the goal's
 * properties again, "recompute the default values").
 */
export function joinTailnet(
  route: Route,
  tailnet: Tailnet,
  connection: pulumi.Input<command.types.input.remote.ConnectionArgs>,
  instance: pulumi.CustomResource,
  afterRelease: pulumi.Resource,
  parent: pulumi.Resource,
): command.remote.Command {
  const bound = instanceBoundOptions(instance);
  const key = new tailscale.TailnetKey(`${route.id}-tailscale-key`, tailnetKeyArgs(tailnet.key), {
    provider: tailnet.provider,
    parent,
    dependsOn: [instance],
    ...bound,
    ignoreChanges: ["tags", "expiry"],
  });
  const { create, update } = tailnetJoinCommand(route, tailnet.loginServer);
  return remoteCommand(
    `${route.id}-tailnet`,
    { connection, create, update, stdin: pulumi.secret(key.key) },
    // Its inputs order it after the instance and the key (the host, stdin); it also waits for the
    // route's release, so it runs in its route's wave (components/release/waves.ts).
    { parent, dependsOn: [afterRelease], ...bound },
  );
}

/**
 * The stack's one Tailscale provider: an OAuth client's credentials (the
 * secret stays a Pulumi secret), asking only for the `auth_keys` scope
 * (tailscale.com/kb/1623/trust-credentials#scopes), the least that creates
 * keys. Explicit, not the default provider: its credentials are program
 * config (the secret in SECRET_KEYS), validated with the rest of the config
 * before anything is declared, like every other secret of the stack.
 */
export function tailscaleProvider(oauthClientId: string, oauthClientSecret: pulumi.Input<string>): tailscale.Provider {
  return new tailscale.Provider("tailscale", { oauthClientId, oauthClientSecret: pulumi.secret(oauthClientSecret), scopes: ["auth_keys"] });
}
