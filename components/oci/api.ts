/**
 * Stopping an OCI instance through OCI's API (InstanceAction STOP, with
 * Oracle's SDK: oci-core ComputeClient.instanceAction), signed with the API
 * key the program's regional OCI providers sign with. Those are explicit
 * providers given only a region (components/providers.ts; an explicit
 * provider reads no `oci:` stack config: pulumi/pulumi
 * pkg/resource/deploy/default_providers.go), so the Terraform provider
 * (oracle/terraform-provider-oci v8.23.0, bundled by @pulumi/oci 4.20.0)
 * reads each setting from TF_VAR_<name>, then OCI_<NAME>, the first set and
 * not empty (internal/provider/provider.go: MultiEnvDefaultFunc with
 * tfVarName and ociVarName), and then signs through a composing provider
 * over [the environment, the config file] (GetSdkConfigProvider). That one
 * never mixes sources: the key id (tenancy/user/fingerprint) and the
 * private key each come whole from the first source that has them
 * (vendor/github.com/oracle/oci-go-sdk/v65/common/configuration.go:
 * composingConfigurationProvider.KeyID, PrivateRSAKey).
 */
import { readFileSync } from "node:fs";

type Env = Readonly<Record<string, string | undefined>>;

/** One provider setting from the environment, read the way the provider reads it. */
export function ociSetting(env: Env, name: string): string | undefined {
  return env[`TF_VAR_${name}`] || env[`OCI_${name.toUpperCase()}`] || undefined;
}

/**
 * One profile's own settings, read as the provider's SDK reads them
 * (oci-go-sdk common/configuration.go parseConfigFile, parseConfigAtLine):
 * from the first `[profile]` line to the next `[...]` line, each line with
 * a `=` split on `=`, its key lowercased. Never DEFAULT's settings (oci-common's
 * ConfigFile.get falls back to them key by key; the provider does not).
 */
export function configProfile(text: string, profile: string): ReadonlyMap<string, string> | undefined {
  const header = /^\[(.*)\]/;
  const lines = text.split("\n");
  const start = lines.findIndex((line) => header.exec(line)?.[1] === profile);
  if (start < 0) return undefined;
  const settings = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    if (header.test(line)) break;
    const [key, value] = line.split("=");
    if (value !== undefined) settings.set(key!.trim().toLowerCase(), value.trim());
  }
  return settings;
}

/** A config-file profile the provider reads, named for messages. */
export interface ConfigSection {
  readonly label: string;
  readonly settings: ReadonlyMap<string, string>;
}

/**
 * The config-file profiles the provider falls back to, in its order. With
 * config_file_profile: that profile, then DEFAULT, both in ~/.oci/config only
 * (provider.go GetSdkConfigProvider: CheckProfile, which fails when the
 * profile is missing, then CustomProfileConfigProvider; oci-go-sdk
 * common/client.go CustomProfileConfigProvider). Without: DEFAULT in
 * ~/.oci/config, or OCI_CONFIG_FILE when that is absent, then DEFAULT in
 * ~/.oraclebmc/config (client.go DefaultConfigProvider, getDefaultConfigFilePath).
 * `readText` returns undefined for a file it cannot read.
 */
export function configSections(env: Env, readText: (path: string) => string | undefined): ConfigSection[] {
  // Each file is read once: a file's text, and the path its sections are labelled with.
  const file = (path: string) => ({ path, text: readText(path) });
  const section = ({ path, text }: ReturnType<typeof file>, profile: string): ConfigSection[] => {
    const settings = text === undefined ? undefined : configProfile(text, profile);
    return settings ? [{ label: `${path} [${profile}]`, settings }] : [];
  };
  const home = file("~/.oci/config");
  const profile = ociSetting(env, "config_file_profile");
  if (profile) {
    const own = section(home, profile);
    if (own.length === 0) throw new Error(`OCI config file ~/.oci/config has no profile [${profile}] (TF_VAR_config_file_profile or OCI_CONFIG_FILE_PROFILE)`);
    return [...own, ...section(home, "DEFAULT")];
  }
  const primary = home.text === undefined && env.OCI_CONFIG_FILE ? file(env.OCI_CONFIG_FILE) : home;
  return [...section(primary, "DEFAULT"), ...section(file("~/.oraclebmc/config"), "DEFAULT")];
}

