import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { engineConfig } from "../../plan/stack-file";
import { parseFleetConfig, routesOf } from "../../stacks/config";
import { rawStackConfig } from "../../stacks/stack";
import { encodeRouteUserData, KEY_STAND_INS, USER_DATA_KEY_HEADROOM } from "./index";
import { ed25519KeyText } from "./openssh-keys";
import type { RouteKeys } from "./userdata";

/** A real ED25519 key pair from a seed (PKCS#8 with the RFC 8410 prefix), so the test is the same on every run. */
function realKey(label: string): { text: ReturnType<typeof ed25519KeyText>; seed: Buffer } {
  const digest = (part: string) => createHash("sha256").update(`${label} ${part}`).digest();
  const seed = digest("seed");
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
  const publicKey = Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x ?? "", "base64url");
  return { text: ed25519KeyText(seed, publicKey, digest("check").subarray(0, 4)), seed };
}

const realKeys = (i: number): RouteKeys => {
  const [host, management] = [realKey(`host ${i}`).text, realKey(`management ${i}`).text];
  return { hostPrivateKey: host.privateKeyOpenssh, hostPublicKey: host.publicKeyOpenssh, managementPublicKey: management.publicKeyOpenssh };
};

describe("ed25519KeyText", () => {
  it("writes keys that OpenSSH reads: ssh-keygen derives the same public key from the private one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "keys-"));
    for (const i of [0, 1, 2]) {
      const { text } = realKey(`ssh-keygen ${i}`);
      const file = path.join(dir, `key-${i}`);
      writeFileSync(file, text.privateKeyOpenssh, { mode: 0o600 });
      assert.equal(`${execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" }).trim()}\n`, text.publicKeyOpenssh);
    }
    assert.match(readFileSync(path.join(dir, "key-0"), "utf8"), /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END OPENSSH PRIVATE KEY-----\n$/);
  });

  it("writes key bodies as long as OpenSSH's own (ssh-keygen, empty passphrase and comment: the format Go's MarshalPrivateKey writes too)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ssh-keygen-"));
    const body = (pem: string) => Buffer.from(pem.split("\n").filter((line) => line !== "" && !line.startsWith("-----")).join(""), "base64").length;
    // One key: with no passphrase and no comment, every ed25519 key has the same sizes.
    const file = path.join(dir, "key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file]);
    // ssh-keygen's file wraps at 70 characters (as it writes here), Go's encoding/pem at 64 (encoding/pem/pem.go,
    // pemLineLength), and its .pub ends an empty comment with a space: the bytes are what must agree.
    assert.equal(body(KEY_STAND_INS.hostPrivateKey), body(readFileSync(file, "utf8")));
    assert.equal(KEY_STAND_INS.hostPublicKey.split(" ")[1]!.trim().length, readFileSync(`${file}.pub`, "utf8").split(" ")[1]!.length);
  });

  it("KEY_STAND_INS have the generated keys' exact length and layout", () => {
    const layout = (s: string) => s.split("\n").map((line) => line.length);
    for (const i of [0, 1, 2]) {
      const keys = realKeys(i);
      assert.deepEqual(layout(KEY_STAND_INS.hostPrivateKey), layout(keys.hostPrivateKey));
      assert.equal(KEY_STAND_INS.hostPublicKey.length, keys.hostPublicKey.length);
      assert.equal(KEY_STAND_INS.managementPublicKey.length, keys.managementPublicKey.length);
    }
  });
});

describe("user-data sizes checked with KEY_STAND_INS", () => {
  const stack = engineConfig(readFileSync(path.join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8"));
  const config = parseFleetConfig(rawStackConfig(stack.config));
  const secrets = { routeConfig: JSON.stringify({ inbounds: [{ type: "vless", listen_port: 443, uuid: createHash("sha256").update("uuid").digest("hex") }] }) };
  const oneRoutePer = (provider: string) => routesOf(config).find((r) => r.provider === provider) ?? assert.fail(provider);

  for (const provider of ["alicloud", "oci"]) {
    it(`${provider}: the plain size is the real keys' size exactly`, () => {
      const route = oneRoutePer(provider);
      const standIn = encodeRouteUserData(route, "prod", config, secrets, KEY_STAND_INS);
      assert.equal(standIn.gzipped, false);
      for (const i of [0, 1, 2]) assert.equal(encodeRouteUserData(route, "prod", config, secrets, realKeys(i)).countedBytes, standIn.countedBytes);
    });
  }

  it("linode (gzipped): 300 real key pairs land within the headroom of the stand-ins' size", () => {
    const route = oneRoutePer("linode");
    const standIn = encodeRouteUserData(route, "prod", config, secrets, KEY_STAND_INS);
    assert.equal(standIn.gzipped, true);
    const differences = Array.from({ length: 300 }, (_, i) => encodeRouteUserData(route, "prod", config, secrets, realKeys(i)).countedBytes - standIn.countedBytes);
    const worst = Math.max(...differences.map(Math.abs));
    assert.ok(worst <= USER_DATA_KEY_HEADROOM / 2, `real keys moved the gzipped size by up to ${worst} bytes; the headroom is ${USER_DATA_KEY_HEADROOM}`);
  });

  it("stand-ins that compress, as the old all-'A' ones did, would under-count the real keys", () => {
    const route = oneRoutePer("linode");
    const compressible: RouteKeys = {
      hostPrivateKey: KEY_STAND_INS.hostPrivateKey.replace(/[A-Za-z0-9+/=](?![^\n]*-----)/g, "A"),
      hostPublicKey: KEY_STAND_INS.hostPublicKey.replace(/ .*/, ` ${"A".repeat(68)}`),
      managementPublicKey: KEY_STAND_INS.managementPublicKey.replace(/ .*/, ` ${"A".repeat(68)}`),
    };
    const under = encodeRouteUserData(route, "prod", config, secrets, compressible).countedBytes;
    assert.ok(encodeRouteUserData(route, "prod", config, secrets, realKeys(0)).countedBytes - under > USER_DATA_KEY_HEADROOM);
  });
});
