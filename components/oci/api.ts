/**
 * Stopping an OCI instance through OCI's API (InstanceAction STOP, with
 * Oracle's SDK: oci-core ComputeClient.instanceAction), signed with the API
 * key the program's regional OCI providers sign with. Those are explicit
 * providers given only a region (components/providers.ts; an explicit
 * provider reads no `oci:` stack config: pulumi/pulumi
 * pkg/resource/deploy/default_providers.go), so the Terraform provider takes
 * each setting from TF_VAR_<name>, then OCI_<NAME>, the first set and not
 * empty (oracle/terraform-provider-oci internal/provider/provider.go:
 * MultiEnvDefaultFunc with tfVarName and ociVarName), and each one still
 * missing from the config file's profile (GetSdkConfigProvider: a
 * ComposingConfigurationProvider over those settings and
 * DefaultConfigProvider, or `config_file_profile`'s profile).
 */
import { readFileSync } from "node:fs";

type Env = Readonly<Record<string, string | undefined>>;
/** A setting of the config file's profile, as the SDK's ConfigFile.get reads it (null when absent). */
export type ProfileSetting = (key: string) => string | null | undefined;

/** One provider setting from the environment, read the way the provider reads it. */
export function ociSetting(env: Env, name: string): string | undefined {
  return env[`TF_VAR_${name}`] || env[`OCI_${name.toUpperCase()}`] || undefined;
}

export interface OciApiKey {
  readonly tenancy: string;
  readonly user: string;
  readonly fingerprint: string;
  readonly privateKey: string;
  readonly passphrase: string | null;
}

/**
 * The API key, each part where the provider finds it: the environment, then
 * the profile. An inline key gets its literal `\n`s turned into newlines and
 * a key path its `~` expanded, as the provider does (ResourceDataConfigProvider.PrivateRSAKey).
 * Other auth modes (instance or resource principals, security tokens) are
 * the provider's alone.
 */
export function ociApiKey(env: Env, profile: ProfileSetting, readKeyFile: (path: string) => string): OciApiKey {
  const auth = ociSetting(env, "auth") ?? "ApiKey";
  if (auth.toLowerCase() !== "apikey") {
    throw new Error(`OCI auth "${auth}" (TF_VAR_auth or OCI_AUTH): stopping a builder through OCI's API signs with an API key only`);
  }
  const pick = (name: string, fileKey: string) => ociSetting(env, name) ?? profile(fileKey) ?? undefined;
  const inlineKey = ociSetting(env, "private_key");
  const keyPath = pick("private_key_path", "key_file");
  const tenancy = pick("tenancy_ocid", "tenancy");
  const user = pick("user_ocid", "user");
  const fingerprint = pick("fingerprint", "fingerprint");
  const privateKey = inlineKey ? inlineKey.replaceAll("\\n", "\n") : keyPath && readKeyFile(keyPath);
  if (!tenancy || !user || !fingerprint || !privateKey) {
    const missing = [
      [tenancy, "tenancy_ocid (config file: tenancy)"],
      [user, "user_ocid (config file: user)"],
      [fingerprint, "fingerprint (config file: fingerprint)"],
      [privateKey, "private_key or private_key_path (config file: key_file)"],
    ].flatMap(([value, name]) => (value ? [] : [name]));
    throw new Error(`OCI API key: no ${missing.join(", ")}; set TF_VAR_<name> or OCI_<NAME>, or the config file's profile`);
  }
  return { tenancy, user, fingerprint, privateKey, passphrase: pick("private_key_password", "pass_phrase") ?? null };
}

/**
 * Asks OCI to stop an instance (a hard stop: "STOP - Powers off the
 * instance", docs.oracle.com/iaas/api/#/en/iaas/20160918/Instance/InstanceAction).
 * The SDK loads only here, when a build needs it. `endpoint` replaces the
 * region's (tests).
 */
export async function stopOciInstance(region: string, instanceId: string, env: Env = process.env, endpoint?: string): Promise<void> {
  const [common, core] = await Promise.all([import("oci-common"), import("oci-core")]);
  const { ConfigFileReader } = common;
  const profileName = ociSetting(env, "config_file_profile");
  // The SDK's own reader: ~/.oci/config (or OCI_CONFIG_FILE, ~/.oraclebmc/config), the profile, else DEFAULT.
  const configFile = [ConfigFileReader.DEFAULT_FILE_PATH, env.OCI_CONFIG_FILE ?? "", ConfigFileReader.FALLBACK_DEFAULT_FILE_PATH].some(
    (path) => path !== "" && ConfigFileReader.fileExists(path),
  )
    ? ConfigFileReader.parseDefault(profileName ?? null)
    : undefined;
  const readKeyFile = (path: string): string => {
    try {
      return readFileSync(ConfigFileReader.expandUserHome(path), "utf8");
    } catch (err) {
      throw new Error(`OCI API key: cannot read the private key file ${path} (private_key_path or key_file): ${(err as Error).message}`);
    }
  };
  const key = ociApiKey(env, (k) => configFile?.get(k), readKeyFile);
  const authenticationDetailsProvider = new common.SimpleAuthenticationDetailsProvider(key.tenancy, key.user, key.fingerprint, key.privateKey, key.passphrase);
  const client = new core.ComputeClient({ authenticationDetailsProvider });
  // The provider's region, never the profile's: the endpoint follows it (oci-core ComputeClient, set regionId).
  client.regionId = region;
  if (endpoint) client.endpoint = endpoint;
  try {
    await client.instanceAction({ instanceId, action: "STOP" });
  } finally {
    client.close();
  }
}
