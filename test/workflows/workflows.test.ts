/**
 * The workflows in .github/workflows against the documented access model
 * (access.ts, rendered into the README): each check on the real workflows
 * (no finding), then on a copy broken the way the issue describes (the
 * check must name it).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { claimMatches, claimsOf, ENVIRONMENTS, issuesTeamToken, OIDC_POLICIES, type OidcPolicy, PR_RUN, renderAccessMarkdown, TEAMS } from "./access";
import {
  approvalGates,
  branchProdSecrets,
  failFastShells,
  mergeBase,
  nodeVersions,
  pinnedCli,
  policyPack,
  prodApproval,
  pullRequestJobs,
  branchWriteTokens,
  reportArtifacts,
  secretsFromEnvironments,
  supersededCommits,
  timeouts,
  tokenLifetimes,
  tokensPerRun,
  updateBudgets,
} from "./checks";
import { cloneWorkflow, jobsOf, loadWorkflows, pulumiOperations, type Workflow } from "./model";

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOWS = loadWorkflows(path.join(ROOT, ".github/workflows"));
const FILES = WORKFLOWS.map((w) => w.file);
const LOCK = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
const SDK_VERSION = LOCK.packages["node_modules/@pulumi/pulumi"]!.version;
const NODE_VERSION = LOCK.packages["node_modules/node"]!.version;

const jobs = (workflows: readonly Workflow[] = WORKFLOWS) => workflows.flatMap(jobsOf);

/** The real workflows with one file changed by `edit` (its parsed document). */
function broken(file: string, edit: (doc: any) => void): Workflow[] {
  return WORKFLOWS.map((w) => {
    if (w.file !== file) return w;
    const copy = cloneWorkflow(w);
    edit(copy.doc);
    return copy;
  });
}

const step = (doc: any, job: string, match: (s: any) => boolean) => {
  const found = (doc.jobs[job].steps as any[]).find(match);
  assert.ok(found, `no such step in ${job}`);
  return found;
};
const run = (doc: any, job: string, command: string) => step(doc, job, (s) => typeof s.run === "string" && s.run.includes(command));
const auth = (doc: any, job: string) => step(doc, job, (s) => String(s.uses).startsWith("pulumi/auth-actions@"));

function assertFinds(findings: string[], pattern: RegExp) {
  assert.ok(findings.some((f) => pattern.test(f)), `expected a finding matching ${pattern}, got:\n${findings.join("\n") || "(none)"}`);
}

describe("the workflow model", () => {
  it("sees every job, each matrix combination with its environment and group resolved", () => {
    const ids = jobs().map((j) => `${j.file}:${j.id}:${j.environment ?? ""}:${j.concurrency?.group ?? ""}`);
    assert.deepEqual(ids.sort(), [
      "deploy.yml:prod-approval:production-approval:",
      "deploy.yml:prod:production:pulumi-prod",
      "deploy.yml:staging:staging:pulumi-staging",
      "deploy.yml:test::",
      "drift.yml:drift:production-drift:pulumi-prod",
      "drift.yml:drift:staging-read:pulumi-staging",
      "pull-request.yml:offline-plan::pr-${{ github.event.pull_request.number }}",
      "pull-request.yml:offline-plan::pr-${{ github.event.pull_request.number }}",
      "pull-request.yml:preview:production-read:pr-${{ github.event.pull_request.number }}",
      "pull-request.yml:preview:staging-read:pr-${{ github.event.pull_request.number }}",
      "pull-request.yml:report::pr-${{ github.event.pull_request.number }}",
      "pull-request.yml:test::pr-${{ github.event.pull_request.number }}",
    ]);
  });

  it("finds the Pulumi commands in run scripts, not the ones in echoed text", () => {
    const commands = Object.fromEntries(jobs().map((j) => [`${j.id}/${j.matrix.stack ?? ""}`, pulumiOperations(j).map((op) => op.command)]));
    assert.deepEqual(commands["preview/prod"], ["preview"]);
    assert.deepEqual(commands["staging/"], ["up"]);
    assert.deepEqual(commands["prod/"], ["up"]);
    assert.deepEqual(commands["drift/staging"], ["refresh"]);
    assert.deepEqual(commands["report/"], []);
  });
});

