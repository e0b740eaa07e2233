/**
 * The `run:` scripts that call the Pulumi CLI, executed as GitHub runs them
 * (under the shell each step resolves to: model.ts shellCommand) against a
 * stand-in `pulumi` that records its arguments and answers with a given
 * output and exit code. The exit codes are the
 * CLI's (pulumi/pulumi pkg/cmd/pulumi/cmd/exit_codes.go: 3 authentication,
 * 7 changes where none were expected); the outputs have the shape of its diff
 * display (pkg/backend/display/object_diff.go: "<op> <type>: (<op>)", then
 * "[id=...]" and "[urn=...]"; diff.go: "[mandatory]  <policy>" lines).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { jobsOf, loadWorkflows, shellCommand, type Step } from "./model";

const ROOT = path.resolve(__dirname, "../..");
const JOBS = loadWorkflows(path.join(ROOT, ".github/workflows")).flatMap(jobsOf);

type Script = Pick<Step, "shell"> & { readonly run: string };

function script(file: string, id: string, command: string): Script {
  const job = JOBS.find((j) => j.file === file && j.id === id)!;
  const step = job.steps.find((s) => s.run?.includes(`pulumi ${command}`))!;
  return { run: step.run!, shell: step.shell };
}

interface Outcome { exit: number; stdout: string; summary: string; args: string; ghArgs: string; temp: string }

/**
 * A stand-in `gh` for the one call the "Refuse a superseded commit" steps make,
 * `gh api repos/$GITHUB_REPOSITORY/commits/main --jq .sha`: the GitHub CLI
 * manual, gh api (cli.github.com/manual/gh_api; cli/cli pkg/cmd/api/api.go):
 * `gh api <endpoint>` makes an authenticated GET request to the REST API
 * ("GET" normally, "POST" if any parameters were added), authenticated by
 * GH_TOKEN, and `-q, --jq` is "Query to select values from the response
 * using jq syntax", a string printed as is; an HTTP status above 299 exits 1.
 * It records its arguments and prints `mainSha`; other arguments, or no
 * GH_TOKEN, fail like an API error.
 */
function ghStandIn(temp: string, gh: { mainSha: string } | { fails: true }): string {
  return `#!/bin/bash\nprintf '%s\\n' "$*" >> "${temp}/gh-args"\n` +
    `if [ -z "$GH_TOKEN" ] || [ "$#" -ne 4 ] || [ "$1" != api ] || [ "$2" != "repos/$GITHUB_REPOSITORY/commits/main" ] || [ "$3" != --jq ] || [ "$4" != .sha ]; then\n` +
    `  echo "gh: Not Found (HTTP 404)" >&2; exit 1\nfi\n` +
    ("fails" in gh ? `echo "gh: Server Error (HTTP 502)" >&2; exit 1\n` : `echo ${gh.mainSha}\n`);
}

