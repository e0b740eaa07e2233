/**
 * Checks of the workflows (model.ts) against the documented access model
 * (access.ts). Each returns its findings, one sentence each; none means the
 * property holds. Pure functions, so the tests can break a real workflow and
 * see the finding.
 */
import {
  BRANCH_RUNS,
  canDecrypt,
  canUpdate,
  canWrite,
  claimSetsOf,
  claimsOf,
  ENVIRONMENTS,
  type Environments,
  environmentOfClaims,
  issuesTeamToken,
  type OidcPolicy,
  PR_RUN,
  type Run,
  TEAMS,
  type Teams,
} from "./access";
import { actionName, type Job, label, pulumiOperations, stackOf, type Workflow } from "./model";

const TEAM_TOKEN = "urn:pulumi:token-type:access_token:team";
const AUTH = "pulumi/auth-actions";
/** The first CLI release with a documented exit code for each outcome (pulumi/pulumi pkg/cmd/pulumi/cmd/exit_codes.go). */
export const MIN_CLI = "3.226.0";

const isPullRequestJob = (job: Job): boolean => job.triggers.some((t) => t.startsWith("pull_request"));
const authSteps = (job: Job) => job.steps.filter((s) => actionName(s.uses) === AUTH);
const requestedTeam = (with_: Readonly<Record<string, string>>): string | undefined => /^team:(.+)$/.exec(with_.scope ?? "")?.[1];

/** The runs each trigger starts: a PR's merge ref, main, and a manual run from main or from another branch. */
function runsOf(job: Job): Run[] {
  const mainOnly = /github\.ref\s*==\s*'refs\/heads\/main'/.test(job.condition ?? "");
  return job.triggers.flatMap((event): Run[] => {
    if (event.startsWith("pull_request")) return [{ event, ref: PR_RUN.ref }];
    if (event === "workflow_dispatch") return mainOnly ? [{ event, ref: "refs/heads/main" }] : [{ event, ref: "refs/heads/main" }, { event, ref: "refs/heads/feature" }];
    return [{ event, ref: "refs/heads/main" }];
  });
}

/**
 * The documented OIDC policy issues no token that can update a stack to any
 * claims a run from a branch can present (BRANCH_RUNS: a pull request, a
 * push or a manual run off main), whatever the branch's workflow says.
 */
export function branchWriteTokens(policies: readonly OidcPolicy[], workflowFiles: readonly string[]): string[] {
  const writeTeams = [...new Set(policies.map((p) => p.team))].filter((team) => canUpdate(team));
  return writeTeams.flatMap((team) =>
    claimSetsOf(BRANCH_RUNS, policies, workflowFiles)
      .filter((claims) => issuesTeamToken(policies, team, claims))
      .map((claims) => `a ${claims.event_name} run at ${claims.ref} with sub ${claims.sub} and workflow_ref ${claims.workflow_ref} gets the ${team} token, which can update a stack`));
}

/** Jobs a pull request triggers: no deploy environment, a read-only token, previews only. */
export function pullRequestJobs(jobs: readonly Job[], policies: readonly OidcPolicy[]): string[] {
  return jobs.filter(isPullRequestJob).flatMap((job) => {
    const where = label(job);
    const findings: string[] = [];
    if (job.triggers.includes("pull_request_target")) {
      findings.push(`${where}: pull_request_target runs with the base repository's secrets and write token`);
    }
    if (job.environment !== undefined) {
      const env = ENVIRONMENTS[job.environment];
      if (env === undefined) findings.push(`${where}: environment "${job.environment}" is not a documented environment`);
      else if (env.credentials === "deploy") findings.push(`${where}: environment "${job.environment}" holds deploy credentials`);
    }
    for (const auth of authSteps(job)) {
      const team = requestedTeam(auth.with);
      if (auth.with["requested-token-type"] !== TEAM_TOKEN || team === undefined) {
        findings.push(`${where}: requests a ${auth.with["requested-token-type"]} token; a PR may only get a read-only team token`);
      } else if (canUpdate(team)) {
        findings.push(`${where}: requests team ${team}, which can update a stack`);
      } else if (!issuesTeamToken(policies, team, claimsOf(job.file, job.environment, PR_RUN))) {
        findings.push(`${where}: the OIDC policy issues no ${team} token to its claims (sub ${claimsOf(job.file, job.environment, PR_RUN).sub})`);
      }
    }
    for (const op of pulumiOperations(job)) {
      if (op.command !== "preview") findings.push(`${where}: runs \`${op.text.trim()}\`; a PR may only preview`);
    }
    return findings;
  });
}

