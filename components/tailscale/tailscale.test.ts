/** A route key's arguments and the instance identity that replaces it, from the config alone. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { fleetConfigOfStackFile } from "../../plan/stack-file";
import { routesOf } from "../../stacks/config";
import { instanceIdentity, tailnetKeyArgs } from ".";

const config = fleetConfigOfStackFile(readFileSync(path.join(__dirname, "..", "..", "Pulumi.staging.yaml"), "utf8"));
const image = { stack: "staging", recipe: "r".repeat(64), parameters: { caCertUrl: "https://ca.example/c.crt", otlpEndpoint: "https://o.example:443" } };
const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe("tailnetKeyArgs", () => {
  it("is single-use, pre-approved, not ephemeral, never recreated once used, with the configured tags and expiry", () => {
    assert.deepEqual(tailnetKeyArgs({ tags: ["tag:a"], expirySeconds: 600 }), {
      reusable: false,
      ephemeral: false,
      preauthorized: true,
      tags: ["tag:a"],
      expiry: 600,
      recreateIfInvalid: "never",
    });
  });
});

describe("instanceIdentity", () => {
  const route = (id: string) => routesOf(config).find((r) => r.id === id) ?? assert.fail(id);

  it("names the newest image's name, the zone on alicloud, and user-data only on replace routes", async () => {
    const linode = await valueOf(instanceIdentity(route("linode-us-lax-stable-1"), config, image, "digest"));
    assert.match(linode.image, /^lantern-staging-base-[0-9a-f]{8}$/);
    assert.equal(linode.userData, "digest");
    const alicloud = await valueOf(instanceIdentity(route("alicloud-ap-southeast-1-stable-1"), config, image, "digest"));
    assert.deepEqual({ ...alicloud, image: "" }, { image: "", zone: "ap-southeast-1a" });
    const rebuilt = await valueOf(instanceIdentity(route("linode-us-lax-stable-1"), config, { ...image, rebuild: "x" }, "digest"));
    assert.notEqual(rebuilt.image, linode.image, "a rebuild is a new image");
  });

  it("names a pinned track's image id, which a rebuild does not change", async () => {
    const pinned = { ...config, image: { ...config.image, tracks: { ...config.image.tracks, stable: { linode: "private/123", alicloud: {}, oci: {} } } } };
    for (const identity of [image, { ...image, rebuild: "x" }]) {
      assert.equal((await valueOf(instanceIdentity(route("linode-us-lax-stable-1"), pinned, identity, "d"))).image, "private/123");
    }
    assert.notEqual((await valueOf(instanceIdentity(route("linode-us-lax-canary-1"), pinned, image, "d"))).image, "private/123");
  });
});
