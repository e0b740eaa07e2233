/**
 * Base images in the plan: they reach exactly the route regions, they are
 * named by the recipe alone, and no release tag reaches them.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { mockId } from "../../plan/mocks";
import { changedResources, planJson, variantStackFile } from "../../plan/testing";
import type { Plan, PlanResource } from "../../plan/run";
import { baseImageName, RECIPE_DIR, recipeHash } from "./recipe";
import { ALICLOUD_STOCK_IMAGE, LINODE_STOCK_IMAGE, OCI_STOCK_IMAGE } from "./stock";

const prod = planJson(["--stack", "prod"]);
const routes = prod.outputs.routes as { provider: string; region: string }[];
const regionsOf = (provider: string) => [...new Set(routes.filter((r) => r.provider === provider).map((r) => r.region))].sort();
const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);

/** Everything that makes images: resources inside the *BaseImage components, plus the builder key. */
const imageResources = (plan: Plan): PlanResource[] =>
  plan.resources.filter((r) => /BaseImage/.test(r.urn) || r.type.startsWith("tls:"));

describe("base images (prod plan)", () => {
  it("Linode: one image, replicated to exactly the route regions plus the build region, with cloud-init", () => {
    const [image, ...more] = ofType(prod, "linode:index/image:Image");
    assert.equal(more.length, 0);
    assert.deepEqual(image!.inputs.replicaRegions, regionsOf("linode"));
    assert.equal(image!.inputs.cloudInit, true);
    assert.equal(image!.inputs.waitForReplications, true);
  });

  it("alicloud: one image in the build region and one copy per other route region, each through its region's provider", () => {
    assert.equal(ofType(prod, "alicloud:ecs/image:Image").length, 1);
    const copies = ofType(prod, "alicloud:ecs/imageCopy:ImageCopy");
    const copyRegions = copies.map((c) => String(c.options.provider).split("::").pop()!.replace("alicloud-", "")).sort();
    assert.deepEqual(copyRegions, regionsOf("alicloud").filter((r) => r !== "ap-southeast-1"));
    for (const c of copies) assert.equal(c.inputs.sourceRegionId, "ap-southeast-1");
  });

  it("OCI: one image per route region, built there", () => {
    const images = ofType(prod, "oci:Core/image:Image");
    assert.equal(images.length, regionsOf("oci").length);
    assert.equal(regionsOf("oci").length, 36);
  });

  it("every route boots its own provider's image for its region", () => {
    const linodeImage = ofType(prod, "linode:index/image:Image")[0]!;
    const linodeRoutes = ofType(prod, "linode:index/instance:Instance").filter((i) => !i.name.endsWith("-builder"));
    assert.equal(linodeRoutes.length, regionsOf("linode").length + 2); // two canaries in prod
    for (const r of linodeRoutes) assert.equal(r.inputs.image, mockId(linodeImage.type, linodeImage.name));
    const ociImages = new Set(ofType(prod, "oci:Core/image:Image").map((i) => `${i.name}-id`));
    for (const r of ofType(prod, "oci:Core/instance:Instance").filter((i) => !i.name.endsWith("-builder"))) {
      const region = r.name.replace(/^oci-/, "").replace(/-[a-z0-9]+-\d+$/, "");
      assert.equal((r.inputs.sourceDetails as { sourceId: string }).sourceId, `oci-${region}-base-image-id`);
      assert.ok(ociImages.has(`oci-${region}-base-image-id`));
    }
    const aliIds = new Set([...ofType(prod, "alicloud:ecs/image:Image"), ...ofType(prod, "alicloud:ecs/imageCopy:ImageCopy")].map((i) => `${i.name}-id`));
    for (const r of ofType(prod, "alicloud:ecs/instance:Instance").filter((i) => !i.name.endsWith("-builder"))) {
      assert.ok(aliIds.has(String(r.inputs.imageId)), r.name);
      const region = r.name.replace(/^alicloud-/, "").replace(/-[a-z0-9]+-\d+$/, "");
      assert.ok(String(r.inputs.imageId).includes(region === "ap-southeast-1" ? "alicloud-base-image" : `copy-${region}`), r.name);
    }
  });

  it("names images by the recipe hash and the stock image only", () => {
    const recipe = recipeHash();
    assert.equal(ofType(prod, "linode:index/image:Image")[0]!.inputs.label, baseImageName(recipe, LINODE_STOCK_IMAGE));
    assert.equal(ofType(prod, "alicloud:ecs/image:Image")[0]!.inputs.imageName, baseImageName(recipe, ALICLOUD_STOCK_IMAGE));
    for (const i of ofType(prod, "oci:Core/image:Image")) assert.equal(i.inputs.displayName, baseImageName(recipe, OCI_STOCK_IMAGE));
  });

  it("a plan that differs only in release tags has identical image resources", () => {
    const bumped = planJson([
      "--stack", "prod", "--config-file",
      variantStackFile("prod", (c) => {
        c["lantern-fleet:releaseTag"] = "v0.0.74";
        (c["lantern-fleet:tracks"] as Record<string, unknown>).canary = { releaseTag: "v0.0.75" };
      }),
    ]);
    assert.ok(imageResources(prod).length > 100);
    assert.deepEqual(imageResources(bumped), imageResources(prod));
    assert.ok(!JSON.stringify(imageResources(prod)).match(/v0\.0\.7\d/), "no release tag in any image input");
  });
});

describe("forcing a rebuild", () => {
  it("a new image.rebuild label renames every image and changes nothing outside the image components", () => {
    const staging = planJson(["--stack", "staging"]);
    const rebuilt = planJson([
      "--stack", "staging", "--config-file",
      variantStackFile("staging", (c) => ((c["lantern-fleet:image"] as Record<string, string>).rebuild = "2026-11-25")),
    ]);
    const changes = changedResources(staging, rebuilt);
    const imageNames = changes.filter((c) => /image:Image$/.test(c.type));
    assert.equal(imageNames.length, 3, "one image per provider in staging");
    for (const c of changes) assert.ok(/-base-|^linode-base|^alicloud-base/.test(c.name), `${c.name} is outside the image components`);
  });
});

describe("recipeHash", () => {
  it("changes with a one-byte change to any recipe file, and with nothing else", () => {
    const copy = mkdtempSync(path.join(tmpdir(), "recipe-"));
    cpSync(RECIPE_DIR, copy, { recursive: true });
    assert.equal(recipeHash(copy), recipeHash());
    const file = path.join(copy, "provision.sh");
    writeFileSync(file, `${readFileSync(file, "utf8")} `);
    assert.notEqual(recipeHash(copy), recipeHash());
    assert.notEqual(baseImageName(recipeHash(copy), LINODE_STOCK_IMAGE), baseImageName(recipeHash(), LINODE_STOCK_IMAGE));
  });
});
