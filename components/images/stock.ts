/**
 * The providers' stock Ubuntu 24.04 images: what builders (and, until base
 * images are wired, routes) start from.
 */
import * as alicloud from "@pulumi/alicloud";
import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";

export const LINODE_STOCK_IMAGE = "linode/ubuntu24.04";
/** The stock image each provider's builder starts from, as a reference hashed into the image name. */
export const ALICLOUD_STOCK_IMAGE = "alicloud system ^ubuntu_24_04_x64 most recent";
export const OCI_STOCK_IMAGE = "oci Canonical Ubuntu 24.04 Minimal aarch64 newest";

export function alicloudStockImage(provider: alicloud.Provider): pulumi.Output<string> {
  return alicloud.ecs
    .getImagesOutput({ owners: "system", nameRegex: "^ubuntu_24_04_x64", mostRecent: true }, { provider })
    .apply((result) => firstImageId(result.images, "alicloud Ubuntu 24.04 x64"));
}

export function ociStockImage(provider: oci.Provider, compartmentId: string, shape: string): pulumi.Output<string> {
  return oci.core
    .getImagesOutput(
      {
        compartmentId,
        operatingSystem: "Canonical Ubuntu",
        operatingSystemVersion: "24.04 Minimal aarch64",
        shape,
        sortBy: "TIMECREATED",
        sortOrder: "DESC",
      },
      { provider },
    )
    .apply((result) => firstImageId(result.images, `OCI Canonical Ubuntu 24.04 Minimal aarch64 for ${shape}`));
}

function firstImageId(images: readonly { id: string }[], what: string): string {
  const image = images[0];
  if (!image) throw new Error(`no stock image found: ${what}`);
  return image.id;
}
