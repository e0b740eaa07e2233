/**
 * The text of the ED25519 keys the program generates (tls.PrivateKey), byte
 * for byte in length and layout, so user-data sizes can be checked before
 * the keys exist. terraform-provider-tls writes the private key with
 * ssh.MarshalPrivateKey(key, "") (internal/provider/resource_private_key.go;
 * golang.org/x/crypto ssh/keys.go, marshalOpenSSHPrivateKey: the random check
 * twice, empty comment, padding 1, 2, 3...) wrapped by Go's encoding/pem
 * (64-character lines), and the public key with ssh.MarshalAuthorizedKey
 * (internal/provider/common_key.go): `ssh-ed25519 <base64>\n`.
 */
import { createHash } from "node:crypto";
import type { RouteKeys } from "./userdata";

const KEY_TYPE = Buffer.from("ssh-ed25519");

/** An SSH wire-format string: uint32 length, then the bytes (RFC 4251 section 5). */
export const sshString = (bytes: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

export interface Ed25519KeyText {
  readonly privateKeyOpenssh: string;
  readonly publicKeyOpenssh: string;
}

/** The public key's wire blob (RFC 8709): the key type, then the 32-byte key. */
const publicBlobOf = (publicKey: Buffer): Buffer => Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);

/** `ssh-ed25519 <base64>\n`, as ssh.MarshalAuthorizedKey writes a 32-byte public key. */
export const ed25519PublicKeyText = (publicKey: Buffer): string => `ssh-ed25519 ${publicBlobOf(publicKey).toString("base64")}\n`;

/** `seed` and `publicKey` are 32 bytes each; `check` the 4 random check bytes lib.go repeats. */
export function ed25519KeyText(seed: Buffer, publicKey: Buffer, check: Buffer): Ed25519KeyText {
  const publicBlob = publicBlobOf(publicKey);
  const unpadded = Buffer.concat([check, check, sshString(KEY_TYPE), sshString(publicKey), sshString(Buffer.concat([seed, publicKey])), sshString(Buffer.alloc(0))]);
  const padding = Buffer.from(Array.from({ length: (8 - (unpadded.length % 8)) % 8 }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0"),
    sshString(Buffer.from("none")),
    sshString(Buffer.from("none")),
    sshString(Buffer.alloc(0)),
    Buffer.from([0, 0, 0, 1]),
    sshString(publicBlob),
    sshString(Buffer.concat([unpadded, padding])),
  ]);
  const lines = body.toString("base64").match(/.{1,64}/g) ?? [];
  return {
    privateKeyOpenssh: ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join("\n"),
    publicKeyOpenssh: ed25519PublicKeyText(publicKey),
  };
}

/** Hash output: as incompressible as key material, and the same on every run. */
export function hashBytes(label: string, length: number): Buffer {
  const blocks = Array.from({ length: Math.ceil(length / 32) }, (_, i) => createHash("sha256").update(`${label} ${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

const standInKey = (label: string): Ed25519KeyText =>
  ed25519KeyText(hashBytes(`${label} seed`, 32), hashBytes(`${label} public`, 32), hashBytes(`${label} check`, 4));

/**
 * Keys of the generated keys' exact length, with random-looking bytes where
 * theirs are random: a document rendered with them has the real one's plain
 * size exactly, and its gzipped size within a few bytes (USER_DATA_KEY_HEADROOM).
 */
const HOST_STAND_IN = standInKey("host");
export const KEY_STAND_INS: RouteKeys = {
  managementPublicKey: standInKey("management").publicKeyOpenssh,
  hostPrivateKey: HOST_STAND_IN.privateKeyOpenssh,
  hostPublicKey: HOST_STAND_IN.publicKeyOpenssh,
};
