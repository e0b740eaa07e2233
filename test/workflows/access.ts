/**
 * Who can get which credentials: the GitHub environments, the Pulumi teams
 * and the Pulumi Cloud OIDC policy the workflows are written against. The
 * README's "Who can get which credentials" section is rendered from these
 * (renderAccessMarkdown; a test keeps the two identical), and checks.ts
 * checks the workflows against them.
 *
 * Sources:
 * - GitHub OIDC claims and subjects: docs.github.com "OpenID Connect
 *   reference" (github/docs content/actions/reference/security/oidc.md): `sub`
 *   is `repo:<owner>/<repo>:environment:<name>` when the job references an
 *   environment, else `repo:<owner>/<repo>:pull_request` for pull_request
 *   events, else `repo:<owner>/<repo>:ref:<ref>`; `ref` is the ref that
 *   triggered the run; `workflow_ref` is `<owner>/<repo>/<workflow path>@<ref>`.
 *   A pull_request run's ref is `refs/pull/<n>/merge` (docs.github.com
 *   "Events that trigger workflows", pull_request: GITHUB_REF).
 * - Pulumi OIDC policies: pulumi/docs content/docs/administration/concepts/
 *   oidc-issuers.md (an allow policy matching and no deny policy matching
 *   issues the token; claim values support `*` zero or more characters, `?`
 *   zero or one, `.` exactly one) and guides/oidc-issuers/github.md (issuer
 *   https://token.actions.githubusercontent.com, audience
 *   `urn:pulumi:org:<org>`, team tokens requested with scope `team:<name>`).
 * - Stack permissions: pulumi/docs content/docs/administration/concepts/rbac/
 *   permission-sets.md ("Stack Read: basic read-only access to stacks. Allows
 *   for running previews"; its scopes include `stack:decrypt`, so a Stack Read
 *   token decrypts the stack's secret config; Stack Write is Stack Read plus
 *   `stack:write` and updates). A team token acts "with that team's
 *   permissions" (oidc-issuers.md, "Token types"): on every stack the team
 *   has, whichever policy issued it, so a team that a reviewer-free
 *   environment gets must have no permission on prod.
 * - Environment protection: github/docs content/actions/reference/
 *   workflows-and-actions/deployments-and-environments.md (the deployment
 *   branch rule is matched against GITHUB_REF, so a `main`-only environment
 *   refuses pull_request runs, whose ref is refs/pull/<n>/merge; environment
 *   secrets reach only jobs that reference the environment, after approval
 *   where reviewers are required; "Only one of the required reviewers needs
 *   to approve the job"; with "Prevent self-review", "users who initiate a
 *   deployment cannot approve the deployment job, even if they are a required
 *   reviewer", without it the person who started the run may approve it).
 * - An environment a workflow names that does not exist is created "without
 *   any protection rules or secrets" by running it (github/docs content/
 *   actions/how-tos/deploy/configure-and-manage-deployments/
 *   manage-environments.md): a PR's workflow can name any environment, and
 *   one not configured here has no reviewers.
 */

export const STACKS = ["staging", "prod"] as const;
export type Stack = (typeof STACKS)[number];

export interface EnvironmentSettings {
  /** What its secrets (LINODE_TOKEN, ALICLOUD_*, OCI_*) can do. */
  readonly credentials: "none" | "read-only" | "deploy";
  readonly stack?: Stack;
  readonly requiredReviewers: boolean;
  /** Deployment branches and tags: any ref, or only `main` (which refuses pull_request runs). */
  readonly deploymentBranches: "any" | "main";
}

export type Environments = Readonly<Record<string, EnvironmentSettings>>;

export const ENVIRONMENTS: Environments = {
  "staging-read": { credentials: "read-only", stack: "staging", requiredReviewers: false, deploymentBranches: "any" },
  "production-read": { credentials: "read-only", stack: "prod", requiredReviewers: true, deploymentBranches: "any" },
  "production-drift": { credentials: "read-only", stack: "prod", requiredReviewers: false, deploymentBranches: "main" },
  staging: { credentials: "deploy", stack: "staging", requiredReviewers: false, deploymentBranches: "main" },
  "production-approval": { credentials: "none", requiredReviewers: true, deploymentBranches: "main" },
  production: { credentials: "deploy", stack: "prod", requiredReviewers: false, deploymentBranches: "main" },
};

