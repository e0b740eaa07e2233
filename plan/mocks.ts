/**
 * The one set of Pulumi mocks, shared by the offline plan and the unit tests:
 * resources echo their inputs plus the outputs the program reads (ids, IPs);
 * data sources return fixed, plausible answers. An invoke nobody mocked fails
 * loudly so a new data source cannot slip through unplanned.
 */
import type * as pulumi from "@pulumi/pulumi";
import { sha256Hex } from "../components/naming";
import { USER_DATA_INPUT } from "../components/routes/instances";

const CALLS: Readonly<Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>> = {
  "alicloud:index/getZones:getZones": () => ({ zones: [{ id: "mock-zone-a" }], ids: ["mock-zone-a"] }),
  "alicloud:ecs/getImages:getImages": () => ({ images: [{ id: "ubuntu_24_04_x64_20G_alibase_mock.vhd" }] }),
  "oci:Core/getImages:getImages": () => ({ images: [{ id: "ocid1.image.oc1..mockubuntu2404minimalaarch64" }] }),
  "oci:Identity/getAvailabilityDomains:getAvailabilityDomains": () => ({
    availabilityDomains: [{ name: "Mock:AD-1" }],
  }),
};

/** A documentation-range IPv4 address (192.0.2.0/24 and friends), stable per name. */
function mockIp(name: string): string {
  const h = Buffer.from(sha256Hex(name), "hex");
  return `198.51.${h[0]! % 100}.${(h[1]! % 250) + 1}`;
}

/** The id a mocked resource gets: Linode ids are numbers; everything else a readable fake. */
export function mockId(type: string, name: string): string {
  return type.startsWith("linode:") ? String(parseInt(sha256Hex(name).slice(0, 7), 16)) : `${name}-id`;
}

export const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const id = mockId(args.type, args.name);
    const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
    if (args.type in USER_DATA_INPUT) {
      state.ipAddress = mockIp(args.name);
      state.publicIp = mockIp(args.name);
      state.disks = [{ id: 1001, label: "Ubuntu 24.04 Disk" }];
    }
    if (args.type === "tls:index/privateKey:PrivateKey") {
      const algorithm = (args.inputs as { algorithm?: string }).algorithm === "RSA" ? "ssh-rsa" : "ssh-ed25519";
      state.publicKeyOpenssh = `${algorithm} AAAAmock${sha256Hex(args.name).slice(0, 32)} ${args.name}`;
      state.privateKeyOpenssh = `[mock private key of ${args.name}]`;
    }
    return { id, state };
  },
  call(args) {
    const answer = CALLS[args.token];
    if (!answer) throw new Error(`the offline plan has no mock for data source ${args.token}`);
    return answer(args.inputs as Record<string, unknown>);
  },
};
