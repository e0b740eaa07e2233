/** User-data diffs: one per distinct change; a change shared by many instances shows their own identity as placeholders. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffPlans, renderReport } from "../diff";
import { plan } from "./synthetic";

const ROUTES = [
  { name: "linode-us-lax-stable-1", provider: "linode", region: "us-lax", track: "stable" },
  { name: "oci-us-ashburn-1-canary-1", provider: "oci", region: "us-ashburn-1", track: "canary" },
];
type Route = (typeof ROUTES)[number];
/** The instance's own lines vary in length, so the same change sits at different line numbers. */
const doc = (r: Route, tag: string) =>
  [`host: ${r.name}`, ...Array.from({ length: r.name.length % 7 }, (_, i) => `pad${i}: x`), "a: 1", "b: 2", "c: 3",
    `attrs: route=${r.name},cloud.provider=${r.provider},cloud.region=${r.region},lantern.track=${r.track},version=${tag}`, "d: 4", "e: 5", "f: 6", `tag: ${tag}`, ""].join("\n");
const userData = (tag: string, other: string): Record<string, string> => ({ ...Object.fromEntries(ROUTES.map((r) => [r.name, doc(r, tag)])), other: `tag: ${other}\n` });
const outputs = { routes: ROUTES };

describe("user-data diffs", () => {
  it("shows the same change on many instances once, each one's name, provider, region and track as placeholders", () => {
    const d = diffPlans(plan([], { outputs, userData: userData("v1", "v1") }), plan([], { outputs, userData: userData("v2", "v3") }));
    assert.deepEqual(d.userData.map((u) => u.names), [ROUTES.map((r) => r.name), ["other"]]);
    assert.match(
      d.userData[0]?.hunks ?? "",
      /^\+attrs: route=<name>,cloud\.provider=<provider>,cloud\.region=<region>,lantern\.track=<track>,version=v2$/m,
    );
    assert.match(d.userData[1]?.hunks ?? "", /^\+tag: v3$/m);
    const report = renderReport(d);
    assert.match(report, /^`linode-us-lax-stable-1`, `oci-us-ashburn-1-canary-1` \(the same change on 2 instances; `<name>`, `<provider>`, `<region>`, `<track>` stand for each one's own\):$/m);
    assert.match(report, /^`other`:\n```diff\n/m);
  });

  it("shows a change that reads the same but for words of their own (on both sides of it) with the first, listing those words", () => {
    // A value per instance that is not in its routes entry (e.g. the OpenTelemetry spelling of its provider).
    const brand: Record<string, string> = { linode: "akamai_cloud", oci: "oracle_cloud" };
    const branded = (tag: string) =>
      Object.fromEntries(ROUTES.map((r) => [r.name, doc(r, tag).replace(/^attrs: (.*)$/m, `attrs: $1,brand=${brand[r.provider]}`)]));
    const d = diffPlans(plan([], { outputs, userData: branded("v1") }), plan([], { outputs, userData: branded("v2") }));
    assert.deepEqual(d.userData.map((u) => [u.names, u.variants]), [
      [ROUTES.map((r) => r.name), [{ names: ["oci-us-ashburn-1-canary-1"], words: [["akamai_cloud", "oracle_cloud"]] }]],
    ]);
    assert.match(d.userData[0]?.hunks ?? "", /^\+attrs: route=<name>,.*,version=v2,brand=akamai_cloud$/m);
    const report = renderReport(d);
    assert.match(report, /^`linode-us-lax-stable-1`, `oci-us-ashburn-1-canary-1` \(the same change on 2 instances, some with other words, listed below the diff; /m);
    assert.match(report, /^```\n- `oci-us-ashburn-1-canary-1`: `oracle_cloud` in place of `akamai_cloud`$/m);
  });

  it("keeps different changes apart, and a single instance's change as it is", () => {
    const neu = userData("v2", "v1");
    neu["oci-us-ashburn-1-canary-1"] = doc(ROUTES[1]!, "v3");
    const d = diffPlans(plan([], { outputs, userData: userData("v1", "v1") }), plan([], { outputs, userData: neu }));
    assert.deepEqual(d.userData.map((u) => u.names), [["linode-us-lax-stable-1"], ["oci-us-ashburn-1-canary-1"]]);
    assert.match(d.userData[0]?.hunks ?? "", /^\+attrs: route=linode-us-lax-stable-1,cloud\.provider=linode,.*version=v2$/m);
  });
});
