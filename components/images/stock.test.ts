import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ociPlatformImages } from "./stock";

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
