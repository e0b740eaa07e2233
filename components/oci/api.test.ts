import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject, verify } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { configProfile, configSections, ociApiKey, ociSetting, stopOciInstance } from "./api";

const API_KEY = { TF_VAR_tenancy_ocid: "ocid1.tenancy.oc1..t", TF_VAR_user_ocid: "ocid1.user.oc1..u", TF_VAR_fingerprint: "aa:bb", TF_VAR_private_key: "PEM" };

const NO_FILE = [] as const;
const noRead = (path: string): string => assert.fail(`read ${path}`);
/** Config files by path, as `readText` sees them. */
const files =
  (byPath: Record<string, string>) =>
  (path: string): string | undefined =>
    byPath[path];

describe("OCI's API key, found where the provider finds it", () => {
  it("takes TF_VAR_<name> first, then OCI_<NAME>, skipping empty values", () => {
    assert.equal(ociSetting({ TF_VAR_fingerprint: "a", OCI_FINGERPRINT: "b" }, "fingerprint"), "a");
    assert.equal(ociSetting({ TF_VAR_fingerprint: "", OCI_FINGERPRINT: "b" }, "fingerprint"), "b");
    assert.equal(ociSetting({}, "fingerprint"), undefined);
  });

  it("signs with the environment's key, its literal \\n turned into newlines", () => {
    assert.deepEqual(ociApiKey({ ...API_KEY, TF_VAR_private_key: "-----BEGIN-----\\nAB\\n-----END-----" }, NO_FILE, noRead), {
      tenancy: "ocid1.tenancy.oc1..t", user: "ocid1.user.oc1..u", fingerprint: "aa:bb", privateKey: "-----BEGIN-----\nAB\n-----END-----", passphrase: null,
    });
  });

  it("reads a profile's own section only, as the provider's SDK parses it", () => {
    const text = "[DEFAULT]\nuser=ocid1.user.oc1..d\n[fleet]\n# a comment\nTenancy = ocid1.tenancy.oc1..f\nkey_file=~/k.pem\n[other]\nuser=o\n";
    assert.deepEqual(configProfile(text, "fleet"), new Map([["tenancy", "ocid1.tenancy.oc1..f"], ["key_file", "~/k.pem"]]));
    assert.equal(configProfile(text, "missing"), undefined);
  });

  it("falls back to the profiles the provider falls back to, in its order", () => {
    const text = (name: string) => `[DEFAULT]\nuser=${name}\n[fleet]\nuser=${name}-fleet\n`;
    const sections = (env: Record<string, string>, byPath: Record<string, string>) => configSections(env, files(byPath)).map((s) => s.label);
    // config_file_profile: that profile then DEFAULT, in ~/.oci/config only; a missing profile stops the provider too.
    assert.deepEqual(sections({ OCI_CONFIG_FILE_PROFILE: "fleet", OCI_CONFIG_FILE: "/c" }, { "~/.oci/config": text("a"), "/c": text("c") }), ["~/.oci/config [fleet]", "~/.oci/config [DEFAULT]"]);
    assert.throws(() => sections({ TF_VAR_config_file_profile: "fleet" }, { "/c": text("c") }), /~\/\.oci\/config has no profile \[fleet\]/);
    // Otherwise DEFAULT: in ~/.oci/config, or OCI_CONFIG_FILE when it is absent; then in ~/.oraclebmc/config.
    assert.deepEqual(sections({ OCI_CONFIG_FILE: "/c" }, { "~/.oci/config": text("a"), "/c": text("c"), "~/.oraclebmc/config": text("b") }), ["~/.oci/config [DEFAULT]", "~/.oraclebmc/config [DEFAULT]"]);
    assert.deepEqual(sections({ OCI_CONFIG_FILE: "/c" }, { "/c": text("c") }), ["/c [DEFAULT]"]);
    assert.deepEqual(sections({}, {}), []);
  });

  it("pairs each private key with its own source's passphrase", () => {
    const fleet = { label: "fleet", settings: configProfile("[fleet]\nkey_file=~/f.pem\npass_phrase=fp\n", "fleet")! };
    const read = (path: string) => (path === "/missing.pem" ? undefined : `key at ${path}`);
    // The environment's key with the environment's passphrase (none), never the profile's.
    const key = ociApiKey({ ...API_KEY, TF_VAR_private_key: "", OCI_PRIVATE_KEY_PATH: "/e.pem" }, [fleet], read);
    assert.deepEqual([key.privateKey, key.passphrase], ["key at /e.pem", null]);
    // An unreadable environment key path falls through to the profile's key_file, with its pass_phrase, never the environment's.
    const fallen = ociApiKey({ ...API_KEY, TF_VAR_private_key: "", TF_VAR_private_key_path: "/missing.pem", TF_VAR_private_key_password: "ep" }, [fleet], read);
    assert.deepEqual([fallen.privateKey, fallen.passphrase], ["key at ~/f.pem", "fp"]);
  });

  it("names every part it found nowhere, and refuses other auth modes", () => {
    const { TF_VAR_fingerprint: _, TF_VAR_private_key: __, ...partial } = API_KEY;
    assert.throws(
      () => ociApiKey(partial, NO_FILE, noRead),
      /no tenancy_ocid, user_ocid and fingerprint .* all in one of the environment .*; no private_key or a readable private_key_path .* in any of the environment/,
    );
    assert.throws(() => ociApiKey({ ...API_KEY, TF_VAR_auth: "InstancePrincipal" }, NO_FILE, noRead), /OCI auth "InstancePrincipal" .* API key only/);
    assert.equal(ociApiKey({ ...API_KEY, OCI_AUTH: "apikey" }, NO_FILE, noRead).fingerprint, "aa:bb", "auth is matched without case, as the provider does");
  });
});

