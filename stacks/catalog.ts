/**
 * The provider catalogue: every fact about a provider the program relies on,
 * in one place. What each offers that the config may name (regions, CPU
 * architecture, defaults: the config schema refuses anything not listed, so a
 * typo fails at preview time instead of at the cloud API), the stock images
 * builders start from, the instance resource each route is, the inputs that
 * carry its user-data and image, and the provider's user-data size limit.
 * Sources: docs/providers.md. (The policy pack, policy/, keeps its own copy
 * on purpose: it checks the program from outside.)
 */

export const PROVIDERS = ["linode", "alicloud", "oci"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export type Arch = "amd64" | "arm64";

export interface ProviderProfile {
  /** Debian architecture of the route VMs (selects the .deb). */
  readonly arch: Arch;
  readonly regions: readonly string[];
  /** Default instance type (Linode type, ECS type or OCI shape). */
  readonly defaultInstanceType: string;
  /** Where the one image build runs before replication (OCI builds in every region). */
  readonly defaultBuildRegion?: string;
}

export const PROVIDER_PROFILES: Readonly<Record<ProviderName, ProviderProfile>> = {
  linode: {
    arch: "amd64",
    defaultInstanceType: "g6-nanode-1",
    defaultBuildRegion: "us-lax",
    regions: [
      "ap-northeast", "ap-south", "ap-southeast", "ap-west", "au-mel", "br-gru",
      "ca-central", "de-fra-2", "es-mad", "eu-central", "eu-west", "fr-par",
      "gb-lon", "id-cgk", "in-bom-2", "in-maa", "it-mil", "jp-osa", "jp-tyo-3",
      "nl-ams", "se-sto", "sg-sin-2", "us-central", "us-east", "us-iad",
      "us-lax", "us-mia", "us-ord", "us-sea", "us-southeast", "us-west",
    ],
  },
  alicloud: {
    arch: "amd64",
    defaultInstanceType: "ecs.t6-c1m1.large",
    defaultBuildRegion: "ap-southeast-1",
    regions: [
      "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1",
      "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
      "cn-beijing", "cn-chengdu", "cn-guangzhou", "cn-hangzhou", "cn-hongkong",
      "cn-huhehaote", "cn-qingdao", "cn-shanghai", "cn-shenzhen",
      "cn-wulanchabu", "cn-zhangjiakou", "eu-central-1", "eu-west-1",
      "me-central-1", "me-east-1", "us-east-1", "us-west-1",
    ],
  },
  oci: {
    arch: "arm64",
    defaultInstanceType: "VM.Standard.A1.Flex",
    regions: [
      "af-johannesburg-1", "ap-batam-1", "ap-chuncheon-1", "ap-hyderabad-1",
      "ap-melbourne-1", "ap-mumbai-1", "ap-osaka-1", "ap-seoul-1",
      "ap-singapore-1", "ap-singapore-2", "ap-sydney-1", "ap-tokyo-1",
      "ca-montreal-1", "ca-toronto-1", "eu-amsterdam-1", "eu-frankfurt-1",
      "eu-madrid-1", "eu-marseille-1", "eu-milan-1",
      "eu-paris-1", "eu-stockholm-1", "eu-zurich-1", "il-jerusalem-1",
      "me-abudhabi-1", "me-dubai-1", "me-jeddah-1", "me-riyadh-1",
      "mx-monterrey-1", "mx-queretaro-1", "sa-bogota-1", "sa-santiago-1",
      "sa-saopaulo-1", "sa-valparaiso-1", "sa-vinhedo-1", "uk-cardiff-1",
      "uk-london-1", "us-ashburn-1", "us-chicago-1", "us-phoenix-1",
      "us-sanjose-1",
    ],
  },
};

/** The stock image family builders start from, per provider (queried by scripts/propose-pins.ts). */
export const STOCK_IMAGE_FAMILY = {
  linode: { id: "linode/ubuntu24.04" },
  alicloud: { owners: "system", nameRegex: "^ubuntu_24_04_x64" },
  oci: { operatingSystem: "Canonical Ubuntu", operatingSystemVersion: "24.04 Minimal aarch64" },
} as const satisfies Record<ProviderName, object>;

/** Each provider's route instance resource type (Pulumi type token). */
export const INSTANCE_TYPES: Readonly<Record<ProviderName, string>> = {
  linode: "linode:index/instance:Instance",
  alicloud: "alicloud:ecs/instance:Instance",
  oci: "oci:Core/instance:Instance",
};

/** The instance input that carries user-data. */
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
 * explicitly (components/release/strategy.ts).
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

/** The image input, keyed by instance resource type. */
export const IMAGE_INPUT: Readonly<Record<string, string>> = Object.fromEntries(PROVIDERS.map((p) => [INSTANCE_TYPES[p], IMAGE_PROPERTY[p]]));

/** The encoded user-data inside an instance's inputs (Linode nests it in `metadatas[0]`), if any. */
export function encodedUserData(type: string, inputs: Readonly<Record<string, unknown>>): unknown {
  const property = USER_DATA_INPUT[type];
  if (property === undefined) return undefined;
  const value = inputs[property];
  if (type === INSTANCE_TYPES.linode) return (value as { userData?: unknown }[] | undefined)?.[0]?.userData;
  if (type === INSTANCE_TYPES.oci) return (value as { user_data?: unknown } | undefined)?.user_data;
  return value;
}

export interface UserDataLimit {
  readonly bytes: number;
  /** What the provider counts against the limit. */
  readonly counts: string;
}

/** User-data size limits (docs/providers.md has each provider's source). */
export const USER_DATA_LIMITS: Readonly<Record<ProviderName, UserDataLimit>> = {
  // Linode metadata: the base64 text of userData.
  linode: { bytes: 16_384, counts: "base64 user-data" },
  // ECS: the user data before base64.
  alicloud: { bytes: 32_768, counts: "user-data before base64" },
  // OCI: all instance metadata together (user_data base64 + ssh_authorized_keys).
  oci: { bytes: 32_000, counts: "all instance metadata" },
};

/**
 * The OpenTelemetry `cloud.provider` value of each provider: the semantic
 * conventions' well-known values (semantic-conventions model/cloud/registry.yaml;
 * open-telemetry/opentelemetry-go semconv/v1.43.0/attribute_group.go,
 * CloudProviderAkamaiCloud, CloudProviderAlibabaCloud, CloudProviderOracleCloud).
 * Linode is Akamai's cloud.
 */
export const OTEL_CLOUD_PROVIDER: Readonly<Record<ProviderName, string>> = {
  linode: "akamai_cloud",
  alicloud: "alibaba_cloud",
  oci: "oracle_cloud",
};
