/**
 * The plan diff on plans from real plan runs of staging variants and a prod
 * tag bump (each plan is a process: made once, shared), and the CLI's
 * `--against` edges. The parts' own tests, on hand-written plans, are beside
 * them in plan/diff/.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { diffPlans, limitReport, type PlanDiff, renderReport, summaryLine } from "./diff";
import { EMPTY } from "./diff/synthetic";
import { type Plan, REPO_ROOT } from "./run";
import { planCli, planJson, variantStackFile } from "./testing";

const lazy = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

const base = lazy(() => planJson(["--stack", "staging"]));
const variant = (edit: Parameters<typeof variantStackFile>[1]) =>
  lazy(() => planJson(["--stack", "staging", "--config-file", variantStackFile("staging", edit)]));
const tagBump = variant((c) => (c["lantern-fleet:releaseTag"] = "v0.0.74"));
const canaryBump = variant((c) => ((c["lantern-fleet:tracks"] as any).canary = { releaseTag: "v0.0.74" }));
// A recipe change and image.rebuild feed the same image-name hash; the rebuild label can be set from config.
// New images, with both tracks rolled onto them (staging's tracks are on hold: a rebuild alone moves nothing).
const imageRebuild = variant((c) => Object.assign(c["lantern-fleet:image"] as any, { rebuild: "2026-11-25", tracks: { canary: "newest", stable: "newest" } }));
const newRegion = variant((c) => ((c["lantern-fleet:providers"] as any).linode.regions["fr-par"] = { stable: 1 }));
const prodBase = lazy(() => planJson(["--stack", "prod"]));
const prodTagBump = lazy(() => planJson(["--stack", "prod", "--config-file", variantStackFile("prod", (c) => (c["lantern-fleet:releaseTag"] = "v0.0.74"))]));
/** The PR comment's share of a stack's report: PLAN_REPORT_LIMIT, read from the workflow that sets it. */
const PR_SHARE = Number(/PLAN_REPORT_LIMIT=(\d+)/.exec(readFileSync(path.join(REPO_ROOT, ".github/workflows/pull-request.yml"), "utf8"))?.[1]);

const routesOf = (plan: Plan) => plan.outputs.routes as { name: string; track: string; releaseTag: string; wave: number }[];

function assertOneLineSummaryOnTop(report: string, summary: string) {
  assert.ok(!summary.includes("\n"));
  assert.equal(report.split("\n")[0], summary);
}

/**
 * The routes a report's words name (report.ts routeSet), read back against
 * the diff's waves: "the N routes of the release waves", "... of wave(s) ...",
 * "the N `prefix*` routes ...", or names in backticks.
 */