/**
 * Prod's secrets stay behind a reviewer for anyone who can push a branch.
 * Stack Read and Stack Write both include `stack:decrypt` (access.ts,
 * sources), and a pull request, a push to a branch or a manual run of one
 * runs the branch's own workflows and program: a token that can decrypt prod
 * must reach such a run only in an environment with required reviewers
 * (whose secrets, and whose jobs, wait for one: access.ts, sources). An
 * environment that is not configured here has none (a workflow that names
 * it creates it bare), and a job without an environment waits for nobody.
 * Like branchWriteTokens this counts the OIDC policy only, not the
 * environments' branch rules: `production-drift` is `main`-only and its
 * policy requires main's drift.yml, each enough on its own.
 */
export function branchProdSecrets(
  policies: readonly OidcPolicy[],
  workflowFiles: readonly string[],
  environments: Environments = ENVIRONMENTS,
  teams: Teams = TEAMS,
): string[] {
  const readers = [...new Set(policies.map((p) => p.team))].filter((team) => canDecrypt(team, "prod", teams));
  return readers.flatMap((team) =>
    claimSetsOf(BRANCH_RUNS, policies, workflowFiles)
      .filter((claims) => issuesTeamToken(policies, team, claims))
      .flatMap((claims) => {
        const env = environmentOfClaims(claims);
        const settings = env === undefined ? undefined : environments[env];
        if (settings?.requiredReviewers === true) return [];
        const where = env === undefined ? "without an environment"
          : settings === undefined ? `in environment "${env}", which a workflow creates without reviewers`
          : `in environment "${env}", which has no required reviewers`;
        return [`a ${claims.event_name} run at ${claims.ref} (sub ${claims.sub}, workflow_ref ${claims.workflow_ref}) gets the ${team} token, which decrypts prod's secrets, ${where}`];
      }));
}

/**
 * The job that updates prod runs only after a reviewer of
 * `production-approval` approved: it needs the approval job (directly, or
 * through jobs that need it), and neither it nor a job in between has a
 * status check function in its `if`. A job whose needed job failed or was
 * skipped is skipped "unless the jobs use a conditional expression that
 * causes the job to continue" (github/docs content/actions/reference/
 * workflows-and-actions/workflow-syntax.md, jobs.<job_id>.needs), and "a
 * default status check of `success()` is applied unless you include one of
 * these functions" (expressions.md, "Status check functions"): `always()`,
 * `!cancelled()` or `failure()` run it after a rejection, and even an
 * explicit `success() || ...` can. A rejected job fails (github/docs
 * content/actions/how-tos/deploy/configure-and-manage-deployments/
 * review-deployments.md).
 */
