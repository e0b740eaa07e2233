/**
 * What one route's user-data costs the program, per document and provider:
 * the YAML render (renderUserData) and the encoding (UTF-8, gzip level 9
 * where plain base64 does not fit the provider's limit, base64:
 * encodeRouteDocument, with what else shares the route's limit). A plan pays both
 * twice per route: the size check before anything is declared, with
 * KEY_STAND_INS (as here), and the render in the apply with the generated
 * keys. The routes are a stack's, with the plan's secret placeholders.
 * A second table times the gzipped documents at other zlib levels: what a
 * change of the declared level (9) would save, which would also change
 * every gzipped route's user-data.
 * Usage: npm run bench:render -- [--stack prod] [--config-file <stack file>]
 */
import * as path from "node:path";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { encodeRouteDocument, KEY_STAND_INS, renderUserData } from "../components/cloud-init";
import { PROVIDERS } from "../stacks/catalog";
import { type Route, routesOf } from "../stacks/config";
import { fleetConfigOfStackFile, SECRET_PLACEHOLDERS } from "../plan/stack-file";

const PASSES = 5;
const { values } = parseArgs({ options: { stack: { type: "string", default: "prod" }, "config-file": { type: "string" } } });
const stack = values.stack ?? "prod";
const config = fleetConfigOfStackFile(readFileSync(values["config-file"] ?? path.join(__dirname, "..", `Pulumi.${stack}.yaml`), "utf8"));
const secrets = { routeConfig: SECRET_PLACEHOLDERS.routeConfig };
const allRoutes = routesOf(config);

const render = (route: Route): string => renderUserData({ route, stack, config, secrets, keys: KEY_STAND_INS });

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

// Every route's document, rendered and encoded once untimed first, so no provider's row pays the JIT's warm-up.
const documents = allRoutes.map((route) => {
  const text = render(route);
  return { route, text, gzipped: encodeRouteDocument(route, text).gzipped };
});

const rows = PROVIDERS.flatMap((provider) => {
  const ofProvider = documents.filter((d) => d.route.provider === provider);
  if (ofProvider.length === 0) return [];
  return [
    {
      provider,
      documents: ofProvider.length,
      "document bytes": Math.round(ofProvider.reduce((sum, d) => sum + Buffer.byteLength(d.text), 0) / ofProvider.length),
      gzipped: ofProvider.filter((d) => d.gzipped).length,
      "render µs": Math.round(microsEach(ofProvider, (d) => render(d.route))),
      "encode µs": Math.round(microsEach(ofProvider, (d) => encodeRouteDocument(d.route, d.text))),
    },
  ];
});
console.table(rows);

// The gzipped documents at the declared level and two cheaper ones (gzip only, as encodeUserData calls it).
const gzippedTexts = documents.filter((d) => d.gzipped).map((d) => Buffer.from(d.text));
if (gzippedTexts.length > 0) {
  console.table(
    [9, 6, 1].map((level) => ({
      "zlib level": level === 9 ? "9 (declared)" : level,
      documents: gzippedTexts.length,
      "gzipped bytes": Math.round(gzippedTexts.reduce((sum, text) => sum + gzipSync(text, { level }).length, 0) / gzippedTexts.length),
      "gzip µs": Math.round(microsEach(gzippedTexts, (text) => gzipSync(text, { level }))),
    })),
  );
}
