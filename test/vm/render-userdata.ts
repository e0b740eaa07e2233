/**
 * Renders one route's first-boot user-data with the project's real config
 * parser and renderer, for the VM test.
 *
 *   ts-node test/vm/render-userdata.ts --config-file <stack.yaml> [--route <id>] [--stack e2e] [--keys-dir <dir>] [--hotswap]
 *
 * With --hotswap it prints instead the command text the route's hot-swap
 * resource runs on create (its stdin is components/cloud-init/install-lantern-box.sh);
 * with --hotswap-check, the text it runs on update (a version check).
 *
 * Secrets are test values from the environment (LANTERN_E2E_TAILSCALE_AUTH_KEY,
 * LANTERN_E2E_ROUTE_CONFIG). The keys the program would generate come from
 * <keys-dir> (default .cache/vm/keys), created with ssh-keygen when absent:
 * host_ed25519 (injected host key, to pin) and management_ed25519 (hot-swap login).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { renderUserData } from "../../components/cloud-init";
import { hotSwapCommand } from "../../components/rollout";
import { fleetConfigOfStackFile } from "../../plan/stack-file";
import { routesOf } from "../../stacks/config";

const { values } = parseArgs({
  options: {
    "config-file": { type: "string" },
    route: { type: "string" },
    stack: { type: "string", default: "e2e" },
    "keys-dir": { type: "string", default: path.join(__dirname, "..", "..", ".cache", "vm", "keys") },
    hotswap: { type: "boolean", default: false },
    "hotswap-check": { type: "boolean", default: false },
  },
});
const configFile = values["config-file"];
if (!configFile) throw new Error("--config-file is required");
const config = fleetConfigOfStackFile(readFileSync(configFile, "utf8"));
const routes = routesOf(config);
const route = values.route ? routes.find((r) => r.id === values.route) : routes.length === 1 ? routes[0] : undefined;
if (!route) throw new Error(`pick a route with --route: ${routes.map((r) => r.id).join(", ")}`);

function keyPair(name: string): { privateKey: string; publicKey: string } {
  const dir = values["keys-dir"];
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file]);
  }
  return { privateKey: readFileSync(file, "utf8"), publicKey: readFileSync(`${file}.pub`, "utf8").trim() };
}
const host = keyPair("host_ed25519");
const management = keyPair("management_ed25519");

const secrets = {
  tailscaleAuthKey: process.env.LANTERN_E2E_TAILSCALE_AUTH_KEY ?? "tskey-auth-e2e",
  routeConfig: process.env.LANTERN_E2E_ROUTE_CONFIG ?? '{"log":{"level":"info"},"inbounds":[],"outbounds":[]}',
};
const keys = { managementPublicKey: management.publicKey, hostPrivateKey: host.privateKey, hostPublicKey: host.publicKey };
const hotswap = hotSwapCommand(route, config.releaseBaseUrl);
process.stdout.write(
  values.hotswap ? hotswap.create : values["hotswap-check"] ? hotswap.update : renderUserData({ route, stack: values.stack ?? "e2e", config, secrets, keys }),
);
