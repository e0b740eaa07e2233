import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { RECIPE_DIR } from "./recipe";

const files = readdirSync(RECIPE_DIR);
const scripts = files.filter((f) => f.endsWith(".sh"));

describe("the image recipe (image/)", () => {
  it("passes shellcheck", () => {
    assert.ok(scripts.includes("provision.sh") && scripts.includes("clean-for-capture.sh"));
    const result = spawnSync("shellcheck", ["--external-sources", ...scripts.map((f) => path.join(RECIPE_DIR, f))], { encoding: "utf8" });
    assert.equal(result.error, undefined, "shellcheck must be installed");
    assert.equal(result.status, 0, result.stdout);
  });

  it("names no release and installs no lantern-box", () => {
    for (const file of files) {
      const text = readFileSync(path.join(RECIPE_DIR, file), "utf8");
      assert.doesNotMatch(text, /\bv\d+\.\d+\.\d+\b/, `${file} names a release`);
      assert.doesNotMatch(text, /lantern-box_[^\s]*\.deb/, `${file} names a lantern-box package`);
      assert.doesNotMatch(text, /apt-get[^\n]*install[^\n]*lantern-box\b/, `${file} installs lantern-box`);
    }
  });

  it("has a collector config that is valid YAML", () => {
    assert.ok(parse(readFileSync(path.join(RECIPE_DIR, "otelcol-config.yaml"), "utf8")));
  });
});