describe("the Pulumi OIDC policy", () => {
  it("matches claims with Pulumi's wildcards (* any run, ? at most one character, . exactly one)", () => {
    assert.ok(claimMatches("refs/heads/*", "refs/heads/a/b"));
    assert.ok(claimMatches("v?1", "v1") && claimMatches("v?1", "vx1") && !claimMatches("v?1", "vxx1"));
    assert.ok(claimMatches("a.c", "abc") && !claimMatches("a.c", "ac"));
    assert.ok(!claimMatches("refs/heads/main", "refs/pull/17/merge"));
  });

  it("issues no token that can update a stack to any claims a run from a branch can present", () => {
    assert.deepEqual(branchWriteTokens(OIDC_POLICIES, FILES), []);
  });

  it("issues each stack's read-only token to a PR job of its -read environment only, and no token without an environment", () => {
    assert.ok(issuesTeamToken(OIDC_POLICIES, "lantern-fleet-read", claimsOf("pull-request.yml", "production-read", PR_RUN)));
    assert.ok(issuesTeamToken(OIDC_POLICIES, "lantern-fleet-read-staging", claimsOf("pull-request.yml", "staging-read", PR_RUN)));
    assert.ok(!issuesTeamToken(OIDC_POLICIES, "lantern-fleet-read", claimsOf("pull-request.yml", "staging-read", PR_RUN)));
    assert.ok(!issuesTeamToken(OIDC_POLICIES, "lantern-fleet-read", claimsOf("drift.yml", "production-drift", PR_RUN)));
    assert.ok(!issuesTeamToken(OIDC_POLICIES, "lantern-fleet-read", claimsOf("pull-request.yml", undefined, PR_RUN)));
  });

  const mutated = (team: string, rules: (r: Record<string, string>) => Record<string, string>): OidcPolicy[] =>
    OIDC_POLICIES.map((p) => (p.team === team ? { ...p, rules: rules({ ...p.rules }) } : p));

  it("mutation: a deploy policy that trusts the environment subject alone lets a PR naming that environment update prod", () => {
    const findings = branchWriteTokens(mutated("lantern-fleet-deploy-prod", ({ aud, sub }) => ({ aud: aud!, sub: sub! })), FILES);
    assertFinds(findings, /sub repo:getlantern\/lantern-fleet:environment:production .* gets the lantern-fleet-deploy-prod token/);
  });

  it("mutation: a deploy policy on any ref, or on the deploy workflow of any ref, is caught", () => {
    assertFinds(branchWriteTokens(mutated("lantern-fleet-deploy-staging", (r) => ({ ...r, ref: "refs/*", workflow_ref: "*" })), FILES), /lantern-fleet-deploy-staging/);
    assertFinds(
      branchWriteTokens(mutated("lantern-fleet-deploy-prod", (r) => ({ ...r, ref: "*", workflow_ref: "<owner>/<repo>/.github/workflows/deploy.yml@*" })), FILES),
      /workflow_ref getlantern\/lantern-fleet\/.github\/workflows\/deploy.yml@refs\/pull\/17\/merge gets the lantern-fleet-deploy-prod/,
    );
  });

  it("mutation: a deploy policy on any branch, without its workflow, lets a push to a branch update staging", () => {
    assertFinds(branchWriteTokens(mutated("lantern-fleet-deploy-staging", ({ aud, sub }) => ({ aud: aud!, sub: sub!, ref: "refs/heads/*" })), FILES), /a push run at refs\/heads\/feature .* gets the lantern-fleet-deploy-staging token/);
  });

  it("mutation: a read team given Stack Write is caught", () => {
    const policies = OIDC_POLICIES.map((p) => (p.team === "lantern-fleet-read" ? { ...p, team: "lantern-fleet-deploy-prod" } : p));
    assertFinds(branchWriteTokens(policies, FILES), /environment:production-read .* lantern-fleet-deploy-prod/);
  });

  it("is the one the README documents", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    assert.ok(readme.includes(renderAccessMarkdown()), `README.md must contain, verbatim:\n${renderAccessMarkdown()}`);
  });
});