function routesNamed(words: string, d: PlanDiff): string[] {
  const inWaves = d.routes.waves.flatMap((w) => w.routes);
  const counted = (n: string, routes: string[]) => (assert.equal(routes.length, Number(n), words), routes);
  const all = /^the (\d+) routes of the release waves$/.exec(words);
  if (all) return counted(all[1]!, inWaves);
  const waves = /^the (\d+) routes of waves? ([\d, -]+)$/.exec(words);
  if (waves) {
    const range = waves[2]!.split(", ").flatMap((part) => {
      const [from, to = from] = part.split("-").map(Number) as [number, number?];
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });
    return counted(waves[1]!, d.routes.waves.filter((w) => range.includes(w.wave)).flatMap((w) => w.routes));
  }
  const prefixed = /^the (\d+) `([^`*]+)\*` routes of the release waves$/.exec(words);
  if (prefixed) return counted(prefixed[1]!, inWaves.filter((r) => r.startsWith(prefixed[2]!)));
  return [...words.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

describe("plan diff on real plans", () => {
  it("a default tag bump moves every route's tag, 0 images, and shows the tag lines of the user-data", () => {
    const diff = diffPlans(base(), tagBump());
    const report = renderReport(diff);
    assertOneLineSummaryOnTop(report, summaryLine(diff));
    assert.match(summaryLine(diff), /^\*\*staging\*\*: 0 images, .*v0\.0\.73 -> v0\.0\.74.*, 0 added, 0 removed$/);
    assert.deepEqual(diff.routes.moves.map((m) => m.route).sort(), routesOf(base()).map((r) => r.name).sort());
    for (const m of diff.routes.moves) assert.deepEqual([m.from, m.to], ["v0.0.73", "v0.0.74"]);
    // The moves' counts in the summary add up to every route.
    const counted = [...summaryLine(diff).matchAll(/(\d+) routes? (hot-swapped|replaced|NOT applied) v/g)].map((m) => Number(m[1]));
    assert.equal(counted.reduce((a, b) => a + b, 0), routesOf(base()).length);
    assert.match(report, /```diff\n[^`]*^-\s+- v0\.0\.73$[^`]*^\+\s+- v0\.0\.74$[^`]*```/m);
    assert.equal(diff.resources.filter((c) => c.action === "add" || c.action === "remove").length, 0);
    assert.doesNotMatch(report, /tskey|[A-Za-z0-9+/]{100,}/);
  });

  it("the README's example report is the staging tag bump's, as the plan CLI prints it", () => {
    const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const start = readme.indexOf("````markdown\n**staging**") + "````markdown\n".length;
    assert.equal(readme.slice(start, readme.indexOf("````\n", start)), renderReport(diffPlans(base(), tagBump())));
  });

  it("a default tag bump moves canary first, then the other waves, as the program's routes[].wave says", () => {
    const diff = diffPlans(base(), tagBump());
    const waveOf = new Map(routesOf(tagBump()).map((r) => [r.name, r.wave]));
    assert.deepEqual(
      diff.routes.waves.map((w) => [w.wave, [...w.routes].sort()]),
      [...new Set(waveOf.values())].sort().map((w) => [w, [...waveOf].filter(([, x]) => x === w).map(([n]) => n).sort()]),
    );
    assert.deepEqual(diff.routes.waves[0]?.tracks, ["canary"]);
    const report = renderReport(diff);
    assert.match(report, /^#### Release waves\n.*\n- wave 0: \d+ routes? \(canary\): /m);
    // Replace routes (Linode in staging): a new instance, which joins the tailnet and is checked by
    // <route>-verify; hot-swap routes: <route>-hotswap.
    // Routes moving the same way share a line, `<route>` for each one's name.
    for (const m of diff.routes.moves) {
      const suffix = m.how === "replaced" ? "verify" : "hotswap";
      const command = `${m.route}-${suffix}`;
      assert.deepEqual([...m.commands].sort(), m.how === "replaced" ? [`${m.route}-tailnet`, command] : [command], m.route);
      assert.match(
        report,
        new RegExp(`^- (\`[^\`]+\`, )*\`${m.route}\`(, \`[^\`]+\`)* \\(${m.track}, wave ${waveOf.get(m.route)}\\): .*\`(${m.route}|<route>)-${suffix}\` re-runs$`, "m"),
      );
    }
  });

  it("a prod tag bump fits the PR comment's share: summary, waves and the decoded user-data diff first, every resource still named", () => {
    const diff = diffPlans(prodBase(), prodTagBump());
    const report = renderReport(diff);
    assertOneLineSummaryOnTop(report, summaryLine(diff));
    assert.ok(report.length < PR_SHARE, `${report.length} characters`);
    assert.equal(limitReport(report, "artifact", PR_SHARE), report, "not cut for the PR comment");
    const at = (heading: string) => report.indexOf(`\n${heading}\n`);
    assert.ok(at("#### Release waves") > 0 && at("#### Release waves") < at("#### User-data") && at("#### User-data") < at("#### Resources"));
    // The user-data section, with the tag change's decoded lines, inside the first PR_SHARE characters.
    const share = report.slice(0, PR_SHARE);
    assert.match(share.slice(at("#### User-data")), /```diff\n[^`]*^-\s+- v0\.0\.73$[^`]*^\+\s+- v0\.0\.74$[^`]*```/m);
    assert.doesNotMatch(report, /tskey|[A-Za-z0-9+/]{100,}/);

    // Nothing dropped: every route in the waves, every changed instance in a user-data group, every changed resource in an entry.
    const routes = routesOf(prodBase()).map((r) => r.name).sort();
    const waves = report.slice(at("#### Release waves"), at("#### Route tags"));
    for (const name of routes) assert.match(waves, new RegExp(`\`${name}\``), name);
    assert.deepEqual(diff.routes.moves.map((m) => m.route).sort(), routes);
    const userData = report.slice(at("#### User-data"), at("#### Resources")).replace(/^```diff\n[\s\S]*?^```$/gm, "");
    const groups = [...userData.matchAll(/^(?:- )?(.+?)(?: \(the same change on \d+ instances.*\))?:(?: `.*)?$/gm)].map((m) => m[1]!);
    const instances = diff.userData.flatMap((u) => u.names).sort();
    assert.deepEqual([...new Set(groups.flatMap((g) => routesNamed(g.replace(/^The /, "the "), diff)))].sort(), instances);
    assert.deepEqual(instances, routes);
    const entries = [...report.slice(at("#### Resources")).matchAll(/^- \*\*([\w?]+)\*\* `([^`]+)` `([^`]+)`.*?(?:, for each of (.+))?$/gm)];
    const named = entries.flatMap(([, action, name, type, who]) =>
      who === undefined ? [`${action} ${name} ${type}`] : routesNamed(who, diff).map((r) => `${action} ${name!.replace("<route>", r)} ${type}`),
    );
    assert.deepEqual(named.sort(), diff.resources.map((c) => `${c.action} ${c.name} ${c.type}`).sort());
    assert.ok(entries.length <= 8, `${entries.length} entries for ${diff.resources.length} resources`);
  });

  it("a recipe change (image name) replaces the 3 images and moves the routes of tracks on newest (here all of staging's) onto them", () => {
    const diff = diffPlans(base(), imageRebuild());
    const all = routesOf(base()).map((r) => r.name).sort();
    assert.equal(
      summaryLine(diff),
      `**staging**: 3 images replaced, 0 routes hot-swapped, ${all.length} routes onto new images (tracks canary/stable), ${all.length} replaced, 0 added, 0 removed`,
    );
    assert.deepEqual(diff.routes.moves, []);
    assert.deepEqual(diff.routes.imageMoves.map((m) => m.route).sort(), all);
    assert.deepEqual(diff.userData, []);
    const report = renderReport(diff);
    for (const type of ["linode:index/image:Image", "alicloud:ecs/image:Image", "oci:Core/image:Image"]) {
      assert.match(report, new RegExp(`\\*\\*replace\\*\\* \`[^\`]+\` \`${type}\``));
    }
  });

  it("a new zone for the alicloud build region replaces the builder, and with it the build steps and the image made from its id", () => {
    const newZone = variant((c) => ((c["lantern-fleet:providers"] as any).alicloud.zones["ap-southeast-1"] = "ap-southeast-1b"));
    const diff = diffPlans(base(), newZone());
    const verdict = (name: string) => diff.resources.find((c) => c.name === name)?.action;
    for (const step of ["builder", "recipe", "provision", "clean-poweroff", "image"]) assert.equal(verdict(`alicloud-base-${step}`), "replace", step);
    assert.match(summaryLine(diff), /^\*\*staging\*\*: 1 image replaced,/);
    // The steps' triggers and the image's name hold the builder's id, unknown until it is replaced.
    assert.match(renderReport(diff), /`triggers\[1\]` "alicloud-base-builder-id" -> \(new id\): replace/);
    // Held routes keep their image (the stash ignores its input); no other provider's build moves.
    assert.equal(verdict("alicloud-ap-southeast-1-stable-1-held-image"), "ignored");
    assert.deepEqual(diff.resources.filter((c) => /^(linode|oci)-base-/.test(c.name)), []);
  });

  it("a canary override moves only canary routes", () => {
    const diff = diffPlans(base(), canaryBump());
    const canaries = routesOf(base()).filter((r) => r.track === "canary").map((r) => r.name);
    assert.ok(canaries.length > 0);
    assert.deepEqual(diff.routes.moves.map((m) => m.route).sort(), canaries.sort());
    assert.match(summaryLine(diff), new RegExp(`${canaries.length} routes? [\\w ]+ v0\\.0\\.73 -> v0\\.0\\.74 on track canary,`));
    assert.deepEqual(diff.userData.flatMap((u) => u.names).sort(), canaries.sort());
  });

  it("a new region adds its resources and routes, and changes no existing route", () => {
    const diff = diffPlans(base(), newRegion());
    assert.deepEqual(diff.routes.added, ["linode-fr-par-stable-1"]);
    assert.match(summaryLine(diff), /, 0 routes hot-swapped, 0 replaced, 1 added, 0 removed$/);
    const adds = diff.resources.filter((c) => c.action === "add");
    assert.ok(adds.some((c) => c.type === "linode:index/instance:Instance" && c.name === "linode-fr-par-stable-1"));
    assert.ok(adds.every((c) => c.name.includes("fr-par")), adds.map((c) => c.name).join(", "));
    // Existing routes stay as they are; only images may change (replicated to the new region).
    assert.deepEqual(diff.resources.filter((c) => c.action !== "add" && !/image/i.test(c.type)), []);
    assert.match(renderReport(diff), /^- \*\*add\*\* `linode-fr-par-stable-1` `linode:index\/instance:Instance`$/m);
  });

  it("against the empty plan (a base branch without the plan), everything is added", () => {
    const diff = diffPlans(EMPTY, base());
    assert.equal(diff.resources.length, base().resources.length);
    assert.ok(diff.resources.every((c) => c.action === "add"));
    assert.match(summaryLine(diff), new RegExp(`, 0 replaced, ${routesOf(base()).length} added, 0 removed$`));
    assert.deepEqual(diff.userData, []);
  });

  it("the CLI prints the report for --against and writes the full one to PLAN_REPORT_FULL", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-diff-"));
    const old = path.join(dir, "old.json");
    const full = path.join(dir, "full.md");
    writeFileSync(old, JSON.stringify(base()));
    process.env.PLAN_REPORT_FULL = full;
    try {
      const result = planCli(["--stack", "staging", "--against", old]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^\*\*staging\*\*: 0 images, 0 routes hot-swapped, 0 replaced, 0 added, 0 removed\n/);
      assert.equal(readFileSync(full, "utf8"), result.stdout);
    } finally {
      delete process.env.PLAN_REPORT_FULL;
    }
  });
});

describe("plan --against with a bad old plan", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "plan-diff-"));
  const cases: [string, string | undefined, RegExp][] = [
    ["a missing file", undefined, /ENOENT/],
    ["malformed JSON", "{not json", /not JSON/],
    ["JSON that is not a plan", '{"stack":"staging","resources":[{"urn":1}]}', /not a plan: resources\.0\.urn/],
  ];
  for (const [what, text, message] of cases) {
    it(`exits 2 on ${what}, saying so, without a stack trace`, () => {
      const file = path.join(dir, `${what.replace(/\W/g, "-")}.json`);
      if (text !== undefined) writeFileSync(file, text);
      const result = planCli(["--stack", "staging", "--against", file]);
      assert.equal(result.status, 2);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, new RegExp(`^--against ${file.replace(/[.]/g, "\\.")}: `));
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    });
  }
});