export type StackPermission = "Stack Read" | "Stack Write";

export type Teams = Readonly<Record<string, Readonly<Partial<Record<Stack, StackPermission>>>>>;

/** Pulumi teams and their permission sets per stack (the organization's default stack permission: None). */
export const TEAMS: Teams = {
  "lantern-fleet-read-staging": { staging: "Stack Read" },
  "lantern-fleet-read": { prod: "Stack Read" },
  "lantern-fleet-deploy-staging": { staging: "Stack Write" },
  "lantern-fleet-deploy-prod": { prod: "Stack Write" },
};

/** Stack Write is Stack Read plus `stack:write`: it updates the stack. */
export const canWrite = (team: string, stack: Stack, teams: Teams = TEAMS): boolean => teams[team]?.[stack] === "Stack Write";

/** Whether the team can update any stack (of TEAMS). */
export const canUpdate = (team: string): boolean => STACKS.some((stack) => canWrite(team, stack));

/** Stack Read and Stack Write both include `stack:decrypt`: the stack's secret config in clear. */
export const canDecrypt = (team: string, stack: Stack, teams: Teams = TEAMS): boolean => teams[team]?.[stack] !== undefined;

export const OIDC_ISSUER = "https://token.actions.githubusercontent.com";

/** `<org>`, `<owner>` and `<repo>` stand for the Pulumi organization and the GitHub repository. */
export interface OidcPolicy {
  readonly decision: "allow" | "deny";
  readonly tokenType: "team";
  readonly team: string;
  readonly rules: Readonly<Record<string, string>>;
}

const AUD = "urn:pulumi:org:<org>";
const DEPLOY = { ref: "refs/heads/main", workflow_ref: "<owner>/<repo>/.github/workflows/deploy.yml@refs/heads/main" };
const DRIFT = { ref: "refs/heads/main", workflow_ref: "<owner>/<repo>/.github/workflows/drift.yml@refs/heads/main" };

export const OIDC_POLICIES: readonly OidcPolicy[] = [
  { decision: "allow", tokenType: "team", team: "lantern-fleet-read-staging", rules: { aud: AUD, sub: "repo:<owner>/<repo>:environment:staging-read" } },
  { decision: "allow", tokenType: "team", team: "lantern-fleet-read", rules: { aud: AUD, sub: "repo:<owner>/<repo>:environment:production-read" } },
  { decision: "allow", tokenType: "team", team: "lantern-fleet-read", rules: { aud: AUD, sub: "repo:<owner>/<repo>:environment:production-drift", ...DRIFT } },
  { decision: "allow", tokenType: "team", team: "lantern-fleet-deploy-staging", rules: { aud: AUD, sub: "repo:<owner>/<repo>:environment:staging", ...DEPLOY } },
  { decision: "allow", tokenType: "team", team: "lantern-fleet-deploy-prod", rules: { aud: AUD, sub: "repo:<owner>/<repo>:environment:production", ...DEPLOY } },
];

/** The names the tests substitute for the placeholders. */
export interface Names {
  readonly org: string;
  readonly owner: string;
  readonly repo: string;
}

export const NAMES: Names = { org: "lantern", owner: "getlantern", repo: "lantern-fleet" };

const fill = (pattern: string, n: Names): string =>
  pattern.replaceAll("<org>", n.org).replaceAll("<owner>", n.owner).replaceAll("<repo>", n.repo);

