/**
 * The one set of Pulumi mocks, shared by the offline plan and the unit tests:
 * resources echo their inputs plus the outputs the program reads (ids, IPs);
 * data sources return plausible answers. An invoke nobody mocked fails
 * loudly so a new data source cannot slip through unplanned.
 *
 * `PLAN_MOCK_SEED` varies the answers that change over time on a real cloud
 * ("the newest stock image", "the first zone offering a type"), so a test can
 * plan twice and prove that no declared input depends on them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ed25519PublicKeyText, hashBytes, sshString } from "../components/cloud-init/openssh-keys";
import { sha256Hex } from "../components/naming";
import { USER_DATA_INPUT } from "../stacks/catalog";

const seed = (): string => sha256Hex(process.env.PLAN_MOCK_SEED ?? "").slice(0, 8);

const CALLS: Readonly<Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>> = {
  // Time-varying answers (scripts/propose-pins.ts asks these; the program must not).
  "alicloud:index/getZones:getZones": () => ({ zones: [{ id: `mock-zone-${seed()}` }], ids: [`mock-zone-${seed()}`] }),
  "alicloud:ecs/getImages:getImages": () => ({ images: [{ id: `ubuntu_24_04_x64_20G_alibase_${seed()}.vhd` }] }),
  // Without compartmentId: a platform image, as the service returns one (components/images/stock.ts).
  "oci:Core/getImages:getImages": () => ({ images: [{ id: `ocid1.image.oc1..mock${seed()}` }] }),
  "oci:Identity/getAvailabilityDomains:getAvailabilityDomains": () => ({
    availabilityDomains: [{ name: "Mock:AD-1" }],
  }),
  // A builder's power state once its guest has powered off, as each provider reports it:
  // Linode instance `status` "offline" (linode/linodego instances.go, InstanceOffline, which
  // linode/terraform-provider-linode's instances data source passes through), ECS `status`
  // "Stopped" (aliyun/terraform-provider-alicloud, alicloud/data_source_alicloud_instances.go and
  // common.go), OCI `state` "STOPPED" (oracle/oci-go-sdk core/instance.go,
  // InstanceLifecycleStateStopped, set by oracle/terraform-provider-oci
  // internal/service/core/core_instance_data_source.go from lifecycleState).
  "linode:index/getInstances:getInstances": (inputs) => {
    const id = (inputs.filters as { values: string[] }[] | undefined)?.[0]?.values[0];
    return { instances: id ? [{ id: Number(id), status: "offline" }] : [] };
  },
  "alicloud:ecs/getInstances:getInstances": (inputs) => ({
    instances: ((inputs.ids as string[] | undefined) ?? []).map((id) => ({ id, status: "Stopped" })),
  }),
  "oci:Core/getInstance:getInstance": (inputs) => ({ id: inputs.instanceId, state: "STOPPED" }),
};

/** A documentation-range IPv4 address (192.0.2.0/24 and friends), stable per name. */
function mockIp(name: string): string {
  const h = Buffer.from(sha256Hex(name), "hex");
  return `198.51.${h[0]! % 100}.${(h[1]! % 250) + 1}`;
}

/**
 * Built images: the input that names one (a rebuild changes it and replaces
 * the image: replaceOnChanges in components/<provider>/image.ts, and a
 * replacement is a new image with a new id), and the id's form on each
 * provider: Linode `private/<number>` (the Images API's ids, e.g.
 * "private/15", techdocs.akamai.com/linode-api/reference/get-image), ECS
 * `m-...` (alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-createimage:
 * ImageId "m-bp67acfmxazb4p****"), OCI an image OCID.
 */
const BUILT_IMAGES: Readonly<Record<string, { readonly nameInput: string; readonly id: (hash: string) => string }>> = {
  "linode:index/image:Image": { nameInput: "label", id: (h) => `private/${parseInt(h.slice(0, 7), 16)}` },
  "alicloud:ecs/image:Image": { nameInput: "imageName", id: (h) => `m-${h.slice(0, 16)}` },
  "alicloud:ecs/imageCopy:ImageCopy": { nameInput: "imageName", id: (h) => `m-${h.slice(0, 16)}` },
  "oci:Core/image:Image": { nameInput: "displayName", id: (h) => `ocid1.image.oc1..mock${h.slice(0, 16)}` },
};

/**
 * The id a mocked resource gets: Linode ids are numbers; everything else a
 * readable fake. A built image's id also depends on its name, so routes that
 * follow the newest image see a rebuild as a new image id, as they would.
 */