export interface OciApiKey {
  readonly tenancy: string;
  readonly user: string;
  readonly fingerprint: string;
  readonly privateKey: string;
  readonly passphrase: string | null;
}

/** One source's API key settings, empty ones unset. */
interface KeySource {
  readonly label: string;
  readonly tenancy?: string;
  readonly user?: string;
  readonly fingerprint?: string;
  readonly inlineKey?: string;
  readonly keyPath?: string;
  readonly passphrase?: string;
}

/**
 * The API key as the provider composes it: the key id from the first source
 * with all of tenancy, user and fingerprint, the private key from the first
 * source with an inline key or a readable key path, with that source's
 * passphrase. Sources: the environment (provider.go ResourceDataConfigProvider:
 * KeyID; PrivateRSAKey, an inline key's literal `\n`s made newlines, first),
 * then `sections` (configuration.go fileConfigurationProvider: KeyID, which
 * refuses an empty tenancy, user or fingerprint; PrivateRSAKey, key_file with
 * the profile's pass_phrase or passphrase). `readKeyFile` expands `~` and
 * returns undefined for a file it cannot read. Other auth modes (instance or
 * resource principals, security tokens) are the provider's alone.
 */
export function ociApiKey(env: Env, sections: readonly ConfigSection[], readKeyFile: (path: string) => string | undefined): OciApiKey {
  const auth = ociSetting(env, "auth") ?? "ApiKey";
  if (auth.toLowerCase() !== "apikey") {
    throw new Error(`OCI auth "${auth}" (TF_VAR_auth or OCI_AUTH): stopping a builder through OCI's API signs with an API key only`);
  }
  const sources: KeySource[] = [
    {
      label: "the environment (TF_VAR_<name> or OCI_<NAME>)",
      tenancy: ociSetting(env, "tenancy_ocid"),
      user: ociSetting(env, "user_ocid"),
      fingerprint: ociSetting(env, "fingerprint"),
      inlineKey: ociSetting(env, "private_key")?.replaceAll("\\n", "\n"),
      keyPath: ociSetting(env, "private_key_path"),
      passphrase: ociSetting(env, "private_key_password"),
    },
    ...sections.map(({ label, settings }): KeySource => {
      const get = (key: string) => settings.get(key) || undefined;
      return { label, tenancy: get("tenancy"), user: get("user"), fingerprint: get("fingerprint"), keyPath: get("key_file"), passphrase: get("pass_phrase") ?? get("passphrase") };
    }),
  ];
  const keyId = sources.find((s) => s.tenancy && s.user && s.fingerprint);
  let privateKey: { readonly pem: string; readonly passphrase: string | null } | undefined;
  for (const s of sources) {
    const pem = s.inlineKey ?? (s.keyPath ? readKeyFile(s.keyPath) : undefined);
    if (pem) {
      privateKey = { pem, passphrase: s.passphrase ?? null };
      break;
    }
  }
  if (!keyId || !privateKey) {
    const where = sources.map((s) => s.label).join(", ");
    const missing = [
      ...(keyId ? [] : [`tenancy_ocid, user_ocid and fingerprint (config file: tenancy, user, fingerprint) all in one of ${where}`]),
      ...(privateKey ? [] : [`private_key or a readable private_key_path (config file: key_file) in any of ${where}`]),
    ];
    throw new Error(`OCI API key: no ${missing.join("; no ")}`);
  }
  return { tenancy: keyId.tenancy!, user: keyId.user!, fingerprint: keyId.fingerprint!, privateKey: privateKey.pem, passphrase: privateKey.passphrase };
}

/**
 * Asks OCI to stop an instance (a hard stop: "STOP - Powers off the
 * instance", docs.oracle.com/iaas/api/#/en/iaas/20160918/Instance/InstanceAction).
 * The SDK loads only here, when a build needs it. `endpoint` replaces the
 * region's (tests).
 */
export async function stopOciInstance(region: string, instanceId: string, env: Env = process.env, endpoint?: string): Promise<void> {
  const [common, core] = await Promise.all([import("oci-common"), import("oci-core")]);
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(common.ConfigFileReader.expandUserHome(path), "utf8");
    } catch {
      return undefined;
    }
  };
  const key = ociApiKey(env, configSections(env, read), read);
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
