/**
 * The one OCI call the Pulumi OCI provider has no resource for: stopping an
 * instance (InstanceAction STOP, through Oracle's SDK, oci-core
 * ComputeClient.instanceAction). It uses the credentials the program's
 * regional OCI providers use. Those are explicit providers given only a
 * region (components/providers.ts), so the provider reads each setting from
 * TF_VAR_<name>, then OCI_<NAME>, the first one set and not empty
 * (oracle/terraform-provider-oci internal/provider/provider.go:
 * MultiEnvDefaultFunc with tfVarName and ociVarName), and falls back to
 * ~/.oci/config (oci_common.DefaultConfigProvider, or the
 * `config_file_profile` setting's profile).
 */
import { readFileSync } from "node:fs";

type Env = Readonly<Record<string, string | undefined>>;

/** One provider setting from the environment, read the way the provider reads it. */
export function ociSetting(env: Env, name: string): string | undefined {
  return env[`TF_VAR_${name}`] || env[`OCI_${name.toUpperCase()}`] || undefined;
}

export type OciCredentials =
  | { readonly kind: "api-key"; readonly tenancy: string; readonly user: string; readonly fingerprint: string; readonly privateKey: string; readonly passphrase: string | null }
  | { readonly kind: "config-file"; readonly profile: string };

const API_KEY_SETTINGS = ["tenancy_ocid", "user_ocid", "fingerprint", "private_key or private_key_path"] as const;

/**
 * The API key the provider would sign with: all of it from the environment,
 * or none of it (then the config file's profile). Other auth modes (instance
 * or resource principals, security tokens) are the provider's alone.
 */
export function ociCredentials(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): OciCredentials {
  const auth = ociSetting(env, "auth") ?? "ApiKey";
  if (auth.toLowerCase() !== "apikey") {
    throw new Error(`OCI auth "${auth}" (TF_VAR_auth or OCI_AUTH): stopping a builder through OCI's API supports only ApiKey`);
  }
  const keyPath = ociSetting(env, "private_key_path");
  const values = [ociSetting(env, "tenancy_ocid"), ociSetting(env, "user_ocid"), ociSetting(env, "fingerprint"), ociSetting(env, "private_key") ?? (keyPath && readFile(keyPath))];
  const [tenancy, user, fingerprint, privateKey] = values;
  if (tenancy && user && fingerprint && privateKey) {
    return { kind: "api-key", tenancy, user, fingerprint, privateKey, passphrase: ociSetting(env, "private_key_password") ?? null };
  }
  const set = API_KEY_SETTINGS.filter((_, i) => values[i]);
  if (set.length > 0) {
    const missing = API_KEY_SETTINGS.filter((_, i) => !values[i]);
    throw new Error(`OCI API key: ${set.join(", ")} set in the environment (TF_VAR_<name> or OCI_<NAME>) but not ${missing.join(", ")}: set all of them, or none to use ~/.oci/config`);
  }
  return { kind: "config-file", profile: ociSetting(env, "config_file_profile") ?? "DEFAULT" };
}

/**
 * Asks OCI to stop an instance (a hard stop: "STOP - Powers off the
 * instance", docs.oracle.com/iaas/api/#/en/iaas/20160918/Instance/InstanceAction).
 * The SDK loads only here, when a build needs it. `endpoint` replaces the
 * region's (tests).
 */
export async function stopOciInstance(region: string, instanceId: string, env: Env = process.env, endpoint?: string): Promise<void> {
  const credentials = ociCredentials(env);
  const [common, core] = await Promise.all([import("oci-common"), import("oci-core")]);
  const authenticationDetailsProvider =
    credentials.kind === "api-key"
      ? new common.SimpleAuthenticationDetailsProvider(credentials.tenancy, credentials.user, credentials.fingerprint, credentials.privateKey, credentials.passphrase)
      : new common.ConfigFileAuthenticationDetailsProvider(undefined, credentials.profile);
  const client = new core.ComputeClient({ authenticationDetailsProvider });
  client.regionId = region;
  if (endpoint) client.endpoint = endpoint;
  try {
    await client.instanceAction({ instanceId, action: "STOP" });
  } finally {
    client.close();
  }
}
