/**
 * Each provider's route instance resource type and the input that carries
 * its user-data: one table for the rollout options, the offline plan and
 * its diff.
 */
import { PROVIDERS, type ProviderName } from "../../stacks/catalog";

export const INSTANCE_TYPES: Readonly<Record<ProviderName, string>> = {
  linode: "linode:index/instance:Instance",
  alicloud: "alicloud:ecs/instance:Instance",
  oci: "oci:Core/instance:Instance",
};

export const USER_DATA_PROPERTY: Readonly<Record<ProviderName, string>> = {
  linode: "metadatas",
  alicloud: "userData",
  oci: "metadata",
};

/**
 * The input that names the instance's image. Only Linode replaces on a
 * change (`image` is ForceNew); alicloud swaps the system disk in place
 * (`image_id`: alicloud/resource_alicloud_instance.go in
 * aliyun/terraform-provider-alicloud) and OCI the boot volume
 * (`source_details.source_id`: internal/service/core/core_instance_resource.go
 * in oracle/terraform-provider-oci), keeping the
 * instance and re-running nothing of first boot, so the program replaces
 * explicitly (components/rollout/strategy.ts).
 */
export const IMAGE_PROPERTY: Readonly<Record<ProviderName, string>> = {
  linode: "image",
  alicloud: "imageId",
  oci: "sourceDetails",
};

/** The user-data input, keyed by instance resource type. */
export const USER_DATA_INPUT: Readonly<Record<string, string>> = Object.fromEntries(
  PROVIDERS.map((p) => [INSTANCE_TYPES[p], USER_DATA_PROPERTY[p]]),
);

/** The encoded user-data inside an instance's inputs (Linode nests it in `metadatas[0]`), if any. */
export function encodedUserData(type: string, inputs: Readonly<Record<string, unknown>>): unknown {
  const property = USER_DATA_INPUT[type];
  if (property === undefined) return undefined;
  const value = inputs[property];
  if (type === INSTANCE_TYPES.linode) return (value as { userData?: unknown }[] | undefined)?.[0]?.userData;
  if (type === INSTANCE_TYPES.oci) return (value as { user_data?: unknown } | undefined)?.user_data;
  return value;
}