export const APPROVAL_ENVIRONMENT = "production-approval";
const STATUS_FUNCTION = /\b(success|always|failure|cancelled)\s*\(/;
export function prodApproval(
  jobs: readonly Job[],
  environments: Environments = ENVIRONMENTS,
  teams: Teams = TEAMS,
): string[] {
  const gate = environments[APPROVAL_ENVIRONMENT];
  const findings = gate?.requiredReviewers === true ? [] : [`environment "${APPROVAL_ENVIRONMENT}" has no required reviewers: it approves nothing`];
  const updatesProd = (job: Job): boolean => {
    const env = job.environment === undefined ? undefined : environments[job.environment];
    const deployEnv = env?.credentials === "deploy" && env.stack === "prod";
    const writeToken = authSteps(job).some((a) => {
      const team = requestedTeam(a.with);
      return team !== undefined && canWrite(team, "prod", teams);
    });
    return deployEnv || writeToken;
  };
  const afterApproval = (job: Job, seen: ReadonlySet<string>): boolean => {
    if (STATUS_FUNCTION.test(job.condition ?? "") || seen.has(job.id)) return false;
    return job.needs.some((id) => {
      const needed = jobs.filter((j) => j.file === job.file && j.id === id);
      return needed.length > 0 && needed.every((n) => n.environment === APPROVAL_ENVIRONMENT || afterApproval(n, new Set([...seen, job.id])));
    });
  };
  return [
    ...findings,
    ...jobs
      .filter(updatesProd)
      .filter((job) => !afterApproval(job, new Set()))
      .map((job) => `${label(job)}: can update prod without an approval: it does not need the job of environment "${APPROVAL_ENVIRONMENT}" (directly or through jobs that need it), or its \`if\` (or one in between) has a status check function that runs it whatever the approval's outcome`),
  ];
}

/**
 * Every Pulumi token a job requests is issued on every run it is meant for
 * (or the job fails at login), and a token that can update a stack only on main.
 * A run from another branch of a job whose environment allows `main` only is
 * refused by the environment before any step (access.ts, sources): the job
 * is not meant for it, and the policy refusing it too is no finding.
 */
export function tokensPerRun(jobs: readonly Job[], policies: readonly OidcPolicy[]): string[] {
  return jobs.flatMap((job) =>
    authSteps(job).flatMap((auth) => {
      const team = requestedTeam(auth.with);
      if (team === undefined) return [`${label(job)}: requests no team token (scope team:<name>)`];
      const mainOnly = job.environment !== undefined && ENVIRONMENTS[job.environment]?.deploymentBranches === "main";
      return runsOf(job).flatMap((run) => {
        const issued = issuesTeamToken(policies, team, claimsOf(job.file, job.environment, run));
        if (!issued && mainOnly && run.ref !== "refs/heads/main") return [];
        if (!issued) return [`${label(job)}: on ${run.event} at ${run.ref} the OIDC policy refuses its ${team} token`];
        if (canUpdate(team) && run.ref !== "refs/heads/main") return [`${label(job)}: on ${run.event} at ${run.ref} gets ${team}, which can update a stack`];
        return [];
      });
    }));
}

/** Cloud secrets come from environments only (repository secrets reach every job, PRs included). */
export function secretsFromEnvironments(jobs: readonly Job[]): string[] {
  return jobs.flatMap((job) => {
    if (job.secrets.length === 0) return [];
    const env = job.environment === undefined ? undefined : ENVIRONMENTS[job.environment];
    if (env === undefined || env.credentials === "none") {
      return [`${label(job)}: reads ${job.secrets.join(", ")} without an environment that holds them (repository secrets reach pull requests)`];
    }
    return [];
  });
}

/**
 * An approval never holds a stack's group: jobs waiting for reviewers are in
 * no concurrency group that another run would queue behind (a `pulumi-<stack>`
 * group, or any group without cancel-in-progress: a PR's prod preview waits
 * for its reviewer inside its run's `pr-<n>` group, which the PR's next push
 * cancels: "To also cancel any currently running job or workflow in the same
 * concurrency group, specify cancel-in-progress: true", github/docs
 * workflow-syntax.md, concurrency), and jobs in a `pulumi-<stack>` group need
 * no reviewers. Every job that updates or refreshes a stack is in its group,
 * never cancelled.
 */
export function approvalGates(jobs: readonly Job[]): string[] {
  return jobs.flatMap((job) => {
    const where = label(job);
    const gated = job.environment !== undefined && ENVIRONMENTS[job.environment]?.requiredReviewers === true;
    const findings: string[] = [];
    if (gated && job.concurrency !== undefined && (job.concurrency.group.startsWith("pulumi-") || !job.concurrency.cancelInProgress)) {
      findings.push(`${where}: waits for reviewers of "${job.environment}" while holding concurrency group ${job.concurrency.group}`);
    }
    if (job.concurrency?.group.startsWith("pulumi-") && job.environment !== undefined && ENVIRONMENTS[job.environment]?.requiredReviewers !== false) {
      findings.push(`${where}: in group ${job.concurrency.group} with environment "${job.environment}", which may wait for reviewers`);
    }
    const stack = stackOf(job);
    const mutating = pulumiOperations(job).filter((op) => op.command === "up" || op.command === "destroy" || op.command === "refresh");
    if (mutating.length > 0 && (job.concurrency?.group !== `pulumi-${stack}` || job.concurrency.cancelInProgress)) {
      findings.push(`${where}: runs \`pulumi ${mutating[0]!.command}\` outside concurrency group pulumi-${stack} (or cancels it)`);
    }
    return findings;
  });
}

/**
 * Every `run:` script runs under pipefail: without it a pipeline's status is
 * its last command's, so `pulumi up ... | tee out || code=$?` records tee's 0
 * for a failed update (model.ts shellCommand: GitHub's unspecified shell is
 * `bash -e`).
 */
export function failFastShells(jobs: readonly Job[]): string[] {
  return jobs.flatMap((job) =>
    job.steps
      .filter((s) => s.run !== undefined && !s.shell.includes("pipefail"))
      .map((s) => `${label(job)}: step ${s.name ?? s.run!.split("\n")[0]} runs under \`${s.shell.join(" ")}\`, without pipefail (set defaults.run.shell: bash)`),
  );
}

export function timeouts(jobs: readonly Job[]): string[] {
  return jobs.filter((j) => j.timeoutMinutes === undefined).map((j) => `${label(j)}: no timeout-minutes (GitHub's default is 360)`);
}

const semver = (v: string): number[] => v.split(".").map(Number);
const atLeast = (v: string, min: string): boolean => {
  const [a, b] = [semver(v), semver(min)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};

/** Every job that runs the Pulumi CLI first installs the one pinned version, the SDK's. */
export function pinnedCli(jobs: readonly Job[], sdkVersion: string): string[] {
  return jobs.flatMap((job) => {
    const ops = pulumiOperations(job);
    if (ops.length === 0) return [];
    const where = label(job);
    const install = job.steps.findIndex((s) => actionName(s.uses) === "pulumi/actions");
    const version = install < 0 ? undefined : job.steps[install]!.with["pulumi-version"];
    if (version === undefined || install > ops[0]!.step) return [`${where}: runs pulumi without installing a pinned version first (pulumi/actions pulumi-version)`];
    if (!/^\d+\.\d+\.\d+$/.test(version)) return [`${where}: pulumi-version ${version} is not an exact version`];
    if (version !== sdkVersion) return [`${where}: pulumi-version ${version} differs from @pulumi/pulumi ${sdkVersion} in package-lock.json`];
    if (!atLeast(version, MIN_CLI)) return [`${where}: pulumi-version ${version} predates the exit codes drift relies on (${MIN_CLI})`];
    return [];
  });
}

/** Every preview and update runs the policy pack in policy/, unconditionally. */
export function policyPack(workflows: readonly Workflow[], jobs: readonly Job[]): string[] {
  const guarded = workflows
    .filter((w) => /hashFiles\([^)]*policy/.test(JSON.stringify(w.doc)))
    .map((w) => `${w.file}: makes the policy pack conditional on hashFiles(); a missing pack must fail`);
  const installs = jobs
    .filter((j) => j.steps.some((s) => /npm\s+(ci|install|i)\b[^\n]*--prefix[= ]+policy/.test(s.run ?? "")))
    .map((j) => `${label(j)}: installs policy/ separately; it resolves its dependencies from the root node_modules`);
  const missing = jobs.flatMap((job) =>
    pulumiOperations(job)
      .filter((op) => op.command === "preview" || op.command === "up")
      .filter((op) => !/(--policy-pack[= ]policy|policyPacks: policy)(\s|$)/.test(op.text))
      .map((op) => `${label(job)}: \`${op.text.trim().split("\n")[0]}\` does not pass --policy-pack policy`));
  return [...guarded, ...installs, ...missing];
}

/** The PR report reads reports/<kind>-<stack>/ whatever the number of artifacts. */
export function reportArtifacts(jobs: readonly Job[]): string[] {
  return jobs.flatMap((job) =>
    job.steps
      .filter((s) => actionName(s.uses) === "actions/download-artifact" && s.with.pattern !== undefined && s.with["merge-multiple"] !== "true")
      .map(() => `${label(job)}: downloads by pattern without merge-multiple: a single match is unpacked straight into path`));
}

/** The offline diff's base is the merge commit's first parent, not pull_request.base.sha. */
export function mergeBase(workflows: readonly Workflow[], jobs: readonly Job[]): string[] {
  const stale = workflows
    .filter((w) => JSON.stringify(w.doc).includes("pull_request.base.sha"))
    .map((w) => `${w.file}: diffs against pull_request.base.sha, which can be older than the commit the PR merges into`);
  const shallow = jobs
    .filter((j) => j.steps.some((s) => /HEAD\^1/.test(s.run ?? "")))
    .filter((j) => !j.steps.some((s) => actionName(s.uses) === "actions/checkout" && Number(s.with["fetch-depth"]) >= 2))
    .map((j) => `${label(j)}: reads HEAD^1 from a checkout without fetch-depth 2`);
  return [...stale, ...shallow];
}

/** GNU timeout's durations (`70m`, `1h`, `90`: seconds without a suffix) in minutes. */
function minutes(duration: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(duration ?? "");
  if (m === null) return undefined;
  return (Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"]) / 60;
}

/**
 * Every `pulumi up` stops itself inside its job's time: under `timeout
 * --foreground --signal=INT`, whose budget plus `--kill-after` ends before
 * `timeout-minutes`. The CLI's first SIGINT finishes the steps in flight
 * and writes the state, its second terminates it (pulumi/pulumi
 * pkg/backend/cancellation_scope.go), and without --foreground timeout
 * signals its process group after the CLI, a second SIGINT (coreutils
 * src/timeout.c, cleanup);
 * a job that times out gets SIGINT, SIGTERM 7.5 s later, and is killed 2.5 s
 * after that (actions/runner src/Runner.Sdk/ProcessInvoker.cs), which
 * leaves pending operations in the state.
 */
export function updateBudgets(jobs: readonly Job[]): string[] {
  return jobs.flatMap((job) =>
    pulumiOperations(job)
      .filter((op) => op.command === "up")
      .flatMap((op) => {
        const where = `${label(job)}: \`${op.text.trim().split("\n")[0]}\``;
        if (op.timeout === undefined) return [`${where} runs without \`timeout --signal=INT\`: the job's timeout kills the CLI mid-step`];
        if (op.timeout.others.length > 0) {
          return [`${where}: timeout has ${op.timeout.others.map((w) => `\`${w}\``).join(", ")}, which this check does not model (it reads --foreground, -s/--signal, -k/--kill-after, one duration, then pulumi)`];
        }
        if (op.timeout.signal !== "INT") return [`${where} is stopped with ${op.timeout.signal ?? "SIGTERM (timeout's default)"}, not SIGINT`];
        if (!op.timeout.foreground) return [`${where}: timeout without --foreground also signals its process group, and a second SIGINT terminates the CLI`];
        const [budget, grace] = [minutes(op.timeout.duration), minutes(op.timeout.killAfter)];
        if (budget === undefined || grace === undefined) return [`${where}: timeout needs a duration and --kill-after in GNU timeout's units`];
        if (job.timeoutMinutes !== undefined && budget + grace >= job.timeoutMinutes) {
          return [`${where}: a budget of ${budget} minutes plus ${grace} to stop is not inside the job's timeout-minutes ${job.timeoutMinutes}`];
        }
        return [];
      }));
}

/**
 * A Pulumi token lasts as long as its job: pulumi/auth-actions asks for a
 * lifetime only when `token-expiration` is set (src/main.ts), and Pulumi
 * Cloud's default is 2 hours (docs: administration/access-identity/oidc-issuers,
 * "expiration ... Defaults to 2 hours"). An update past it fails part-way:
 * encrypting a new secret calls the API with that token (pulumi/pulumi
 * pkg/secrets/service/manager.go, pkg/backend/httpstate/client/client.go).
 */
const DEFAULT_TOKEN_SECONDS = 7200;
export function tokenLifetimes(jobs: readonly Job[]): string[] {
  return jobs.flatMap((job) =>
    authSteps(job).flatMap((auth) => {
      const seconds = auth.with["token-expiration"] === undefined ? DEFAULT_TOKEN_SECONDS : Number(auth.with["token-expiration"]);
      if (job.timeoutMinutes === undefined || seconds >= job.timeoutMinutes * 60) return [];
      return [`${label(job)}: its Pulumi token lasts ${seconds} s, less than the job's timeout-minutes ${job.timeoutMinutes} (set token-expiration)`];
    }));
}

/**
 * Every job that updates a stack first refuses a commit that is no longer
 * main's head: runs queue in the order they reach the stack's group, not in
 * commit order, and an approval or a re-run can come late, so an older run
 * would roll the stack back.
 */
export function supersededCommits(jobs: readonly Job[]): string[] {
  return jobs.flatMap((job) => {
    const up = pulumiOperations(job).find((op) => op.command === "up");
    if (up === undefined) return [];
    const guard = job.steps.findIndex((s) => /commits\/main/.test(s.run ?? "") && /GITHUB_SHA/.test(s.run ?? ""));
    return guard >= 0 && guard < up.step ? [] : [`${label(job)}: runs \`pulumi up\` without first refusing a commit that is no longer main's head`];
  });
}

/**
 * Every job runs the Node of package-lock.json's `node`, the one `npm test`
 * and the golden plans run: Linode's user-data is gzipped with Node's
 * bundled zlib, Chromium's fork, whose deflate output depends on its
 * version (nodejs/node deps/zlib/contrib/optimizations/insert_string.h:
 * "the generated compressed output will differ from vanilla zlib"), and
 * other bytes for the same document would replace every `replace` route.
 */
export function nodeVersions(jobs: readonly Job[], lockedNode: string): string[] {
  return jobs.flatMap((job) =>
    job.steps
      .filter((s) => actionName(s.uses) === "actions/setup-node" && s.with["node-version"] !== lockedNode)
      .map((s) => `${label(job)}: sets up Node ${s.with["node-version"] ?? "(unset)"}, not package-lock.json's node ${lockedNode}`));
}
