/**
 * What one route's user-data costs the program, per document and provider:
 * the YAML render (renderUserData) and the encoding (UTF-8, gzip level 9
 * where plain base64 does not fit the provider's limit, base64:
 * encodeUserData). A plan pays both twice per route: the size check before
 * anything is declared, with KEY_STAND_INS (as here), and the render in the
 * apply with the generated keys. The routes are a stack file's, with the
 * plan's secret placeholders. Usage:
 *   node --require ./scripts/register-ts.js bench/render.ts [stack file, default Pulumi.prod.yaml]
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { KEY_STAND_INS, renderUserData } from "../components/cloud-init";
import { encodeUserData } from "../components/cloud-init/encoding";
import { PROVIDERS } from "../stacks/catalog";
import { routesOf } from "../stacks/config";
import { fleetConfigOfStackFile, SECRET_PLACEHOLDERS } from "../plan/stack-file";

const PASSES = 5;
const stackFile = process.argv[2] ?? path.join(__dirname, "..", "Pulumi.prod.yaml");
const config = fleetConfigOfStackFile(readFileSync(stackFile, "utf8"));
const secrets = { routeConfig: SECRET_PLACEHOLDERS.routeConfig };

/** CPU microseconds per item of `work` over `items`, the cheapest of PASSES passes (the machine is shared). */
function microsEach<T>(items: readonly T[], work: (item: T) => unknown): number {
  let best = Infinity;
  for (let pass = 0; pass < PASSES; pass++) {
    const start = process.cpuUsage();
    for (const item of items) work(item);
    const { user, system } = process.cpuUsage(start);
    best = Math.min(best, (user + system) / items.length);
  }
  return best;
}

// One untimed pass over every route first, so no provider's row pays the JIT's warm-up.
for (const route of routesOf(config)) encodeUserData(route.id, route.provider, renderUserData({ route, stack: "prod", config, secrets, keys: KEY_STAND_INS }));

const rows = PROVIDERS.flatMap((provider) => {
  const routes = routesOf(config).filter((route) => route.provider === provider);
  if (routes.length === 0) return [];
  const documents = routes.map((route) => ({ route, text: renderUserData({ route, stack: "prod", config, secrets, keys: KEY_STAND_INS }) }));
  const encoded = documents.map(({ route, text }) => encodeUserData(route.id, provider, text));
  return [
    {
      provider,
      documents: documents.length,
      "document bytes": Math.round(documents.reduce((sum, d) => sum + Buffer.byteLength(d.text), 0) / documents.length),
      gzipped: encoded.filter((e) => e.gzipped).length,
      "render µs": Math.round(microsEach(routes, (route) => renderUserData({ route, stack: "prod", config, secrets, keys: KEY_STAND_INS }))),
      "encode µs": Math.round(microsEach(documents, ({ route, text }) => encodeUserData(route.id, provider, text))),
    },
  ];
});
console.table(rows);
