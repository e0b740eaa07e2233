/** The Markdown report: summary first, the preview named as the authority, no secrets or long values, truncation. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffPlans, limitReport, REPORT_LIMIT, renderReport, reportLimitOf, summaryLine } from "../diff";
import { EMPTY, plan, res } from "./synthetic";

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
      [undefined, "> Report truncated at 60,000 characters (run the command locally for the full report)"],
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

  it("takes PLAN_REPORT_LIMIT as a whole number of characters up to 60,000, naming the variable otherwise", () => {
    assert.equal(reportLimitOf(undefined), REPORT_LIMIT);
    assert.equal(reportLimitOf("14000"), 14_000);
    for (const bad of ["999", "60001", "14k", "1e4", "-5000"]) assert.throws(() => reportLimitOf(bad), /^Error: PLAN_REPORT_LIMIT: expected a whole number of characters from 1000 to 60000/);
  });
});
