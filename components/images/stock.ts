/**
 * What "the newest stock image" and "a zone for the instance type" mean, as
 * provider queries. The program never runs them (its inputs come from the
 * pins in stack config, which do not change between runs); the pin proposal
 * command (scripts/propose-pins.ts) does, and prints new pins to review.
 */
import * as alicloud from "@pulumi/alicloud";
import * as linode from "@pulumi/linode";
import * as oci from "@pulumi/oci";
import { STOCK_IMAGE_FAMILY } from "../../stacks/catalog";

function first<T>(items: readonly T[], what: string): T {
  const item = items[0];
  if (item === undefined) throw new Error(`none found: ${what}`);
  return item;
}

/** Linode public images keep their id while Linode refreshes them: this checks the id still exists and is not deprecated. */
export async function linodeStockImage(): Promise<string> {
  const { images } = await linode.getImages({ filters: [{ name: "id", values: [STOCK_IMAGE_FAMILY.linode.id] }] });
  const image = first(images ?? [], `Linode image ${STOCK_IMAGE_FAMILY.linode.id}`);
  if (image.deprecated) throw new Error(`Linode image ${image.id} is deprecated: choose its successor`);
  return image.id;
}

/**
 * The regions among `wanted` that `regions` (Linode's region list) does not
 * show with the Metadata service. Builders and routes get their user-data
 * only from it (cloud-init's Akamai datasource); where a region lacks it,
 * Linode tells cloud-init not to look (canonical/cloud-init
 * doc/rtd/reference/datasources/akamai.rst, "Configuration Overrides") and
 * the instance boots with none: no host key, no login key, no install.
 * The capability's name: linode/manager packages/api-v4/src/regions/types.ts.
 */
export function linodeRegionsWithoutMetadata(regions: readonly { readonly id: string; readonly capabilities: readonly string[] }[], wanted: readonly string[]): string[] {
  const capabilities = new Map(regions.map((region) => [region.id, region.capabilities]));
  return [...new Set(wanted)].filter((id) => !capabilities.get(id)?.includes("Metadata"));
}

/** Refuses Linode regions without the Metadata service (linodeRegionsWithoutMetadata), naming them. */
export async function requireLinodeMetadata(wanted: readonly string[]): Promise<void> {
  const { regions } = await linode.getRegions();
  const missing = linodeRegionsWithoutMetadata(regions ?? [], wanted);
  if (missing.length > 0) {
    throw new Error(
      `Linode region(s) ${missing.join(", ")}: not listed with the "Metadata" capability; ` +
        "an instance there would boot without its user-data (no host key, no login key, no install)",
    );
  }
}

export async function newestAlicloudStockImage(provider: alicloud.Provider): Promise<string> {
  const { images } = await alicloud.ecs.getImages({ ...STOCK_IMAGE_FAMILY.alicloud, mostRecent: true }, { provider });
  return first(images, "alicloud Ubuntu 24.04 x64").id;
}

/**
 * OCI's platform images among a compartment's images. ListImages returns the
 * compartment's custom images too (oci-go-sdk core ListImages), and this
 * program's base images live in the compartment with the stock image's
 * operating system, newer than it: without this, a proposal could pin the
 * last build as the next build's stock image. Platform images carry no
 * compartmentId (oracle/terraform-provider-oci
 * internal/service/core/core_images_data_source.go, SetData: "the service
 * doesn't return it for official images").
 */
export function ociPlatformImages<T extends { readonly compartmentId?: string }>(images: readonly T[]): T[] {
  return images.filter((image) => !image.compartmentId);
}

export async function newestOciStockImage(provider: oci.Provider, compartmentId: string, shape: string): Promise<string> {
  const { images } = await oci.core.getImages(
    { compartmentId, ...STOCK_IMAGE_FAMILY.oci, shape, sortBy: "TIMECREATED", sortOrder: "DESC" },
    { provider },
  );
  return first(ociPlatformImages(images), `OCI Canonical Ubuntu 24.04 Minimal aarch64 platform image for ${shape}`).id;
}

/**
 * The first zone (by name: the provider sorts them) of the provider's region
 * that lists every one of the instance types (DescribeZones'
 * AvailableInstanceTypes; aliyun/terraform-provider-alicloud
 * alicloud/data_source_alicloud_zones.go). Stock is not checked there, so a
 * sold-out type shows at create.
 */
export async function alicloudZoneFor(provider: alicloud.Provider, instanceTypes: readonly string[]): Promise<string> {
  const offering = await Promise.all(instanceTypes.map(async (type) => (await alicloud.getZones({ availableInstanceType: type }, { provider })).zones.map((z) => z.id)));
  const [candidates = [], ...others] = offering;
  return first(
    candidates.filter((id) => others.every((ids) => ids.includes(id))),
    `alicloud zone offering ${instanceTypes.join(" and ")}`,
  );
}
