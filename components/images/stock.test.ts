import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linodeRegionsWithoutMetadata, ociPlatformImages } from "./stock";

describe("ociPlatformImages", () => {
  it("keeps the images without a compartment (platform images) and drops the compartment's own, in order", () => {
    // A built image is newer than its stock image and has the same operating system: first by time.
    const images = [
      { id: "ocid1.image.oc1..lantern-base", compartmentId: "ocid1.compartment.oc1..fleet" },
      { id: "ocid1.image.oc1..canonical-new", compartmentId: "" },
      { id: "ocid1.image.oc1..canonical-old" },
    ];
    assert.deepEqual(ociPlatformImages(images).map((i) => i.id), ["ocid1.image.oc1..canonical-new", "ocid1.image.oc1..canonical-old"]);
  });
});

describe("linodeRegionsWithoutMetadata", () => {
  it("names the wanted regions Linode does not list with the Metadata capability, unknown ones included, once each", () => {
    // Capability names as Linode's region list gives them (linode/manager packages/api-v4/src/regions/types.ts).
    const regions = [
      { id: "us-lax", capabilities: ["Linodes", "Cloud Firewall", "Metadata"] },
      { id: "us-east", capabilities: ["Linodes", "Cloud Firewall"] },
    ];
    assert.deepEqual(linodeRegionsWithoutMetadata(regions, ["us-lax", "us-east", "xx-nowhere", "us-east"]), ["us-east", "xx-nowhere"]);
    assert.deepEqual(linodeRegionsWithoutMetadata(regions, ["us-lax"]), []);
  });
});
