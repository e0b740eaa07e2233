/**
 * npm run --silent propose-pins -- --stack <name> [--config-file <path>]
 *
 * Looks up the newest stock images (and, for alicloud, a zone per region that
 * offers the instance type) for every region a stack builds or runs in,
 * refuses Linode regions without the Metadata service (user-data reaches
 * builders and routes only through it), and
 * prints the pins to commit to `Pulumi.<stack>.yaml`, with what changes. The
 * program itself never asks "what is newest" (the answer changes between
 * runs, so the daily drift check would go red with nothing changed); new pins
 * reach it only through a reviewed commit, which then rebuilds the images
 * whose stock image changed (the pin is part of the image name).
 *
 * It needs the Pulumi CLI and the same cloud credentials as `pulumi up`
 * (LINODE_TOKEN, ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY, the OCI API key).
 * The lookups run as an inline Pulumi program (Automation API) on a throwaway
 * local backend: it declares only provider resources, so nothing is created
 * in any cloud and no real stack is touched. Type-checked in CI, not run there.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as alicloud from "@pulumi/alicloud";
import * as oci from "@pulumi/oci";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { ALICLOUD_BUILDER_INSTANCE_TYPE } from "../components/alicloud/image";
import { alicloudZoneFor, linodeStockImage, newestAlicloudStockImage, newestOciStockImage, requireLinodeMetadata } from "../components/images/stock";
import { fleetConfigOfStackFile } from "../plan/stack-file";
import { buildRegionOf, type FleetConfig, instanceTypeOf, regionsOf } from "../stacks/config";
import type { ProviderName } from "../stacks/catalog";

interface Pins {
  readonly stockImages: { linode?: string; alicloud: Record<string, string>; oci: Record<string, string> };
  readonly alicloudZones: Record<string, string>;
}

/** The regions each pin (and Linode's Metadata check) is needed for: where the stack builds or runs (stacks/config.ts regionsOf). */
function pinRegions(cfg: FleetConfig) {
  const regions = (provider: ProviderName): string[] => (cfg.providers[provider] ? regionsOf(cfg, provider) : []);
  return {
    linode: regions("linode"),
    alicloudBuild: cfg.providers.alicloud ? buildRegionOf(cfg, "alicloud") : undefined,
    alicloudZones: regions("alicloud"),
    oci: regions("oci"),
  };
}

/** The lookups, as an inline program: its stack outputs are the proposed pins. */
function lookups(cfg: FleetConfig) {
  return async (): Promise<Pins> => {
    const regions = pinRegions(cfg);
    const aliProvider = (region: string) => new alicloud.Provider(`alicloud-${region}`, { region });
    const aliProviders = Object.fromEntries(regions.alicloudZones.map((r) => [r, aliProvider(r)]));
    const aliType = instanceTypeOf(cfg, "alicloud");
    const ociCfg = cfg.providers.oci;
    // Not a pin, but a fact of the same kind: what the provider offers where the stack runs.
    if (regions.linode.length > 0) await requireLinodeMetadata(regions.linode);
    const entries = async <T>(keys: readonly string[], f: (key: string) => Promise<T>) =>
      Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await f(k)] as const)));
    return {
      stockImages: {
        ...(regions.linode.length > 0 ? { linode: await linodeStockImage() } : {}),
        alicloud: regions.alicloudBuild ? await entries([regions.alicloudBuild], (r) => newestAlicloudStockImage(aliProviders[r]!)) : {},
        oci: ociCfg
          ? await entries(regions.oci, (r) =>
              newestOciStockImage(new oci.Provider(`oci-${r}`, { region: r }), ociCfg.compartmentId, instanceTypeOf(cfg, "oci")),
            )
          : {},
      },
      // The build region's zone also holds the builder, which has a type of its own (components/alicloud/image.ts).
      alicloudZones: await entries(regions.alicloudZones, (r) =>
        alicloudZoneFor(aliProviders[r]!, [...new Set([aliType, ...(r === regions.alicloudBuild ? [ALICLOUD_BUILDER_INSTANCE_TYPE] : [])])]),
      ),
    };
  };
}

/** `key: old -> new` lines for the pins that change. */
function changes(current: Pins, proposed: Pins): string[] {
  const flat = (pins: Pins): Record<string, string | undefined> => ({
    "image.stockImages.linode": pins.stockImages.linode,
    ...Object.fromEntries(Object.entries(pins.stockImages.alicloud).map(([r, v]) => [`image.stockImages.alicloud.${r}`, v])),
    ...Object.fromEntries(Object.entries(pins.stockImages.oci).map(([r, v]) => [`image.stockImages.oci.${r}`, v])),
    ...Object.fromEntries(Object.entries(pins.alicloudZones).map(([r, v]) => [`providers.alicloud.zones.${r}`, v])),
  });
  const before = flat(current);
  return Object.entries(flat(proposed))
    .filter(([key, value]) => before[key] !== value)
    .map(([key, value]) => `${key}: ${before[key] ?? "(none)"} -> ${value}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stack: { type: "string" }, "config-file": { type: "string" } }, strict: true });
  if (!values.stack) throw new Error("--stack is required");
  const file = values["config-file"] ?? path.join(__dirname, "..", `Pulumi.${values.stack}.yaml`);
  const cfg = fleetConfigOfStackFile(readFileSync(file, "utf8"));
  const backend = mkdtempSync(path.join(tmpdir(), "propose-pins-"));
  try {
    const stack = await LocalWorkspace.createOrSelectStack(
      { projectName: "lantern-fleet-pins", stackName: "lookup", program: lookups(cfg) },
      { envVars: { PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "" } },
    );
    const up = await stack.up();
    const proposed = up.outputs as unknown as { [K in keyof Pins]: { value: Pins[K] } };
    const pins: Pins = { stockImages: proposed.stockImages.value, alicloudZones: proposed.alicloudZones.value };
    const current: Pins = { stockImages: cfg.image.stockImages, alicloudZones: cfg.providers.alicloud?.zones ?? {} };
    const changed = changes(current, pins);
    process.stdout.write(`# ${values.stack}: ${changed.length === 0 ? "the pins are current" : `${changed.length} pin(s) change`}\n`);
    for (const line of changed) process.stdout.write(`#   ${line}\n`);
    process.stdout.write(
      stringify({
        "lantern-fleet:image": { stockImages: pins.stockImages },
        "lantern-fleet:providers": { alicloud: { zones: pins.alicloudZones } },
      }),
    );
  } finally {
    rmSync(backend, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`propose-pins failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
