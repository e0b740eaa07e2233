import assert from "node:assert/strict";
import { generateKeyPairSync, verify } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { ociCredentials, ociSetting, stopOciInstance } from "./api";

const API_KEY = { TF_VAR_tenancy_ocid: "ocid1.tenancy.oc1..t", TF_VAR_user_ocid: "ocid1.user.oc1..u", TF_VAR_fingerprint: "aa:bb", TF_VAR_private_key: "PEM" };

describe("OCI credentials, as the provider reads them", () => {
  it("takes TF_VAR_<name> first, then OCI_<NAME>, skipping empty values", () => {
    assert.equal(ociSetting({ TF_VAR_fingerprint: "a", OCI_FINGERPRINT: "b" }, "fingerprint"), "a");
    assert.equal(ociSetting({ TF_VAR_fingerprint: "", OCI_FINGERPRINT: "b" }, "fingerprint"), "b");
    assert.equal(ociSetting({}, "fingerprint"), undefined);
  });

  it("signs with the environment's API key, the key read from private_key_path when that is what is set", () => {
    assert.deepEqual(ociCredentials(API_KEY), { kind: "api-key", tenancy: "ocid1.tenancy.oc1..t", user: "ocid1.user.oc1..u", fingerprint: "aa:bb", privateKey: "PEM", passphrase: null });
    const { TF_VAR_private_key: _, ...byPath } = API_KEY;
    const read = (path: string) => `key at ${path}`;
    assert.equal((ociCredentials({ ...byPath, OCI_PRIVATE_KEY_PATH: "/k.pem", OCI_PRIVATE_KEY_PASSWORD: "pw" }, read) as { privateKey: string }).privateKey, "key at /k.pem");
    assert.equal((ociCredentials({ ...byPath, OCI_PRIVATE_KEY_PATH: "/k.pem", OCI_PRIVATE_KEY_PASSWORD: "pw" }, read) as { passphrase: string }).passphrase, "pw");
  });

  it("uses ~/.oci/config's profile when the environment has no API key", () => {
    assert.deepEqual(ociCredentials({}), { kind: "config-file", profile: "DEFAULT" });
    assert.deepEqual(ociCredentials({ OCI_CONFIG_FILE_PROFILE: "fleet" }), { kind: "config-file", profile: "fleet" });
  });

  it("refuses half an API key and other auth modes, naming what to set", () => {
    const { TF_VAR_fingerprint: _, ...partial } = API_KEY;
    assert.throws(() => ociCredentials(partial), /tenancy_ocid, user_ocid, private_key or private_key_path set .* but not fingerprint/);
    assert.throws(() => ociCredentials({ ...API_KEY, TF_VAR_auth: "InstancePrincipal" }), /OCI auth "InstancePrincipal" .* supports only ApiKey/);
  });
});

describe("stopOciInstance: the request Oracle's SDK sends", () => {
  it("POSTs InstanceAction STOP for the instance, signed with the API key", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const requests: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
    // Answers as OCI's InstanceAction does: 200 with the Instance
    // (docs.oracle.com/iaas/api/#/en/iaas/20160918/Instance/InstanceAction).
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        requests.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(200, { "content-type": "application/json", etag: "e1", "opc-request-id": "r1" });
        res.end(JSON.stringify({ id: "ocid1.instance.oc1.iad.b", lifecycleState: "STOPPING" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const env = { ...API_KEY, TF_VAR_private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
      await stopOciInstance("us-ashburn-1", "ocid1.instance.oc1.iad.b", env, `http://127.0.0.1:${port}`);
    } finally {
      server.close();
    }
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
    const signingString = signed
      .map((h) => `${h}: ${h === "(request-target)" ? `post ${request!.url}` : String(request!.headers[h])}`)
      .join("\n");
    assert.ok(verify("sha256", Buffer.from(signingString), publicKey, Buffer.from(field("signature")!, "base64")), "the signature verifies");
  });
});
