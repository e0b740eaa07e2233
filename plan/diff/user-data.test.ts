/** User-data diffs: one per distinct change, each instance's own name folded into `<instance>` when shared. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffPlans, renderReport } from "../diff";
import { plan } from "./synthetic";

const doc = (name: string, tag: string) => `host: ${name}\nattrs: route=${name},version=${tag}\ntag: ${tag}\n`;

describe("user-data diffs", () => {
  it("shows the same change on many instances once, with `<instance>` for each one's name", () => {
    const names = ["r-a-1", "r-b-1"];
    const old = plan([], { userData: { ...Object.fromEntries(names.map((n) => [n, doc(n, "v1")])), other: "tag: v1\n" } });
    const neu = plan([], { userData: { ...Object.fromEntries(names.map((n) => [n, doc(n, "v2")])), other: "tag: v3\n" } });
    const d = diffPlans(old, neu);
    assert.deepEqual(d.userData.map((u) => u.names), [names, ["other"]]);
    assert.match(d.userData[0]?.hunks ?? "", /^-attrs: route=<instance>,version=v1$/m);
    assert.match(d.userData[1]?.hunks ?? "", /^\+tag: v3$/m);
    const report = renderReport(d);
    assert.match(report, /^`r-a-1`, `r-b-1` \(the same change on 2 instances, each one's name as `<instance>`\):$/m);
    assert.match(report, /^`other`:\n```diff\n/m);
  });

  it("a single instance's change keeps its own name", () => {
    const d = diffPlans(plan([], { userData: { "r-a-1": doc("r-a-1", "v1") } }), plan([], { userData: { "r-a-1": doc("r-a-1", "v2") } }));
    assert.match(d.userData[0]?.hunks ?? "", /^\+attrs: route=r-a-1,version=v2$/m);
  });
});