describe("prod's secrets", () => {
  const PROD_READ = "lantern-fleet-read";

  it("no pull request or branch run gets a token that decrypts prod without a reviewer", () => {
    assert.deepEqual(branchProdSecrets(OIDC_POLICIES, FILES), []);
  });

  it("mutation: production-read without required reviewers (the model before this check) is caught", () => {
    const environments = { ...ENVIRONMENTS, "production-read": { ...ENVIRONMENTS["production-read"]!, requiredReviewers: false } };
    assertFinds(
      branchProdSecrets(OIDC_POLICIES, FILES, environments),
      /a pull_request run at refs\/pull\/17\/merge \(sub repo:getlantern\/lantern-fleet:environment:production-read, .*\) gets the lantern-fleet-read token, which decrypts prod's secrets, in environment "production-read", which has no required reviewers/,
    );
  });

  it("mutation: one read team for both stacks (staging-read's token also reads prod) is caught", () => {
    const teams = { ...TEAMS, "lantern-fleet-read-staging": { staging: "Stack Read", prod: "Stack Read" } } as const;
    assertFinds(branchProdSecrets(OIDC_POLICIES, FILES, ENVIRONMENTS, teams), /sub repo:getlantern\/lantern-fleet:environment:staging-read, .*gets the lantern-fleet-read-staging token, which decrypts prod's secrets/);
    const shared = OIDC_POLICIES.map((p) => (p.rules.sub?.endsWith(":environment:staging-read") ? { ...p, team: PROD_READ } : p));
    assertFinds(branchProdSecrets(shared, FILES), /environment:staging-read, .*gets the lantern-fleet-read token, which decrypts prod's secrets, in environment "staging-read", which has no required reviewers/);
  });

  const driftPolicy = (rules: (r: Record<string, string>) => Record<string, string>): OidcPolicy[] =>
    OIDC_POLICIES.map((p) => (p.rules.sub?.endsWith(":environment:production-drift") ? { ...p, rules: rules({ ...p.rules }) } : p));

  it("mutation: production-drift's policy on its subject alone, or on drift.yml of any branch, is caught", () => {
    assertFinds(
      branchProdSecrets(driftPolicy(({ aud, sub }) => ({ aud: aud!, sub: sub! })), FILES),
      /a pull_request run at refs\/pull\/17\/merge \(sub repo:getlantern\/lantern-fleet:environment:production-drift, .*\) gets the lantern-fleet-read token, which decrypts prod's secrets, in environment "production-drift", which has no required reviewers/,
    );
    const anyBranch = driftPolicy((r) => ({ ...r, ref: "refs/heads/*", workflow_ref: "<owner>/<repo>/.github/workflows/drift.yml@refs/heads/*" }));
    assertFinds(branchProdSecrets(anyBranch, FILES), /a push run at refs\/heads\/feature \(sub repo:getlantern\/lantern-fleet:environment:production-drift, workflow_ref getlantern\/lantern-fleet\/.github\/workflows\/drift.yml@refs\/heads\/feature\) gets the lantern-fleet-read token/);
  });

  it("mutation: a prod read policy for any subject of the repository, or for an environment configured nowhere, is caught", () => {
    const anySub = [...OIDC_POLICIES, { decision: "allow", tokenType: "team", team: PROD_READ, rules: { aud: "urn:pulumi:org:<org>", sub: "repo:<owner>/<repo>:*" } } as const];
    assertFinds(branchProdSecrets(anySub, FILES), /sub repo:getlantern\/lantern-fleet:pull_request, .*gets the lantern-fleet-read token, which decrypts prod's secrets, without an environment/);
    const bare = [...OIDC_POLICIES, { decision: "allow", tokenType: "team", team: PROD_READ, rules: { aud: "urn:pulumi:org:<org>", sub: "repo:<owner>/<repo>:environment:prod-preview" } } as const];
    assertFinds(branchProdSecrets(bare, FILES), /in environment "prod-preview", which a workflow creates without reviewers/);
  });
});

describe("pull_request jobs", () => {
  it("get neither deploy environments nor a token that can update a stack, and only preview", () => {
    assert.deepEqual(pullRequestJobs(jobs(), OIDC_POLICIES), []);
  });

  it("mutation: the preview in environment production (deploy credentials) is caught", () => {
    const w = broken("pull-request.yml", (d) => (d.jobs.preview.strategy.matrix.include[1].environment = "production"));
    assertFinds(pullRequestJobs(jobs(w), OIDC_POLICIES), /preview \(prod, production[^)]*\): environment "production" holds deploy credentials/);
  });

  it("mutation: the preview asking for the prod deploy team, or an organization token, is caught", () => {
    const team = broken("pull-request.yml", (d) => (auth(d, "preview").with.scope = "team:lantern-fleet-deploy-prod"));
    assertFinds(pullRequestJobs(jobs(team), OIDC_POLICIES), /requests team lantern-fleet-deploy-prod, which can update a stack/);
    const org = broken("pull-request.yml", (d) => {
      auth(d, "preview").with["requested-token-type"] = "urn:pulumi:token-type:access_token:organization";
      delete auth(d, "preview").with.scope;
    });
    assertFinds(pullRequestJobs(jobs(org), OIDC_POLICIES), /requests a urn:pulumi:token-type:access_token:organization token/);
  });

  it("mutation: `pulumi up` in a PR job, or the pull_request_target trigger, is caught", () => {
    const up = broken("pull-request.yml", (d) => (run(d, "preview", "pulumi preview").run += '\npulumi up --yes --stack "$STACK_NAME"\n'));
    assertFinds(pullRequestJobs(jobs(up), OIDC_POLICIES), /runs `pulumi up --yes --stack "\$STACK_NAME"`; a PR may only preview/);
    const target = broken("pull-request.yml", (d) => (d.on = { pull_request_target: null }));
    assertFinds(pullRequestJobs(jobs(target), OIDC_POLICIES), /pull_request_target runs with the base repository's secrets/);
  });

  it("mutation: a PR job without its environment reads no token (the policy trusts no pull_request subject)", () => {
    const w = broken("pull-request.yml", (d) => delete d.jobs.preview.environment);
    assertFinds(pullRequestJobs(jobs(w), OIDC_POLICIES), /issues no lantern-fleet-read token to its claims \(sub repo:getlantern\/lantern-fleet:pull_request\)/);
  });
});

describe("tokens per run", () => {
  it("each job gets its token on every run it is meant for; update tokens only on main", () => {
    assert.deepEqual(tokensPerRun(jobs(), OIDC_POLICIES), []);
  });

  it("a manual drift run from a branch gets staging's read token, not prod's; a manual deploy from a branch runs nothing", () => {
    const branch = { event: "workflow_dispatch", ref: "refs/heads/feature" };
    const drift = (stack: string) => jobs().find((j) => j.id === "drift" && j.matrix.stack === stack)!;
    assert.ok(issuesTeamToken(OIDC_POLICIES, "lantern-fleet-read-staging", claimsOf("drift.yml", drift("staging").environment, branch)));
    assert.equal(ENVIRONMENTS[drift("prod").environment!]?.deploymentBranches, "main", "prod's drift environment refuses a branch");
    assert.ok(!issuesTeamToken(OIDC_POLICIES, "lantern-fleet-read", claimsOf("drift.yml", drift("prod").environment, branch)));
    assert.ok(issuesTeamToken(OIDC_POLICIES, "lantern-fleet-read", claimsOf("drift.yml", drift("prod").environment, { event: "schedule", ref: "refs/heads/main" })));
    const prod = jobs().find((j) => j.id === "prod")!;
    assert.ok(!issuesTeamToken(OIDC_POLICIES, "lantern-fleet-deploy-prod", claimsOf(prod.file, prod.environment, { event: "workflow_dispatch", ref: "refs/heads/feature" })));
  });

  it("mutation: a read policy bound to main refuses manual drift from a branch; a deploy job without its environment gets no token", () => {
    const mainOnly = OIDC_POLICIES.map((p) => (p.team === "lantern-fleet-read-staging" ? { ...p, rules: { ...p.rules, ref: "refs/heads/main" } } : p));
    assertFinds(tokensPerRun(jobs(), mainOnly), /drift.yml drift \(staging, staging-read[^)]*\): on workflow_dispatch at refs\/heads\/feature the OIDC policy refuses/);
    const noEnv = broken("deploy.yml", (d) => delete d.jobs.prod.environment);
    assertFinds(tokensPerRun(jobs(noEnv), OIDC_POLICIES), /deploy.yml prod: on push at refs\/heads\/main the OIDC policy refuses its lantern-fleet-deploy-prod token/);
  });

  it("mutation: a deploy job that may run from a branch is caught", () => {
    const w = broken("deploy.yml", (d) => (d.jobs.staging.if = "${{ !github.event.repository.fork }}"));
    const loose = OIDC_POLICIES.map((p) => (p.team === "lantern-fleet-deploy-staging" ? { ...p, rules: { aud: p.rules.aud!, sub: p.rules.sub! } } : p));
    assertFinds(tokensPerRun(jobs(w), loose), /deploy.yml staging: on workflow_dispatch at refs\/heads\/feature gets lantern-fleet-deploy-staging/);
  });
});

describe("secrets", () => {
  it("cloud secrets are read only in jobs whose environment holds them", () => {
    assert.deepEqual(secretsFromEnvironments(jobs()), []);
  });

  it("mutation: a cloud secret in a job without an environment (a repository secret) is caught", () => {
    const w = broken("pull-request.yml", (d) => (d.jobs["offline-plan"].env.LINODE_TOKEN = "${{ secrets.LINODE_TOKEN }}"));
    assertFinds(secretsFromEnvironments(jobs(w)), /offline-plan \(staging\): reads LINODE_TOKEN without an environment/);
  });
});

describe("approval gates and concurrency", () => {
  it("the approval holds no group, the deploy and drift jobs in pulumi-<stack> wait for no reviewer", () => {
    assert.deepEqual(approvalGates(jobs()), []);
  });

  it("mutation: the gate in group pulumi-prod is caught", () => {
    const w = broken("deploy.yml", (d) => (d.jobs["prod-approval"].concurrency = { group: "pulumi-prod", "cancel-in-progress": false }));
    assertFinds(approvalGates(jobs(w)), /prod-approval: waits for reviewers of "production-approval" while holding concurrency group pulumi-prod/);
  });

  it("mutation: the prod preview waiting for its reviewer in a PR group that a new push does not cancel is caught", () => {
    const w = broken("pull-request.yml", (d) => (d.concurrency["cancel-in-progress"] = false));
    assertFinds(approvalGates(jobs(w)), /pull-request.yml preview \(prod, production-read[^)]*\): waits for reviewers of "production-read" while holding concurrency group pr-/);
  });

  it("mutation: the approval moved back onto the prod up job (the issue's layout) is caught", () => {
    const w = broken("deploy.yml", (d) => (d.jobs.prod.environment = "production-approval"));
    assertFinds(approvalGates(jobs(w)), /deploy.yml prod: waits for reviewers of "production-approval" while holding concurrency group pulumi-prod/);
  });

  it("prod's deploy runs only after the approval job", () => {
    assert.deepEqual(prodApproval(jobs()), []);
    const ready = broken("deploy.yml", (d) => {
      d.jobs["prod-ready"] = { needs: "prod-approval", "runs-on": "ubuntu-latest", steps: [{ run: "true" }] };
      d.jobs.prod.needs = ["prod-ready"];
    });
    assert.deepEqual(prodApproval(jobs(ready)), [], "through a job that needs the approval");
  });

  it("mutation: prod without `needs: prod-approval`, or needing staging only, is caught", () => {
    assertFinds(prodApproval(jobs(broken("deploy.yml", (d) => delete d.jobs.prod.needs))), /deploy.yml prod: can update prod without an approval/);
    assertFinds(prodApproval(jobs(broken("deploy.yml", (d) => (d.jobs.prod.needs = "staging")))), /deploy.yml prod: can update prod without an approval/);
  });

  it("mutation: a status check function that runs prod whatever the approval's outcome is caught", () => {
    for (const fn of ["always()", "!cancelled()", "success() || github.event_name == 'workflow_dispatch'"]) {
      const w = broken("deploy.yml", (d) => (d.jobs.prod.if = `\${{ ${fn} && github.ref == 'refs/heads/main' }}`));
      assertFinds(prodApproval(jobs(w)), /deploy.yml prod: can update prod without an approval/);
    }
    const between = broken("deploy.yml", (d) => {
      d.jobs["prod-ready"] = { needs: "prod-approval", if: "${{ always() }}", "runs-on": "ubuntu-latest", steps: [{ run: "true" }] };
      d.jobs.prod.needs = ["prod-ready"];
    });
    assertFinds(prodApproval(jobs(between)), /deploy.yml prod: can update prod without an approval/);
  });

  it("mutation: production-approval without required reviewers, or the prod deploy in another file without the gate, is caught", () => {
    const environments = { ...ENVIRONMENTS, "production-approval": { ...ENVIRONMENTS["production-approval"]!, requiredReviewers: false } };
    assertFinds(prodApproval(jobs(), environments), /environment "production-approval" has no required reviewers/);
    const other = broken("drift.yml", (d) => (d.jobs.drift.strategy.matrix.include[1].environment = "production"));
    assertFinds(prodApproval(jobs(other)), /drift.yml drift \(prod, production[^)]*\): can update prod without an approval/);
  });

  it("mutation: drift or deploy outside the stack's group is caught", () => {
    const w = broken("drift.yml", (d) => delete d.jobs.drift.concurrency);
    assertFinds(approvalGates(jobs(w)), /drift \(prod, production-drift[^)]*\): runs `pulumi refresh` outside concurrency group pulumi-prod/);
  });
});

