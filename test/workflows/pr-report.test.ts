/**
 * The PR comment the `report` job posts: the real `script:` of its
 * actions/github-script step, run the way github-script v8 runs it (an async
 * function of require, github, context, core, ...: actions/github-script
 * src/async-function.ts at v8.0.0) against report folders laid out as the
 * offline-plan and preview jobs upload them and download-artifact v8 with
 * merge-multiple unpacks them (reports/<kind>-<stack>/), and a fake GitHub
 * REST client that records the comment.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { loadWorkflows } from "./model";

const ROOT = path.resolve(__dirname, "../..");
const workflow = loadWorkflows(path.join(ROOT, ".github/workflows")).find((w) => w.file === "pull-request.yml")!;
const reportJob = (workflow.doc.jobs as any).report;
const scriptStep = (reportJob.steps as any[]).find((s) => String(s.uses).startsWith("actions/github-script@"));
const SCRIPT: string = scriptStep.with.script;
const STEP_ENV: Record<string, string> = scriptStep.env;

type Files = Record<string, string>;
interface Comment { id: number; body: string; user: { type: string } }

// As github-script builds it: Object.getPrototypeOf(async () => null).constructor.
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;

/** Runs the script on these report files; returns the comments afterwards and what was called. */
async function runReport(files: Files, existing: Comment[] = []) {
  const dir = fs.mkdtempSync(path.join(tmpdir(), "pr-report-"));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  const comments = existing.map((c) => ({ ...c }));
  const calls: string[] = [];
  const github = {
    paginate: (fn: (args: unknown) => Promise<Comment[]>, args: unknown) => fn(args),
    rest: {
      issues: {
        listComments: () => Promise.resolve(comments),
        updateComment: ({ comment_id, body }: { comment_id: number; body: string }) => {
          calls.push(`update ${comment_id}`);
          comments.find((c) => c.id === comment_id)!.body = body;
          return Promise.resolve();
        },
        createComment: ({ body }: { body: string }) => {
          calls.push("create");
          comments.push({ id: 100 + comments.length, body, user: { type: "Bot" } });
          return Promise.resolve();
        },
      },
    },
  };
  const context = { repo: { owner: "getlantern", repo: "lantern-fleet" }, serverUrl: "https://github.com", runId: 42, issue: { number: 7 } };
  const saved = { ...process.env };
  Object.assign(process.env, STEP_ENV, { REPORTS: dir });
  try {
    await new AsyncFunction("require", "github", "context", "core", SCRIPT)(require, github, context, {});
  } finally {
    process.env = saved;
  }
  return { comments, calls };
}

const OFFLINE = (stack: string, report: string): Files => ({
  [`offline-${stack}/report.md`]: report,
  [`offline-${stack}/base-sha`]: "0123456789abcdef0123456789abcdef01234567\n",
});
const PREVIEW = (stack: string, code: number, output: string): Files => ({
  [`preview-${stack}/exit-code`]: `${code}\n`,
  [`preview-${stack}/output.txt`]: output,
});

// Shapes of `pulumi preview --diff` output: the resource summary (pkg/backend/display) and a
// diff-mode policy violation line (renderDiffPolicyViolationEvent, pkg/backend/display/diff.go).
const PASSING = "Previewing update (prod)\n\n    ~ linode:index/instance:Instance: (update)\n\nResources:\n    ~ 1 to update\n    59 unchanged\n";
const VIOLATION =
  "    lantern-fleet@v0.1.0 [mandatory]  only-configured-ports  (linode:index/firewall:Firewall: linode-us-lax-stable-1)firewall opens 8080/tcp";
const FAILING = `Previewing update (prod)\n\n${VIOLATION}\nerror: preview failed\n`;

