/**
 * First-boot cloud-init user-data for one route: a pure function of the
 * validated config, emitted with a YAML library. Every value placed here was
 * matched strictly by the config schema, so nothing is escaped by hand.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { FleetConfig, Route } from "../../stacks/config";

/** The shared download-verify-install-check step (first boot and hot-swap). */
export const INSTALL_SCRIPT = readFileSync(path.join(__dirname, "install-lantern-box.sh"), "utf8");
export const INSTALL_SCRIPT_PATH = "/usr/local/lib/lantern/install-lantern-box.sh";
export const MANAGEMENT_USER = "lantern";

const TAILSCALE_AUTHKEY_PATH = "/run/lantern/tailscale-authkey";
const LOG_TAG = "[lantern-firstboot]";

export interface UserDataInput {
  readonly route: Route;
  readonly stack: string;
  readonly config: Pick<FleetConfig, "releaseBaseUrl" | "otel" | "tailscale" | "sshPublicKeys">;
  /** Secret values, plain here: the caller keeps the result a Pulumi secret. */
  readonly secrets: { readonly tailscaleAuthKey: string; readonly routeConfig: string };
  readonly keys: RouteKeys;
}

/** Keys the program generates per route (OpenSSH format). */
export interface RouteKeys {
  /** The program's own management key, used by hot-swap commands. */
  readonly managementPublicKey: string;
  /** The instance's SSH host key, injected so connections can pin it. */
  readonly hostPrivateKey: string;
  readonly hostPublicKey: string;
}

/** Environment for the install script: where releases live and the pinned hash, if any. */
export function installEnvironment(route: Route, releaseBaseUrl: string): string[] {
  return [
    `LANTERN_RELEASE_BASE_URL=${releaseBaseUrl}`,
    ...(route.debSha256 ? [`LANTERN_DEB_SHA256=${route.debSha256}`] : []),
  ];
}

/** OTel resource attributes that tag this route's telemetry. */
export function otelEnvFile(input: Pick<UserDataInput, "route" | "stack" | "config">): string {
  const { route, stack, config } = input;
  const attributes = [
    `service.name=${config.otel.serviceName}`,
    `route.id=${route.id}`,
    `deployment.environment=${stack}`,
    `cloud.provider=${route.provider}`,
    `cloud.region=${route.region}`,
    `lantern.track=${route.track}`,
  ].join(",");
  return [
    `OTEL_SERVICE_NAME=${config.otel.serviceName}`,
    `OTEL_RESOURCE_ATTRIBUTES=${attributes}`,
    `OTEL_EXPORTER_OTLP_ENDPOINT=${config.otel.endpoint}`,
    "",
  ].join("\n");
}

/** The collector's env file: the image's endpoint variable plus the route's attributes. */
export function collectorEnvFile(input: Pick<UserDataInput, "route" | "stack" | "config">): string {
  return [`LANTERN_OTLP_ENDPOINT=${input.config.otel.endpoint}`, otelEnvFile(input)].join("\n");
}

function step(name: string): string[] {
  return ["echo", `${LOG_TAG} step=${name}`];
}

/** Renders the `#cloud-config` document for one route. */
export function renderUserData(input: UserDataInput): string {
  const { route, config, secrets } = input;
  const otelEnv = otelEnvFile(input);
  const document = {
    hostname: route.id,
    manage_etc_hosts: true,
    locale: "C.UTF-8",
    // The image creates the management user; this adds the route's keys to it.
    users: [{ name: MANAGEMENT_USER, ssh_authorized_keys: [...config.sshPublicKeys, input.keys.managementPublicKey] }],
    ssh_pwauth: false,
    // The only host key is the one the program generated, so SSH clients can pin it:
    // cloud-init generates only missing types of this list, and ed25519 is given.
    ssh_keys: { ed25519_private: input.keys.hostPrivateKey, ed25519_public: input.keys.hostPublicKey },
    ssh_genkeytypes: ["ed25519"],
    write_files: [
      { path: "/etc/lantern-box/otel.env", permissions: "0600", owner: "root:root", content: otelEnv },
      { path: "/etc/otelcol-contrib/otelcol.env", permissions: "0600", owner: "root:root", content: collectorEnvFile(input) },
      { path: "/etc/lantern-box/config.json", permissions: "0600", owner: "root:root", content: secrets.routeConfig },
      { path: TAILSCALE_AUTHKEY_PATH, permissions: "0600", owner: "root:root", content: secrets.tailscaleAuthKey },
      { path: INSTALL_SCRIPT_PATH, permissions: "0755", owner: "root:root", content: INSTALL_SCRIPT },
    ],
    // One shell script: `set -e` makes the first failing step fail cloud-init (status: error).
    runcmd: [
      "set -eu",
      step("otel"),
      ["systemctl", "restart", "otelcol-contrib.service"],
      step("tailscale"),
      [
        "tailscale",
        "up",
        `--auth-key=file:${TAILSCALE_AUTHKEY_PATH}`,
        `--login-server=${config.tailscale.loginServer}`,
        `--hostname=${route.id}`,
        "--timeout=300s",
      ],
      ["rm", "-f", TAILSCALE_AUTHKEY_PATH],
      step(`install tag=${route.releaseTag}`),
      ["env", ...installEnvironment(route, config.releaseBaseUrl), INSTALL_SCRIPT_PATH, route.releaseTag],
      step("done"),
    ],
  };
  return `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
}