describe("timeouts, CLI version, policy pack, report artifacts, merge base", () => {
  it("hold on the real workflows", () => {
    assert.deepEqual(timeouts(jobs()), []);
    assert.deepEqual(failFastShells(jobs()), []);
    assert.deepEqual(pinnedCli(jobs(), SDK_VERSION), []);
    assert.deepEqual(policyPack(WORKFLOWS, jobs()), []);
    assert.deepEqual(reportArtifacts(jobs()), []);
    assert.deepEqual(mergeBase(WORKFLOWS, jobs()), []);
    assert.deepEqual(updateBudgets(jobs()), []);
    assert.deepEqual(tokenLifetimes(jobs()), []);
    assert.deepEqual(supersededCommits(jobs()), []);
    assert.deepEqual(nodeVersions(jobs(), NODE_VERSION), []);
    assert.ok(fs.existsSync(path.join(ROOT, "policy/PulumiPolicy.yaml")), "the policy pack every preview and update passes");
  });

  it("mutation: a workflow without defaults.run.shell (GitHub's `bash -e`, no pipefail), or a step overriding it, is caught", () => {
    assertFinds(failFastShells(jobs(broken("deploy.yml", (d) => delete d.defaults))), /deploy.yml staging: step .* runs under `bash -e`, without pipefail/);
    const w = broken("drift.yml", (d) => (run(d, "drift", "pulumi refresh").shell = "sh"));
    assertFinds(failFastShells(jobs(w)), /drift.yml drift.*: step .* runs under `sh -e`/);
  });

  it("mutation: a job without timeout-minutes is caught", () => {
    const w = broken("deploy.yml", (d) => delete d.jobs.prod["timeout-minutes"]);
    assertFinds(timeouts(jobs(w)), /deploy.yml prod: no timeout-minutes/);
  });

  it("mutation: an update without timeout's SIGINT, with another signal, to its process group, or with a budget past the job's timeout is caught", () => {
    const upRun = (d: any, job: string) => run(d, job, "pulumi up");
    const bare = broken("deploy.yml", (d) => (upRun(d, "prod").run = upRun(d, "prod").run.replace(/timeout [^\n]*? pulumi up/, "pulumi up")));
    assertFinds(updateBudgets(jobs(bare)), /deploy.yml prod: `pulumi up --yes .*` runs without `timeout --signal=INT`/);
    const term = broken("deploy.yml", (d) => (upRun(d, "staging").run = upRun(d, "staging").run.replace("--signal=INT ", "")));
    assertFinds(updateBudgets(jobs(term)), /deploy.yml staging: .* is stopped with SIGTERM/);
    const group = broken("deploy.yml", (d) => (upRun(d, "prod").run = upRun(d, "prod").run.replace("--foreground ", "")));
    assertFinds(updateBudgets(jobs(group)), /deploy.yml prod: .* timeout without --foreground also signals its process group/);
    const long = broken("deploy.yml", (d) => (d.jobs.prod["timeout-minutes"] = 160));
    assertFinds(updateBudgets(jobs(long)), /deploy.yml prod: .* a budget of 150 minutes plus 15 to stop is not inside the job's timeout-minutes 160/);
  });

  it("reads timeout's short and separate-argument options, so an update under any of them is still seen", () => {
    const upRun = (d: any, job: string) => run(d, job, "pulumi up");
    const rewrite = (options: string) =>
      broken("deploy.yml", (d) => {
        const up = upRun(d, "staging");
        const next = up.run.replace("timeout --foreground --signal=INT --kill-after=10m 70m pulumi up", `timeout ${options} pulumi up`);
        assert.notEqual(next, up.run);
        up.run = next;
      });
    const staging = (w: Workflow[]) => pulumiOperations(jobs(w).find((j) => j.file === "deploy.yml" && j.id === "staging")!).find((op) => op.command === "up")!;
    for (const options of ["--foreground -s INT -k 10m 70m", "--foreground --signal INT --kill-after 10m 70m", "--foreground -sINT -k10m 70m"]) {
      const w = rewrite(options);
      assert.deepEqual(staging(w).timeout, { foreground: true, signal: "INT", killAfter: "10m", duration: "70m", others: [] }, options);
      assert.deepEqual(updateBudgets(jobs(w)), [], options);
    }
    assertFinds(updateBudgets(jobs(rewrite("--foreground -s TERM -k 10m 70m"))), /deploy.yml staging: .* is stopped with TERM, not SIGINT/);
    assertFinds(updateBudgets(jobs(rewrite("-s INT -k 10m 70m"))), /deploy.yml staging: .* timeout without --foreground/);
    assertFinds(updateBudgets(jobs(rewrite("--foreground -s INT -k 10m 70m --preserve-status"))), /deploy.yml staging: .* timeout has `--preserve-status`, which this check does not model/);
    assertFinds(updateBudgets(jobs(rewrite("--preserve-status --foreground -s INT -k 10m 70m"))), /timeout has `--preserve-status`/);
    assertFinds(updateBudgets(jobs(rewrite("--foreground -s INT 70m"))), /deploy.yml staging: .* timeout needs a duration and --kill-after/);
  });

  it("mutation: an update under `timeout -s INT -k 10m`, its policy pack or its superseded-commit guard removed, is caught", () => {
    const upRun = (d: any, job: string) => run(d, job, "pulumi up");
    const short = broken("deploy.yml", (d) => {
      upRun(d, "staging").run = upRun(d, "staging").run.replace("--signal=INT --kill-after=10m", "-s INT -k 10m").replace(" --policy-pack policy", "");
    });
    assert.doesNotMatch(run(short.find((w) => w.file === "deploy.yml")!.doc, "staging", "pulumi up").run, /--signal=|--kill-after=|--policy-pack/);
    assertFinds(policyPack(short, jobs(short)), /deploy.yml staging: `pulumi up --yes .*` does not pass --policy-pack policy/);
    const unguarded = broken("deploy.yml", (d) => {
      upRun(d, "staging").run = upRun(d, "staging").run.replace("--signal=INT --kill-after=10m", "-s INT -k 10m");
      d.jobs.staging.steps = (d.jobs.staging.steps as any[]).filter((s) => s.name !== "Refuse a superseded commit");
    });
    assertFinds(supersededCommits(jobs(unguarded)), /deploy.yml staging: runs `pulumi up` without first refusing/);
  });

  it("mutation: a deploy token that expires before its job's timeout is caught", () => {
    const w = broken("deploy.yml", (d) => delete auth(d, "prod").with["token-expiration"]);
    assertFinds(tokenLifetimes(jobs(w)), /deploy.yml prod: its Pulumi token lasts 7200 s, less than the job's timeout-minutes 180/);
  });

  it("mutation: an update that does not first refuse a superseded commit is caught", () => {
    const guard = (d: any, job: string) => (d.jobs[job].steps as any[]).findIndex((s) => s.name === "Refuse a superseded commit");
    for (const job of ["staging", "prod"]) {
      const w = broken("deploy.yml", (d) => d.jobs[job].steps.splice(guard(d, job), 1));
      assertFinds(supersededCommits(jobs(w)), new RegExp(`deploy.yml ${job}: runs \`pulumi up\` without first refusing`));
    }
  });

  it("mutation: a floating Node (another zlib, other gzip bytes) is caught", () => {
    const w = broken("deploy.yml", (d) => (step(d, "staging", (s) => String(s.uses).startsWith("actions/setup-node@")).with["node-version"] = 24));
    assertFinds(nodeVersions(jobs(w), NODE_VERSION), /deploy.yml staging: sets up Node 24, not package-lock.json's node 24\.21\.0/);
  });

  it("mutation: an unpinned, floating or other CLI version is caught", () => {
    const install = (d: any, job: string) => step(d, job, (s) => String(s.uses).startsWith("pulumi/actions@"));
    assertFinds(pinnedCli(jobs(broken("drift.yml", (d) => delete install(d, "drift").with["pulumi-version"])), SDK_VERSION), /drift \(staging, staging-read[^)]*\): runs pulumi without installing a pinned version/);
    assertFinds(pinnedCli(jobs(broken("deploy.yml", (d) => (install(d, "prod").with["pulumi-version"] = "^3"))), SDK_VERSION), /pulumi-version \^3 is not an exact version/);
    assertFinds(pinnedCli(jobs(broken("deploy.yml", (d) => (install(d, "staging").with["pulumi-version"] = "3.200.0"))), SDK_VERSION), /differs from @pulumi\/pulumi/);
    const old = WORKFLOWS.map((w) => {
      const copy = cloneWorkflow(w);
      for (const job of Object.values(copy.doc.jobs as Record<string, any>)) {
        for (const s of job.steps ?? []) if (s.with?.["pulumi-version"]) s.with["pulumi-version"] = "3.200.0";
      }
      return copy;
    });
    assertFinds(pinnedCli(jobs(old), "3.200.0"), /pulumi-version 3.200.0 predates the exit codes drift relies on/);
  });

  it("mutation: a preview without the policy pack, a hashFiles guard or a second install of policy/ is caught", () => {
    const dropped = broken("pull-request.yml", (d) => (run(d, "preview", "pulumi preview").run = run(d, "preview", "pulumi preview").run.replace(" --policy-pack policy", "")));
    assertFinds(policyPack(dropped, jobs(dropped)), /pull-request.yml preview \(staging, staging-read[^)]*\): `pulumi preview .*` does not pass --policy-pack policy/);
    const guarded = broken("deploy.yml", (d) => (run(d, "prod", "pulumi up").if = "hashFiles('policy/PulumiPolicy.yaml') != ''"));
    assertFinds(policyPack(guarded, jobs(guarded)), /deploy.yml: makes the policy pack conditional on hashFiles/);
    const second = broken("deploy.yml", (d) => d.jobs.staging.steps.splice(3, 0, { run: "npm ci --prefix policy" }));
    assertFinds(policyPack(second, jobs(second)), /deploy.yml staging: installs policy\/ separately/);
  });

  it("mutation: downloading the reports without merge-multiple is caught", () => {
    const w = broken("pull-request.yml", (d) => delete step(d, "report", (s) => String(s.uses).startsWith("actions/download-artifact@")).with["merge-multiple"]);
    assertFinds(reportArtifacts(jobs(w)), /report: downloads by pattern without merge-multiple/);
  });

  it("mutation: diffing against pull_request.base.sha, or HEAD^1 of a depth-1 checkout, is caught", () => {
    const stale = broken("pull-request.yml", (d) => (run(d, "offline-plan", "git worktree add").run += "\ngit checkout ${{ github.event.pull_request.base.sha }}\n"));
    assertFinds(mergeBase(stale, jobs(stale)), /diffs against pull_request.base.sha/);
    const shallow = broken("pull-request.yml", (d) => delete step(d, "offline-plan", (s) => String(s.uses).startsWith("actions/checkout@")).with["fetch-depth"]);
    assertFinds(mergeBase(shallow, jobs(shallow)), /offline-plan \(staging\): reads HEAD\^1 from a checkout without fetch-depth 2/);
  });
});
