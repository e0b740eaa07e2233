/** The Markdown report: summary first, the preview named as the authority, no secrets or long values, truncation. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffPlans, limitReport, REPORT_LIMIT, renderReport, reportLimitOf, summaryLine } from "../diff";
import type { PlanResource } from "../run";
import { EMPTY, plan, res } from "./synthetic";

const ALICLOUD = "alicloud:ecs/instance:Instance";
const COMMAND = "command:remote:Command";
/** Hot-swap routes in three waves: the canaries, then two batches of 9. */
const REGIONS = ["b", "c", "d", "e", "f", "g", "h", "i", "j"];
const WAVES = [
  ["alicloud-a-canary-1", "oci-a-canary-1"],
  REGIONS.map((r) => `alicloud-${r}-stable-1`),
  REGIONS.map((r) => `oci-${r}-stable-1`),
];

/** The fleet at `tag`; `odd` is a route whose hot-swap command also changes its timeout. */
function hotSwapFleet(tag: string, odd?: string) {
  const routes = WAVES.flatMap((names, wave) => names.map((name) => ({ name, track: wave === 0 ? "canary" : "stable", releaseTag: tag, wave })));
  const resources = routes.flatMap((r): PlanResource[] => [
    res(ALICLOUD, r.name, { userData: "[secret]" }, { options: { ignoreChanges: ["userData"] } }),
    res(COMMAND, `${r.name}-hotswap`, { create: `set -eu\necho "route=${r.name} install ${tag}"`, triggers: [tag], timeout: r.name === odd ? tag : "1" }, {
      options: { replaceOnChanges: ["triggers[*]"] },
    }),
  ]);
  return plan(resources, { outputs: { routes }, userData: Object.fromEntries(routes.map((r) => [r.name, `tag: ${tag}\n`])) });
}

