import * as alicloud from "@pulumi/alicloud";
import * as oci from "@pulumi/oci";

/**
 * alicloud and OCI bind a region to the provider, so each region gets one
 * explicit provider, shared by that region's images and routes. Linode takes
 * the region per resource and uses the default provider.
 */
export function alicloudProvider(region: string): alicloud.Provider {
  return new alicloud.Provider(`alicloud-${region}`, { region });
}

export function ociProvider(region: string): oci.Provider {
  return new oci.Provider(`oci-${region}`, { region });
}
