/**
 * What each provider offers that the config may name: its regions, CPU
 * architecture and defaults. The config schema refuses anything not listed
 * here, so a typo fails at preview time instead of at the cloud API.
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
      "eu-jovanovac-1", "eu-madrid-1", "eu-marseille-1", "eu-milan-1",
      "eu-paris-1", "eu-stockholm-1", "eu-zurich-1", "il-jerusalem-1",
      "me-abudhabi-1", "me-dubai-1", "me-jeddah-1", "me-riyadh-1",
      "mx-monterrey-1", "mx-queretaro-1", "sa-bogota-1", "sa-santiago-1",
      "sa-saopaulo-1", "sa-valparaiso-1", "sa-vinhedo-1", "uk-cardiff-1",
      "uk-london-1", "us-ashburn-1", "us-chicago-1", "us-phoenix-1",
      "us-sanjose-1",
    ],
  },
};
