import assert from "node:assert/strict";
import { generateKeyPairSync, verify } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { ConfigFileReader } from "oci-common";
import { ociApiKey, ociSetting, type ProfileSetting, stopOciInstance } from "./api";

const API_KEY = { TF_VAR_tenancy_ocid: "ocid1.tenancy.oc1..t", TF_VAR_user_ocid: "ocid1.user.oc1..u", TF_VAR_fingerprint: "aa:bb", TF_VAR_private_key: "PEM" };

/** A config file's profile as Oracle's SDK parses it (oci-common ConfigFileReader.parse, ConfigFile.get). */
const profileOf = (text: string, profile: string | null = null): ProfileSetting => {
  const file = ConfigFileReader.parse(text, profile);
  return (key) => file.get(key);
};
const NO_FILE: ProfileSetting = () => undefined;
const noRead = (path: string): string => assert.fail(`read ${path}`);

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

  it("fills each part the environment lacks from the config file's profile, the environment first", () => {
    const file = "[DEFAULT]\ntenancy=ocid1.tenancy.oc1..file\nuser=ocid1.user.oc1..file\nfingerprint=ff\nkey_file=~/.oci/key.pem\npass_phrase=pp\n[fleet]\nuser=ocid1.user.oc1..fleet\n";
    const read = (path: string) => `key at ${path}`;
    assert.deepEqual(ociApiKey({ OCI_TENANCY_OCID: "ocid1.tenancy.oc1..env" }, profileOf(file), read), {
      tenancy: "ocid1.tenancy.oc1..env", user: "ocid1.user.oc1..file", fingerprint: "ff", privateKey: "key at ~/.oci/key.pem", passphrase: "pp",
    });
    // A named profile, DEFAULT under it; an environment key path over the file's.
    const key = ociApiKey({ TF_VAR_private_key_path: "/k.pem" }, profileOf(file, "fleet"), read);
    assert.equal(key.user, "ocid1.user.oc1..fleet");
    assert.equal(key.privateKey, "key at /k.pem");
  });

  it("names every part it found nowhere, and refuses other auth modes", () => {
    const { TF_VAR_fingerprint: _, TF_VAR_private_key: __, ...partial } = API_KEY;
    assert.throws(() => ociApiKey(partial, NO_FILE, noRead), /no fingerprint \(config file: fingerprint\), private_key or private_key_path \(config file: key_file\);/);
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
    // The draft-cavage HTTP signature OCI verifies: keyId tenancy/user/fingerprint, RSA-SHA256 over the listed headers.
    const authorization = request!.headers.authorization ?? "";
    const field = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(authorization)?.[1];
    assert.equal(field("keyId"), "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/aa:bb");
    assert.equal(field("algorithm"), "rsa-sha256");
    // Names as listed, lowercased in the signing string (draft-cavage-http-signatures, 2.3); OCI takes x-date for date.
    const signed = field("headers")!.toLowerCase().split(" ");
    assert.ok(signed.includes("(request-target)") && signed.includes("host") && (signed.includes("date") || signed.includes("x-date")), field("headers"));
    const signingString = signed.map((h) => `${h}: ${h === "(request-target)" ? `post ${request!.url}` : String(request!.headers[h])}`).join("\n");
    assert.ok(verify("sha256", Buffer.from(signingString), publicKey, Buffer.from(field("signature")!, "base64")), "the signature verifies");
  });

  it("rejects with OCI's own error when OCI refuses the stop, once, without retrying", async () => {
    // OCI's error body: code and message (docs.oracle.com/iaas/Content/API/References/apierrors.htm: 409 IncorrectState).
    const { requests, error } = await stopAgainst(409, { code: "IncorrectState", message: "Instance is not running" }, env);
    assert.equal(requests.length, 1);
    assert.match(String(error?.message), /Instance is not running/);
  });
});
