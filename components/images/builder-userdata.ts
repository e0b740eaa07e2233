/**
 * A builder's user-data: only its SSH host key, so every build connection
 * can pin it (`connection.hostKey`) instead of trusting the first key it
 * sees. The stock image's own login setup (root on Linode and alicloud,
 * ubuntu on OCI) is left as it is.
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { stringify } from "yaml";
import type { ProviderName } from "../../stacks/catalog";
import { encodeUserData } from "../cloud-init/encoding";

/** The cloud-config text. cloud-init's ssh module writes the given key before sshd starts. */
export function renderBuilderUserData(hostKey: { readonly privateKey: string; readonly publicKey: string }): string {
  const doc = {
    ssh_pwauth: false,
    // The given key replaces the image's generated ones (ssh_deletekeys defaults to true), and
    // cloud-init generates none when keys are given (cloudinit/config/cc_ssh.py, handle).
    ssh_keys: { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey },
    ssh_genkeytypes: ["ed25519"],
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}

export interface BuilderHostKey {
  /** The public half (OpenSSH line), pinned by every build connection. */
  readonly publicKey: pulumi.Output<string>;
  /** Base64 user-data that installs the key, a secret (it carries the private half). */
  readonly userData: pulumi.Output<string>;
}

/** Generates a builder's ed25519 host key (kept as a Pulumi secret) and the user-data that installs it. */
export function builderHostKey(builderName: string, provider: ProviderName, parent: pulumi.Resource): BuilderHostKey {
  const key = new tls.PrivateKey(`${builderName}-host-key`, { algorithm: "ED25519" }, { parent });
  const userData = pulumi
    .all([key.privateKeyOpenssh, key.publicKeyOpenssh])
    .apply(([privateKey, publicKey]) =>
      pulumi.secret(encodeUserData(builderName, provider, renderBuilderUserData({ privateKey, publicKey })).base64),
    );
  return { publicKey: key.publicKeyOpenssh, userData };
}