export function mockId(type: string, name: string, inputs: Record<string, unknown> = {}): string {
  const image = BUILT_IMAGES[type];
  if (image) return image.id(sha256Hex(`${name}:${String(inputs[image.nameInput])}`));
  return type.startsWith("linode:") ? String(parseInt(sha256Hex(name).slice(0, 7), 16)) : `${name}-id`;
}

/**
 * A TailnetKey's computed outputs, as the provider's schema lists them
 * (provider/cmd/pulumi-resource-tailscale/schema.json in pulumi/pulumi-tailscale:
 * key (secret), createdAt, expiresAt, invalid, userId, empty for keys made by an
 * OAuth client). Only Create returns a key, and a plan cannot tell a new
 * key from a recorded one, so the key is the same per name: whether a
 * change makes a new key is the plan diff's verdict, from the inputs the
 * program declares and ignores (plan/diff/provider-facts.ts). The key has an
 * auth key's shape, `tskey-auth-<key id>-<secret>`
 * (tailscale.com/kb/1277/key-prefixes), and a readable mark in place of its
 * secret part, for the secrets audit.
 */
function mockTailnetKey(name: string): Record<string, unknown> {
  return {
    key: `tskey-auth-k${sha256Hex(name).slice(0, 12)}CNTRL-[mock tailscale key of ${name}]`,
    createdAt: "2026-01-01T00:00:00Z",
    expiresAt: "2026-01-02T00:00:00Z",
    invalid: false,
    userId: "",
  };
}

/**
 * A tls.PrivateKey's OpenSSH outputs as terraform-provider-tls writes them:
 * the public key `<type> <base64 wire blob>\n`, no comment
 * (internal/provider/common_key.go, ssh.MarshalAuthorizedKey; the blob:
 * RFC 8709 for ed25519, string "ssh-rsa", mpint e, mpint n for RSA, RFC
 * 4253 section 6.6), here exactly, from bytes hashed from the name; the
 * private key a PEM block ending in a newline (resource_private_key.go,
 * ssh.MarshalPrivateKey), here a one-line readable mark that ends in a
 * newline too, so a document holds it as it holds the real one (a YAML
 * block scalar), the secrets audit can find it, and no plan or golden file
 * carries a PEM block for secret scanners. The program makes ED25519 keys
 * and the builders' RSA key; nothing else is answered.
 */
function mockPrivateKey(name: string, inputs: { algorithm?: unknown; rsaBits?: unknown }): Record<string, string> {
  const privateKeyOpenssh = `[mock private key of ${name}]\n`;
  if (inputs.algorithm === "ED25519") return { privateKeyOpenssh, publicKeyOpenssh: ed25519PublicKeyText(hashBytes(name, 32)) };
  if (inputs.algorithm === "RSA" && typeof inputs.rsaBits === "number" && inputs.rsaBits % 8 === 0) {
    // A modulus of exactly rsaBits bits (top bit set), odd; as an mpint, a leading zero keeps it positive.
    const modulus = hashBytes(name, inputs.rsaBits / 8);
    modulus[0]! |= 0x80;
    modulus[modulus.length - 1]! |= 1;
    const blob = Buffer.concat([sshString(Buffer.from("ssh-rsa")), sshString(Buffer.from([1, 0, 1])), sshString(Buffer.concat([Buffer.from([0]), modulus]))]);
    return { privateKeyOpenssh, publicKeyOpenssh: `ssh-rsa ${blob.toString("base64")}\n` };
  }
  throw new Error(`${name}: the mocks make ED25519 keys and RSA keys with rsaBits, which the program declares, not ${JSON.stringify(inputs)}`);
}

export const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const id = mockId(args.type, args.name, args.inputs as Record<string, unknown>);
    const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
    if (args.type in USER_DATA_INPUT) {
      state.ipAddress = mockIp(args.name);
      state.publicIp = mockIp(args.name);
      state.disks = [{ id: 1001, label: "Ubuntu 24.04 Disk" }];
    }
    if (args.type === "tls:index/privateKey:PrivateKey") Object.assign(state, mockPrivateKey(args.name, args.inputs as { algorithm?: unknown; rsaBits?: unknown }));
    if (args.type === "tailscale:index/tailnetKey:TailnetKey") Object.assign(state, mockTailnetKey(args.name));
    // The engine's built-in Stash on create: `output` is its `input` (pulumi/pulumi
    // pkg/resource/deploy/builtins.go, Create). A plan has no state, so every stash is new.
    if (args.type === "pulumi:index:Stash") state.output = state.input;
    return { id, state };
  },
  call(args) {
    const answer = CALLS[args.token];
    if (!answer) throw new Error(`the offline plan has no mock for data source ${args.token}`);
    return answer(args.inputs as Record<string, unknown>);
  },
};
