/**
 * npm run bench: what the offline plan costs as the fleet grows, and the
 * blast radius of a release-tag bump on prod. Numbers, not assertions.
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import * as path from "node:path";
import { PROVIDERS } from "../stacks/catalog";
import { changedResources, planJson, type StackConfig, stackConfig, variantStackFile, writeStackFile } from "../plan/testing";
import { REPO_ROOT } from "../plan/run";

const SIZES = [10, 100, 1000, 3000];

/** prod's config with `total` stable routes spread evenly over prod's regions (all three providers). */
function fleetOf(total: number): StackConfig {
  const config = structuredClone(stackConfig("prod"));
  const providers = config["lantern-fleet:providers"] as Record<string, { regions: Record<string, Record<string, number>> }>;
  const slots = PROVIDERS.flatMap((p) => Object.keys(providers[p]!.regions).map((region) => [p, region] as const));
  const counts = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const [p, region] = slots[i % slots.length]!;
    counts.set(`${p} ${region}`, (counts.get(`${p} ${region}`) ?? 0) + 1);
  }
  for (const p of PROVIDERS) {
    providers[p]!.regions = Object.fromEntries(
      [...counts].filter(([k]) => k.startsWith(`${p} `)).map(([k, n]) => [k.slice(p.length + 1), { stable: n }]),
    );
  }
  return config;
}

interface Cost {
  ms: number;
  maxRssMb: number;
  resources: number;
  routes: number;
}

function measure(configFile: string): Cost & { wallMs: number } {
  const start = Date.now();
  const result = spawnSync(
    process.execPath,
    ["--no-experimental-strip-types", "--require", "ts-node/register/transpile-only", path.join("bench", "plan-once.ts"), "--config-file", configFile],
    { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return { ...(JSON.parse(result.stdout) as Cost), wallMs: Date.now() - start };
}

const rows = SIZES.map((n) => {
  const cost = measure(writeStackFile(fleetOf(n)));
  return `| ${n} | ${cost.routes} | ${cost.resources} | ${(cost.ms / 1000).toFixed(1)} s | ${(cost.wallMs / 1000).toFixed(1)} s | ${Math.round(cost.maxRssMb)} MB |`;
});
console.log(`Offline plan cost (${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, Node ${process.version})\n`);
console.log("| routes asked | routes | resources | program under mocks | whole process | peak RSS |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);

const prod = planJson(["--stack", "prod"]);
const bumped = planJson(["--stack", "prod", "--config-file", variantStackFile("prod", (c) => (c["lantern-fleet:releaseTag"] = "v0.0.74"))]);
const changes = changedResources(prod, bumped);
const images = changes.filter((c) => /image/i.test(c.type));
const regions = (prod.outputs.routes as { provider: string; region: string }[]).map((r) => `${r.provider} ${r.region}`);
console.log("\nBlast radius of `pulumi config set releaseTag v0.0.74` on prod (hotswap everywhere)\n");
console.log("| | this program | old model (image per provider-region) |");
console.log("|---|---|---|");
console.log(`| resources changed | ${changes.length} of ${prod.resources.length} (${changes.filter((c) => c.type === "command:remote:Command").length} hot-swap commands, ${changes.filter((c) => c.type.endsWith("Instance")).length} instances' ignored user-data) | every image and every route |`);
console.log(`| images rebuilt | ${images.length} | ${new Set(regions).size} |`);
