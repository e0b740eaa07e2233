/**
 * Renders, with the project's real config parser, renderer and command
 * builders, the texts the program gives one route, for the VM test:
 *
 *   ts-node test/vm/render-userdata.ts --config-file <stack.yaml>... --out-dir <dir>
 *       [--route <id>] [--stack e2e] [--keys-dir <dir>]
 *
 * For each stack file <name>.yaml it writes into <dir>:
 *   <name>.user-data       the route's first-boot #cloud-config
 *   <name>.hotswap         the hot-swap command's create text (installs)
 *   <name>.hotswap-check   its update text (verifies only)
 *   <name>.verify          the check a `replace` route gets after first boot
 *   <name>.stdin           what the three commands get on stdin (the install script)
 *   <name>.push            the config push's text (create and update are one)
 *   <name>.push-<c>.stdin  its stdin with the route's files for pushed config <c>:
 *                          the install script, then the payload
 *   <name>.tailnet         the tailnet join's create text (joins, the key on stdin)
 *   <name>.tailnet-update  its update text (a new key, the same instance: no join)
 *   <name>.tailnet.stdin   its stdin: the route's one-off Tailscale key
 * One process for every stack file: ts-node starts once.
 *
 * Secrets are test values from the environment (LANTERN_E2E_TAILSCALE_AUTH_KEY, the
 * instance's one-off key the program would create; LANTERN_E2E_ROUTE_CONFIG; each LANTERN_E2E_PUSH_ROUTE_CONFIG_<C> is a
 * routeConfig to push, written as push-<c>). The keys the program would generate come from
 * <keys-dir> (default .cache/vm/keys), created with ssh-keygen when absent:
 * host_ed25519 (injected host key, to pin) and management_ed25519 (the
 * commands' login).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { INSTALL_SCRIPT, renderUserData } from "../../components/cloud-init";
import { routeFiles } from "../../components/cloud-init/userdata";
import { configPayload, configPushCommand, hotSwapCommand, verifyCommand } from "../../components/release";
import { tailnetJoinCommand } from "../../components/tailscale";
import { fleetConfigOfStackFile } from "../../plan/stack-file";
import { routesOf } from "../../stacks/config";

const { values } = parseArgs({
  options: {
    "config-file": { type: "string", multiple: true },
    "out-dir": { type: "string" },
    route: { type: "string" },
    stack: { type: "string", default: "e2e" },
    "keys-dir": { type: "string", default: path.join(__dirname, "..", "..", ".cache", "vm", "keys") },
  },
});
const configFiles = values["config-file"] ?? [];
const outDir = values["out-dir"];
if (configFiles.length === 0 || !outDir) throw new Error("--config-file (one or more) and --out-dir are required");

/**
 * A key pair in the text tls.PrivateKey gives the program: OpenSSH PEM with
 * an empty comment, and `ssh-ed25519 <base64>\n` (terraform-provider-tls
 * internal/provider/resource_private_key.go and common_key.go; the layout
 * components/cloud-init/openssh-keys.ts reproduces), so first boot reads
 * keys shaped as a real route's are.
 */
function keyPair(name: string): { privateKey: string; publicKey: string } {
  const dir = values["keys-dir"];
  const file = path.join(dir, name);
  // A key cached by an earlier version carries a comment (in its private half too): made again.
  const commented = existsSync(`${file}.pub`) && readFileSync(`${file}.pub`, "utf8").trim().split(" ").length > 2;
  if (!existsSync(file) || commented) {
    mkdirSync(dir, { recursive: true });
    rmSync(file, { force: true });
    rmSync(`${file}.pub`, { force: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file]);
  }
  const [type, base64] = readFileSync(`${file}.pub`, "utf8").split(" ");
  return { privateKey: readFileSync(file, "utf8"), publicKey: `${type} ${base64!.trim()}\n` };
}
const host = keyPair("host_ed25519");
const management = keyPair("management_ed25519");
const keys = {
  managementPublicKey: management.publicKey,
  hostPrivateKey: host.privateKey,
  hostPublicKey: host.publicKey,
};
const tailscaleAuthKey = process.env.LANTERN_E2E_TAILSCALE_AUTH_KEY ?? "tskey-auth-e2e";
const secrets = {
  routeConfig: process.env.LANTERN_E2E_ROUTE_CONFIG ?? '{"log":{"level":"info"},"inbounds":[],"outbounds":[]}',
};

const PUSH_PREFIX = "LANTERN_E2E_PUSH_ROUTE_CONFIG_";
const pushedConfigs = Object.entries(process.env)
  .filter((entry): entry is [string, string] => entry[0].startsWith(PUSH_PREFIX) && entry[1] !== undefined)
  .map(([name, routeConfig]) => [name.slice(PUSH_PREFIX.length).toLowerCase(), routeConfig] as const)
  .sort(([a], [b]) => a.localeCompare(b));

mkdirSync(outDir, { recursive: true });
for (const configFile of configFiles) {
  const config = fleetConfigOfStackFile(readFileSync(configFile, "utf8"));
  const routes = routesOf(config);
  const route = values.route ? routes.find((r) => r.id === values.route) : routes.length === 1 ? routes[0] : undefined;
  if (!route) throw new Error(`${configFile}: pick a route with --route: ${routes.map((r) => r.id).join(", ")}`);
  const hotswap = hotSwapCommand(route, config);
  const verify = verifyCommand(route, config);
  if (verify.stdin !== hotswap.stdin) throw new Error("the hot-swap and verify commands send different stdin");
  const input = { route, stack: values.stack ?? "e2e", config, secrets, keys };
  const push = configPushCommand(route);
  const join = tailnetJoinCommand(route, config.tailscale.loginServer);
  const texts: Record<string, string> = {
    "user-data": renderUserData(input),
    hotswap: hotswap.create,
    "hotswap-check": hotswap.update,
    verify: verify.create,
    stdin: hotswap.stdin,
    push: push.create,
    "push-update": push.update,
    tailnet: join.create,
    "tailnet-update": join.update,
    "tailnet.stdin": tailscaleAuthKey,
  };
  // What configPush (components/release) sends: the install script, then the route's files.
  for (const [name, routeConfig] of pushedConfigs) {
    texts[`push-${name}.stdin`] = INSTALL_SCRIPT + configPayload(routeFiles({ ...input, secrets: { ...secrets, routeConfig } }));
  }
  const name = path.basename(configFile, path.extname(configFile));
  for (const [kind, text] of Object.entries(texts)) writeFileSync(path.join(outDir, `${name}.${kind}`), text);
}
