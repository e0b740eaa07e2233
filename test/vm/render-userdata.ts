/**
 * Renders one route's first-boot user-data with the project's real config
 * parser and renderer, for the VM test. Secrets come from the environment
 * (test values only): LANTERN_TEST_TAILSCALE_AUTHKEY, LANTERN_TEST_ROUTE_CONFIG.
 *
 *   ts-node test/vm/render-userdata.ts --config-file <stack.yaml> --route <id> [--stack e2e]
 */
import { parseArgs } from "node:util";
import { renderUserData } from "../../components/cloud-init";
import { engineConfig } from "../../plan/stack-file";
import { parseFleetConfig, routesOf } from "../../stacks/config";
import { rawStackConfig } from "../../stacks/stack";
import { readFileSync } from "node:fs";

const { values } = parseArgs({
  options: { "config-file": { type: "string" }, route: { type: "string" }, stack: { type: "string", default: "e2e" } },
});
const configFile = values["config-file"];
if (!configFile || !values.route) throw new Error("--config-file and --route are required");
const config = parseFleetConfig(rawStackConfig(engineConfig(readFileSync(configFile, "utf8")).config));
const route = routesOf(config).find((r) => r.id === values.route);
if (!route) throw new Error(`no route ${values.route} in ${configFile}: ${routesOf(config).map((r) => r.id).join(", ")}`);
const secrets = {
  tailscaleAuthKey: process.env.LANTERN_TEST_TAILSCALE_AUTHKEY ?? "tskey-test",
  routeConfig: process.env.LANTERN_TEST_ROUTE_CONFIG ?? '{"log":{"level":"info"},"inbounds":[],"outbounds":[]}',
};
process.stdout.write(renderUserData({ route, stack: values.stack ?? "e2e", config, secrets }));