/** Runs stopOciInstance against a local server answering `status` with `body`, as OCI's API would; returns what it received. */
async function stopAgainst(status: number, body: object, env: Record<string, string>): Promise<{ requests: { method?: string; url?: string; headers: IncomingHttpHeaders }[]; error?: Error }> {
  const requests: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers });
      res.writeHead(status, { "content-type": "application/json", "opc-request-id": "r1", ...(status === 200 ? { etag: "e1" } : {}) });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await stopOciInstance("us-ashburn-1", "ocid1.instance.oc1.iad.b", env, `http://127.0.0.1:${port}`);
    return { requests };
  } catch (error) {
    return { requests, error: error as Error };
  } finally {
    server.close();
  }
}

/** The draft-cavage HTTP signature OCI verifies: keyId tenancy/user/fingerprint, RSA-SHA256 over the listed headers. */
function signatureOf(request: { url?: string; headers: IncomingHttpHeaders }): { keyId?: string; algorithm?: string; signed: string[]; verifiesWith: (publicKey: KeyObject) => boolean } {
  const authorization = request.headers.authorization ?? "";
  const field = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(authorization)?.[1];
  // Names as listed, lowercased in the signing string (draft-cavage-http-signatures, 2.3); OCI takes x-date for date.
  const signed = (field("headers") ?? "").toLowerCase().split(" ");
  const signingString = signed.map((h) => `${h}: ${h === "(request-target)" ? `post ${request.url}` : String(request.headers[h])}`).join("\n");
  return {
    keyId: field("keyId"),
    algorithm: field("algorithm"),
    signed,
    verifiesWith: (publicKey) => verify("sha256", Buffer.from(signingString), publicKey, Buffer.from(field("signature") ?? "", "base64")),
  };
}

/** Runs `run` with HOME (where ~/.oci/config is) a fresh directory holding `homeFiles`. */
async function withHome<T>(homeFiles: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), "oci-home-"));
  const saved = process.env.HOME;
  for (const [path, text] of Object.entries(homeFiles)) {
    mkdirSync(dirname(join(home, path)), { recursive: true });
    writeFileSync(join(home, path), text);
  }
  process.env.HOME = home;
  try {
    return await run();
  } finally {
    process.env.HOME = saved;
    rmSync(home, { recursive: true, force: true });
  }
}