describe("report", () => {
  it("says near its top that the real `pulumi preview` in the PR workflow is the authority", () => {
    const report = renderReport(diffPlans(EMPTY, plan([res("t:m:T", "a", {})])));
    const top = report.split("\n").slice(0, 4).join("\n");
    assert.equal(report.split("\n")[0], summaryLine(diffPlans(EMPTY, plan([res("t:m:T", "a", {})]))));
    assert.match(top, /The real `pulumi preview` in the PR workflow is the authority/);
  });

  it("never prints long base64 or values longer than a line", () => {
    const blob = Buffer.from("x".repeat(600)).toString("base64");
    const diff = diffPlans(plan([res("t:m:T", "a", { data: "old" })]), plan([res("t:m:T", "a", { data: blob })]));
    const report = renderReport(diff);
    assert.ok(!report.includes(blob.slice(0, 100)));
    assert.match(report, /\[base64, \d+ chars\]/);
  });

  it("cuts a report over 60,000 characters at a line, closes the diff fence, and says where the rest is", () => {
    const big = (n: number) => Array.from({ length: n }, (_, i) => `line ${i} ${"x".repeat(40)}`).join("\n");
    const diff = diffPlans(
      plan([res("t:m:T", "r", {})], { userData: { r: big(1500) } }),
      plan([res("t:m:T", "r", {})], { userData: { r: big(1500).replace(/x/g, "y") } }),
    );
    const full = renderReport(diff);
    assert.ok(full.length > 2 * REPORT_LIMIT);
    for (const [where, marker] of [
      ["/tmp/full.md", "> Report truncated at 60,000 characters: the full report is in /tmp/full.md"],
      // No file has it (a local run): the marker says how to get it, not to run what was just run.
      [undefined, "> Report truncated at 60,000 characters (set PLAN_REPORT_FULL=<file> to get the whole report in that file)"],
    ] as const) {
      const cut = limitReport(full, where);
      assert.ok(cut.length <= REPORT_LIMIT, String(cut.length));
      assert.ok(cut.endsWith(`\n\`\`\`\n\n${marker}\n`));
      assert.equal(cut.split("\n")[0], summaryLine(diff));
      assert.ok(full.startsWith(cut.slice(0, cut.lastIndexOf("\n```\n\n> Report"))), "cut at a line boundary of the full report");
    }
    assert.equal(limitReport("short\n", undefined), "short\n");
    const share = limitReport(full, "artifact report-offline-staging (report-full.md)", 14_000);
    assert.ok(share.length <= 14_000, String(share.length));
    assert.ok(share.endsWith("\n> Report truncated at 14,000 characters: the full report is in artifact report-offline-staging (report-full.md)\n"));
  });

  it("shows the same change on many routes once, naming more than 8 by whole waves, all waves or a name prefix, else each", () => {
    const report = renderReport(diffPlans(hotSwapFleet("v1"), hotSwapFleet("v2")));
    const all = WAVES.flat();
    // Every route is named in the waves, which the groups below refer to.
    for (const name of all) assert.match(report.split("#### Route tags")[0] ?? "", new RegExp(`\`${name}\``));
    assert.match(report, /^Where one line names several routes, `<route>` stands for each one's name\.$/m);
    assert.match(report, /^- `alicloud-a-canary-1`, `oci-a-canary-1` \(canary, wave 0\): v1 -> v2, hot-swapped: `<route>-hotswap` re-runs$/m);
    assert.match(report, /^- the 18 routes of waves 1-2 \(stable\): v1 -> v2, hot-swapped: `<route>-hotswap` re-runs$/m);
    // The route's name is written <route> before values are shortened, so the same change reads the same.
    assert.match(
      report,
      /^- \*\*replace\*\* `<route>-hotswap` `command:remote:Command` \(create-before-delete\), for each of the 20 routes of the release waves\n  - `create` "line 2: echo \\"route=<route> install v1\\"" -> "echo \\"route=<route> install v2\\"": re-run/m,
    );
    assert.match(report, /^- \*\*ignored\*\* `<route>` `alicloud:ecs\/instance:Instance` \(ignored \(no update\)\), for each of the 20 routes of the release waves$/m);
    assert.equal(report.match(/^- \*\*/gm)?.length, 2, "two entries for 40 resources");
    assert.ok(report.indexOf("#### User-data") < report.indexOf("#### Resources"), "the resources come last");

    // One route changes more: it is apart, under its own name; the rest by prefix, or each.
    const apart = renderReport(diffPlans(hotSwapFleet("v1", "oci-d-stable-1"), hotSwapFleet("v2", "oci-d-stable-1")));
    assert.match(apart, /^- \*\*replace\*\* `oci-d-stable-1-hotswap` `command:remote:Command` \(create-before-delete\)$/m);
    const others = all.filter((n) => n !== "oci-d-stable-1").sort();
    assert.match(apart, new RegExp(`^- \\*\\*replace\\*\\* \`<route>-hotswap\` .*, for each of ${others.map((n) => `\`${n}\``).join(", ")}$`, "m"));
  });

  it("names a group by a name prefix only when it is every route of the waves with it", () => {
    // Every route moves its tag; only the alicloud ones' resources change (the others are NOT applied).
    const moved = hotSwapFleet("v2");
    const alicloud = (r: PlanResource) => r.name.startsWith("alicloud-");
    const old = hotSwapFleet("v1");
    const report = renderReport(diffPlans(old, { ...moved, resources: [...old.resources.filter((r) => !alicloud(r)), ...moved.resources.filter(alicloud)] }));
    assert.match(report, /^- \*\*replace\*\* `<route>-hotswap` .*, for each of the 10 `alicloud-\*` routes of the release waves$/m);
    assert.match(report, /^- the 9 routes of wave 2 \(stable\): v1 -> v2, NOT applied: no release command runs$/m);
  });

  it("takes PLAN_REPORT_LIMIT as a whole number of characters up to 60,000, naming the variable otherwise", () => {
    assert.equal(reportLimitOf(undefined), REPORT_LIMIT);
    assert.equal(reportLimitOf("14000"), 14_000);
    for (const bad of ["999", "60001", "14k", "1e4", "-5000"]) assert.throws(() => reportLimitOf(bad), /^Error: PLAN_REPORT_LIMIT: expected a whole number of characters from 1000 to 60000/);
  });
});
