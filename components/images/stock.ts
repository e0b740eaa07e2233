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

export async function newestAlicloudStockImage(provider: alicloud.Provider): Promise<string> {
  const { images } = await alicloud.ecs.getImages({ ...STOCK_IMAGE_FAMILY.alicloud, mostRecent: true }, { provider });
  return first(images, "alicloud Ubuntu 24.04 x64").id;
}

export async function newestOciStockImage(provider: oci.Provider, compartmentId: string, shape: string): Promise<string> {
  const { images } = await oci.core.getImages(
    { compartmentId, ...STOCK_IMAGE_FAMILY.oci, shape, sortBy: "TIMECREATED", sortOrder: "DESC" },
    { provider },
  );
  return first(images, `OCI Canonical Ubuntu 24.04 Minimal aarch64 for ${shape}`).id;
}

/** A zone of the provider's region that offers the instance type and vSwitches. */
export async function alicloudZoneFor(provider: alicloud.Provider, instanceType: string): Promise<string> {
  const { zones } = await alicloud.getZones({ availableInstanceType: instanceType, availableResourceCreation: "VSwitch" }, { provider });
  return first(zones, `alicloud zone offering ${instanceType} with vSwitches`).id;
}