describe("stopOciInstance: the request Oracle's SDK sends", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const env = { ...API_KEY, TF_VAR_private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };

  it("POSTs InstanceAction STOP for the instance, signed with the API key", async () => {
    // OCI's answer to InstanceAction: 200 with the Instance
    // (docs.oracle.com/iaas/api/#/en/iaas/20160918/Instance/InstanceAction).
    const { requests, error } = await stopAgainst(200, { id: "ocid1.instance.oc1.iad.b", lifecycleState: "STOPPING" }, env);
    assert.equal(error, undefined);
    assert.equal(requests.length, 1);
    const [request] = requests;
    assert.equal(request!.method, "POST");
    assert.equal(request!.url, "/20160918/instances/ocid1.instance.oc1.iad.b?action=STOP");
    const signature = signatureOf(request!);
    assert.equal(signature.keyId, "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/aa:bb");
    assert.equal(signature.algorithm, "rsa-sha256");
    const { signed } = signature;
    assert.ok(signed.includes("(request-target)") && signed.includes("host") && (signed.includes("date") || signed.includes("x-date")), signed.join(" "));
    assert.ok(signature.verifiesWith(publicKey), "the signature verifies");
  });

  it("rejects with OCI's own error when OCI refuses the stop, once, without retrying", async () => {
    // OCI's error body: code and message (docs.oracle.com/iaas/Content/API/References/apierrors.htm: 409 IncorrectState).
    const { requests, error } = await stopAgainst(409, { code: "IncorrectState", message: "Instance is not running" }, env);
    assert.equal(requests.length, 1);
    assert.match(String(error?.message), /Instance is not running/);
  });

  // The provider's whole-unit composition, end to end: the config file in HOME, as the provider reads it.
  const DEFAULT = "[DEFAULT]\ntenancy=ocid1.tenancy.oc1..d\nuser=ocid1.user.oc1..d\nfingerprint=dd\n";
  const FLEET = "[fleet]\ntenancy=ocid1.tenancy.oc1..f\nuser=ocid1.user.oc1..f\nfingerprint=ff\n";
  const stopWith = async (config: string, stopEnv: Record<string, string>, home: Record<string, string> = {}) => {
    const { requests, error } = await withHome({ ".oci/config": config, ...home }, () => stopAgainst(200, { lifecycleState: "STOPPING" }, stopEnv));
    assert.equal(error, undefined);
    return signatureOf(requests[0]!);
  };

  it("takes the profile's whole key id over a stray environment tenancy", async () => {
    const signature = await stopWith(DEFAULT + FLEET, { TF_VAR_config_file_profile: "fleet", OCI_TENANCY_OCID: "ocid1.tenancy.oc1..stray", TF_VAR_private_key: env.TF_VAR_private_key });
    assert.equal(signature.keyId, "ocid1.tenancy.oc1..f/ocid1.user.oc1..f/ff");
  });

  it("takes DEFAULT's whole key id when the profile has only part of one", async () => {
    const signature = await stopWith(`${DEFAULT}[fleet]\nuser=ocid1.user.oc1..f\n`, { OCI_CONFIG_FILE_PROFILE: "fleet", TF_VAR_private_key: env.TF_VAR_private_key });
    assert.equal(signature.keyId, "ocid1.tenancy.oc1..d/ocid1.user.oc1..d/dd");
  });

  it("signs with the profile's key and its pass_phrase when the environment's key path is unreadable", async () => {
    const encrypted = privateKey.export({ type: "pkcs1", format: "pem", cipher: "aes-128-cbc", passphrase: "right" }).toString();
    const { TF_VAR_private_key: _, ...keyId } = API_KEY;
    const signature = await stopWith(`${DEFAULT}key_file=~/.oci/key.pem\npass_phrase=right\n`, { ...keyId, TF_VAR_private_key_path: "/nonexistent/key.pem" }, { ".oci/key.pem": encrypted });
    assert.equal(signature.keyId, "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/aa:bb");
    assert.ok(signature.verifiesWith(publicKey), "signed with the profile's key");
  });
});