/** Pulumi's claim wildcards: `*` zero or more characters, `?` zero or one, `.` exactly one. */
export function claimMatches(pattern: string, value: string): boolean {
  const re = [...pattern]
    .map((c) => (c === "*" ? ".*" : c === "?" ? ".?" : c === "." ? "." : c.replace(/[\\^$+()[\]{}|/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${re}$`, "s").test(value);
}

export type Claims = Readonly<Record<string, string>>;

const policyMatches = (p: OidcPolicy, team: string, claims: Claims, n: Names): boolean =>
  p.team === team &&
  Object.entries(p.rules).every(([claim, pattern]) => claims[claim] !== undefined && claimMatches(fill(pattern, n), claims[claim]));

/** Whether Pulumi Cloud issues the team token for these claims: an allow policy matches and no deny policy does. */
export function issuesTeamToken(policies: readonly OidcPolicy[], team: string, claims: Claims, n: Names = NAMES): boolean {
  const matching = policies.filter((p) => policyMatches(p, team, claims, n));
  return matching.some((p) => p.decision === "allow") && !matching.some((p) => p.decision === "deny");
}

export interface Run {
  readonly event: string;
  readonly ref: string;
}

/** The claims GitHub puts in a job's OIDC token (see the sources above). */
export function claimsOf(workflowFile: string, environment: string | undefined, run: Run, n: Names = NAMES): Claims {
  const repo = `${n.owner}/${n.repo}`;
  const sub = environment !== undefined
    ? `repo:${repo}:environment:${environment}`
    : run.event.startsWith("pull_request") ? `repo:${repo}:pull_request` : `repo:${repo}:ref:${run.ref}`;
  return {
    iss: OIDC_ISSUER,
    aud: `urn:pulumi:org:${n.org}`,
    sub,
    ref: run.ref,
    event_name: run.event,
    repository: repo,
    repository_owner: n.owner,
    workflow_ref: `${repo}/.github/workflows/${workflowFile}@${run.ref}`,
  };
}

export const PR_RUN: Run = { event: "pull_request", ref: "refs/pull/17/merge" };

/**
 * The runs anyone who can push a branch starts with a workflow of their own:
 * a pull request's, and a push to (or a manual run of) a branch that is not
 * main (only a reviewed pull request changes main: README, "Who can get
 * which credentials").
 */
export const BRANCH_RUNS: readonly Run[] = [PR_RUN, { event: "push", ref: "refs/heads/feature" }, { event: "workflow_dispatch", ref: "refs/heads/feature" }];

/**
 * Every claim set these runs can present, their workflow being the branch's
 * own: no environment or any environment name (the documented ones and any a
 * policy names), any workflow file (the repository's and any a policy names).
 */
export function claimSetsOf(runs: readonly Run[], policies: readonly OidcPolicy[], workflowFiles: readonly string[], n: Names = NAMES): Claims[] {
  const named = (re: RegExp) => policies.flatMap((p) => Object.values(p.rules)).flatMap((v) => [...v.matchAll(re)].map((m) => m[1]!));
  const environments = [undefined, ...new Set([...Object.keys(ENVIRONMENTS), ...named(/environment:([^*?]+)$/g)])];
  const files = [...new Set([...workflowFiles, "pr-made.yml", ...named(/\.github\/workflows\/([^@*?]+)@/g)])];
  return runs.flatMap((run) => environments.flatMap((env) => files.map((file) => claimsOf(file, env, run, n))));
}

/** The environment a claim set's `sub` names, if any. */
export const environmentOfClaims = (claims: Claims): string | undefined => /:environment:(.+)$/.exec(claims.sub ?? "")?.[1];

const cell = (s: string): string => `\`${s}\``;

/** The README's tables for all of the above. */
export function renderAccessMarkdown(): string {
  const envRows = Object.entries(ENVIRONMENTS).map(([name, e]) =>
    `| ${cell(name)} | ${e.credentials === "none" ? "none" : `${e.credentials} cloud credentials for ${e.stack ?? ""}`} | ${e.requiredReviewers ? "required reviewers, prevent self-review" : "none"} | ${e.deploymentBranches === "main" ? cell("main") + " only" : "any"} |`);
  const teamRows = Object.entries(TEAMS).map(([team, stacks]) =>
    `| ${cell(team)} | ${Object.entries(stacks).map(([stack, perm]) => `${perm} on ${cell(stack)}`).join(", ")} |`);
  const policyRows = OIDC_POLICIES.map((p) =>
    `| ${p.decision} | team ${cell(p.team)} | ${Object.entries(p.rules).map(([claim, v]) => `${cell(claim)} = ${cell(v)}`).join("<br>")} |`);
  return [
    "| GitHub environment | secrets | reviewers | deployment branches |",
    "|---|---|---|---|",
    ...envRows,
    "",
    "| Pulumi team | stack permissions |",
    "|---|---|",
    ...teamRows,
    "",
    `OIDC issuer \`${OIDC_ISSUER}\`, policies (token type: team):`,
    "",
    "| decision | token | claims (all must match) |",
    "|---|---|---|",
    ...policyRows,
    "",
  ].join("\n");
}