describe("the PR report comment", () => {
  it("shows every stack's offline diff and preview; a failed preview with its exit code and the policy it violated", async () => {
    const { comments, calls } = await runReport({
      ...OFFLINE("staging", "**staging**: 0 images, 2 routes hot-swapped\n"),
      ...OFFLINE("prod", "**prod**: 0 images, 68 routes hot-swapped\n"),
      ...PREVIEW("staging", 0, PASSING),
      ...PREVIEW("prod", 1, FAILING),
    });
    assert.deepEqual(calls, ["create"]);
    const body = comments[0]!.body;
    assert.match(body, /^<!-- lantern-fleet:pr-report -->/);
    assert.match(body, /### staging[\s\S]*\*\*staging\*\*: 0 images, 2 routes hot-swapped[\s\S]*✅ ~ 1 to update, 59 unchanged/);
    assert.match(body, /### prod[\s\S]*\*\*prod\*\*: 0 images, 68 routes hot-swapped/);
    assert.match(body, /❌ failed \(exit 1: error\)\.\n\n- `lantern-fleet@v0\.1\.0 \[mandatory\]  only-configured-ports .*firewall opens 8080\/tcp`\n- `error: preview failed`/);
    assert.match(body, /against `0123456789ab` \(the first parent of the PR's merge commit\)/);
  });

  it("with one stack's artifacts only (a single artifact: the layout download-artifact v8 broke), reports that stack and the other's failure", async () => {
    const { comments } = await runReport({
      ...OFFLINE("prod", "**prod**: 1 route added\n"),
      "offline-staging/errors.txt": "config error: tracks.canary.releaseTag: expected a release tag like v0.0.73\n",
    });
    const body = comments[0]!.body;
    assert.match(body, /### prod\n\n\*\*Offline plan diff\*\* against `0123456789ab`[^\n]*\n\n\*\*prod\*\*: 1 route added/);
    assert.match(body, /### staging\n\n\*\*Offline plan diff\*\*: ❌ failed[\s\S]*config error: tracks\.canary\.releaseTag/);
    assert.equal(body.match(/the job failed before the preview ran/g)?.length, 2);
  });

  it("updates the previous report in place, also one written under the old marker", async () => {
    const old = { id: 5, body: "<!-- lantern-fleet:offline-plan-diff -->\nstale, passing", user: { type: "Bot" } };
    const human = { id: 6, body: "<!-- lantern-fleet:pr-report --> quoted by a person", user: { type: "User" } };
    const { comments, calls } = await runReport({ ...PREVIEW("staging", 3, "error: [401] Unauthorized\n") }, [old, human]);
    assert.deepEqual(calls, ["update 5"]);
    assert.match(comments[0]!.body, /staging[\s\S]*❌ failed \(exit 3: authentication or authorization failed\)/);
    assert.equal(comments[1]!.body, human.body);
  });

  it("fits GitHub's 65,536 characters with huge reports and outputs, and cannot be closed by backticks in them", async () => {
    const huge = (line: string) => `${line}\n`.repeat(20000);
    const { comments } = await runReport({
      ...OFFLINE("staging", `\`\`\`diff\n${huge("+ added line")}\`\`\`\n`),
      ...OFFLINE("prod", huge("- removed line")),
      ...PREVIEW("staging", 0, `${huge("    ~ update")}\nResources:\n    ~ 20000 to update\n`),
      ...PREVIEW("prod", 255, `${huge("panic: something")}\`\`\`\`\`\nend of output\n`),
    });
    const body = comments[0]!.body;
    assert.ok(body.length <= 65536, `${body.length} characters`);
    // Reports come cut by the plan CLI (PLAN_REPORT_LIMIT); one still too long is linked, not cut again.
    assert.match(body, /The report \(\d+ characters\) is longer than this comment's share: it is in the run's job summary and artifact report-offline-staging/);
    assert.match(body, /❌ failed \(exit 255: internal error\)/);
    assert.match(body, /\n``````\n\[\.\.\. cut to fit in a comment \.\.\.\]\npanic[\s\S]*\n`````\nend of output\n``````\n/);
  });

  it("fits GitHub's 65,536 characters when a policy change fails every route, listing the first violations", async () => {
    const violations = Array.from({ length: 3000 }, (_, i) => `    [mandatory]  lantern-fleet-policy v0.0.1  allowed-ports (route-${i}: port 8443 is not allowed)`).join("\n");
    const { comments } = await runReport({
      ...PREVIEW("staging", 1, `${violations}\nerror: preview failed\n`),
      ...PREVIEW("prod", 1, `${violations}\nerror: preview failed\n`),
    });
    const body = comments[0]!.body;
    assert.ok(body.length <= 65536, `${body.length} characters`);
    const [listed, output] = body.split("### prod")[0]!.split("end of the preview output");
    assert.match(listed!, /- `\[mandatory\][^`]*route-0: [^`]*`\n- `\[mandatory\][^`]*route-1: /, "the first violations are listed");
    assert.match(output!, /route-2999/, "and the output's end is shown");
  });
});