/** `untilInterrupted`: the stand-in runs until SIGINT, which it records, as the CLI's first SIGINT ends an update (pkg/backend/cancellation_scope.go). */
function runStep(
  step: Script,
  pulumi: { exit: number; output: string; untilInterrupted?: boolean },
  env: Record<string, string> = {},
  gh?: { mainSha: string } | { fails: true },
): Outcome {
  const temp = fs.mkdtempSync(path.join(tmpdir(), "run-step-"));
  const bin = path.join(temp, "bin");
  fs.mkdirSync(bin);
  if (gh !== undefined) fs.writeFileSync(path.join(bin, "gh"), ghStandIn(temp, gh), { mode: 0o755 });
  fs.writeFileSync(path.join(temp, "pulumi-output.txt"), pulumi.output);
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/bash\nprintf '%s\\n' "$*" >> "${temp}/pulumi-args"\ncat "${temp}/pulumi-output.txt"\n` +
      (pulumi.untilInterrupted
        ? // Each SIGINT recorded; after the first it waits a second more. Two sent at once (timeout
          // without --foreground) merge into one pending signal for this shell, so the workflow
          // check (updateBudgets), not this run, is what requires --foreground.
          `got=0\ntrap 'got=1; echo SIGINT >> "${temp}/pulumi-args"' INT\n` +
          `for _ in $(seq 600); do sleep 0.1 & wait $!; [ "$got" = 1 ] && break; done\n` +
          `for _ in $(seq 10); do sleep 0.1 & wait $!; done\n`
        : "") +
      `exit ${pulumi.exit}\n`,
    { mode: 0o755 },
  );
  const summary = path.join(temp, "summary.md");
  const [shell, ...flags] = step.shell;
  const res = spawnSync(shell!, [...flags, "-c", step.run], {
    encoding: "utf8",
    env: { PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary, STACK_NAME: "lantern/lantern-fleet/prod", STACK: "prod", ...env },
  });
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
  return { exit: res.status ?? -1, stdout: res.stdout, summary: read(summary), args: read(path.join(temp, "pulumi-args")), ghArgs: read(path.join(temp, "gh-args")), temp };
}

const DRIFTED = `Refreshing (prod)

    pulumi:pulumi:Stack: (same)
        [urn=urn:pulumi:prod::lantern-fleet::pulumi:pulumi:Stack::lantern-fleet-prod]
    ~ linode:index/instance:Instance: (update)
        [id=61234567]
        [urn=urn:pulumi:prod::lantern-fleet::linode:index/instance:Instance::linode-us-lax-stable-1]
      ~ label: "linode-us-lax-stable-1" => "renamed-by-hand"
    - oci:Core/instance:Instance: (delete)
        [id=ocid1.instance.oc1.iad.abc]
        [urn=urn:pulumi:prod::lantern-fleet::oci:Core/instance:Instance::oci-us-ashburn-1-stable-1]
Resources:
    ~ 1 to update
    - 1 to delete
    1078 unchanged
`;
const UNAUTHORIZED = "error: [403] Forbidden: the token's team has no access to lantern/lantern-fleet/prod\n";

/** What the drift step's outcomes must look like: drift and errors told apart. */
function assertDriftOutcomes(step: Script) {
  const clean = runStep(step, { exit: 0, output: "Resources:\n    1080 unchanged\n" });
  assert.equal(clean.exit, 0);
  assert.match(clean.summary, /^## No drift: `lantern\/lantern-fleet\/prod`/);
  assert.doesNotMatch(clean.stdout, /::error/);

  const drift = runStep(step, { exit: 7, output: DRIFTED });
  assert.notEqual(drift.exit, 0);
  assert.match(drift.summary, /^## Drift: `lantern\/lantern-fleet\/prod`/);
  assert.match(drift.summary, /```\n {4}~ linode:index\/instance:Instance: \(update\)\n {8}\[urn=urn:pulumi:prod::lantern-fleet::linode:index\/instance:Instance::linode-us-lax-stable-1\]\n {4}- oci:Core\/instance:Instance: \(delete\)\n {8}\[urn=[^\n]*oci-us-ashburn-1-stable-1\]\n```/);
  assert.match(drift.stdout, /::error title=Drift on lantern\/lantern-fleet\/prod::/);

  const broken = runStep(step, { exit: 3, output: UNAUTHORIZED });
  assert.equal(broken.exit, 3);
  assert.match(broken.summary, /^## Drift check failed \(exit 3\): `lantern\/lantern-fleet\/prod`\n\n- error: \[403\] Forbidden/);
  assert.match(broken.stdout, /::error title=Drift check failed on lantern\/lantern-fleet\/prod::.*this is not drift/);
  assert.doesNotMatch(broken.stdout + broken.summary, /title=Drift on|## Drift:/);
}

describe("the drift step", () => {
  const DRIFT = script("drift.yml", "drift", "refresh");

  it("refreshes once, read-only, and tells no drift, drift (with the drifted resources of that refresh) and errors apart", () => {
    assertDriftOutcomes(DRIFT);
    const drift = runStep(DRIFT, { exit: 7, output: DRIFTED });
    assert.equal(drift.args.trim().split("\n").length, 1, "one pulumi invocation");
    assert.match(drift.args, /^refresh --preview-only --expect-no-changes --stack lantern\/lantern-fleet\/prod --diff/);
  });

  it("mutation: calling every failure drift (the issue's workflow) is caught", () => {
    const run = DRIFT.run.replace('7) verdict="Drift" ;;', '7|*) verdict="Drift" ;;').replace(/\n\s+\*\) verdict=[^\n]*/, "");
    assert.throws(() => assertDriftOutcomes({ ...DRIFT, run }));
  });
});

describe("the preview step", () => {
  const PREVIEW = script("pull-request.yml", "preview", "preview");
  const VIOLATION = "    lantern-fleet@v0.1.0 [mandatory]  only-configured-ports  (linode:index/firewall:Firewall: fw)firewall opens 8080/tcp";

  it("keeps the exit code and output for the PR report, names policy violations in the summary, and fails the job", () => {
    const out = runStep(PREVIEW, { exit: 1, output: `Previewing update (prod)\n${VIOLATION}\nerror: preview failed\n` });
    assert.equal(out.exit, 1);
    assert.equal(fs.readFileSync(path.join(out.temp, "report/preview-prod/exit-code"), "utf8"), "1\n");
    assert.match(fs.readFileSync(path.join(out.temp, "report/preview-prod/output.txt"), "utf8"), /only-configured-ports/);
    assert.match(out.summary, /## pulumi preview: prod failed \(exit 1\)\n\n- lantern-fleet@v0\.1\.0 \[mandatory\]  only-configured-ports .*\n- error: preview failed/);
    assert.match(out.args, /^preview --stack lantern\/lantern-fleet\/prod --diff --policy-pack policy /);
  });

  it("passes and records exit 0 on success", () => {
    const out = runStep(PREVIEW, { exit: 0, output: "Resources:\n    60 unchanged\n" });
    assert.equal(out.exit, 0);
    assert.equal(fs.readFileSync(path.join(out.temp, "report/preview-prod/exit-code"), "utf8"), "0\n");
  });
});

describe("the up step", () => {
  it("fails the job with the CLI's exit code and puts the errors in the summary", () => {
    const out = runStep(script("deploy.yml", "prod", "up"), { exit: 4, output: "error: update failed\n" });
    assert.equal(out.exit, 4);
    assert.match(out.summary, /## pulumi up: prod failed \(exit 4\)\n\n- error: update failed/);
    assert.match(out.args, /^up --yes --stack lantern\/lantern-fleet\/prod --diff --policy-pack policy /);
  });

  /** prod's up step with a 1 s budget and `grace` for --kill-after, its stand-in running until interrupted. */
  const upWithShortBudget = (grace: string): Outcome => {
    const prod = script("deploy.yml", "prod", "up");
    const short = { ...prod, run: prod.run.replaceAll("--kill-after=15m 150m", `--kill-after=${grace} 1s`).replaceAll("150m budget", "1s budget") };
    assert.notEqual(short.run, prod.run);
    return runStep(short, { exit: 255, output: "Updating (prod)\n", untilInterrupted: true });
  };

  it("interrupts the CLI with SIGINT at its budget, and says so", () => {
    const out = upWithShortBudget("20s");
    assert.equal(out.exit, 124);
    const lines = out.args.trimEnd().split("\n");
    assert.equal(lines.filter((l) => l === "SIGINT").length, 1, "one SIGINT: a second would terminate the CLI");
    assert.equal(lines.at(-1), "SIGINT", "after the invocation");
    assert.match(out.summary, /## pulumi up: prod failed \(exit 124\)\n\nStopped at its 1s budget/);
  });

  it("kills a CLI still running its grace after the SIGINT, and says the state may hold pending operations", () => {
    // The stand-in goes on for a second after the SIGINT: longer than this grace.
    const out = upWithShortBudget("0.2s");
    assert.equal(out.exit, 137);
    assert.match(out.summary, /## pulumi up: prod failed \(exit 137\)\n\nKilled after its 1s budget and grace \(exit 137\): the state may hold pending operations/);
  });

  it("mutation: under GitHub's default shell (`bash -e`, no pipefail) a failed update would pass, recorded as exit 0", () => {
    const out = runStep({ ...script("deploy.yml", "prod", "up"), shell: shellCommand(undefined) }, { exit: 4, output: "error: update failed\n" });
    assert.equal(out.exit, 0);
    assert.match(out.summary, /^## pulumi up: prod\n/);
  });
});

describe("the superseded-commit guard", () => {
  const HEAD = "0123456789abcdef0123456789abcdef01234567";
  const OLDER = "fedcba9876543210fedcba9876543210fedcba98";
  const ENV = { GITHUB_REPOSITORY: "getlantern/lantern-fleet", GITHUB_SHA: OLDER, GH_TOKEN: "ghs_standin" };
  const NOT_RUN = { exit: 99, output: "" };

  for (const id of ["staging", "prod"]) {
    const job = JOBS.find((j) => j.file === "deploy.yml" && j.id === id)!;
    const guards = job.steps.filter((s) => s.name === "Refuse a superseded commit");

    it(`${id}: refuses a commit that is not main's head, and passes main's head`, () => {
      assert.equal(guards.length, 1);
      const guard = { run: guards[0]!.run!, shell: guards[0]!.shell };

      const superseded = runStep(guard, NOT_RUN, ENV, { mainSha: HEAD });
      assert.equal(superseded.exit, 1);
      assert.match(superseded.stdout, new RegExp(`^::error title=Superseded::main is at ${HEAD}, this run deploys ${OLDER}\\. `, "m"));
      assert.equal(superseded.ghArgs, "api repos/getlantern/lantern-fleet/commits/main --jq .sha\n");

      const head = runStep(guard, NOT_RUN, { ...ENV, GITHUB_SHA: HEAD }, { mainSha: HEAD });
      assert.equal(head.exit, 0);
      assert.doesNotMatch(head.stdout, /::error/);
      assert.equal(head.ghArgs, "api repos/getlantern/lantern-fleet/commits/main --jq .sha\n");

      const failed = runStep(guard, NOT_RUN, { ...ENV, GITHUB_SHA: HEAD }, { fails: true });
      assert.notEqual(failed.exit, 0, "a failed lookup deploys nothing");
      assert.equal(superseded.args + head.args + failed.args, "", "the guard runs no pulumi");
    });
  }
});
