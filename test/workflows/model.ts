/**
 * A static model of the GitHub Actions workflows, for the checks in
 * checks.ts: each job once per matrix combination, with `${{ matrix.* }}`
 * substituted, its triggers, environment, concurrency, steps and the Pulumi
 * CLI operations its steps run.
 *
 * Matrix semantics follow GitHub's "Running variations of jobs in a workflow"
 * (docs.github.com, jobs.<job_id>.strategy.matrix): the cartesian product of
 * the array keys, then each `include` entry extends the combinations whose
 * original keys it matches, or is added as a combination of its own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

/** An event name under `on:` (pull_request, push, schedule, workflow_dispatch, ...). */
export type Trigger = string;

export interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly with: Readonly<Record<string, string>>;
  readonly run?: string;
  readonly env: Readonly<Record<string, string>>;
  /** The command line a `run:` script runs under on a Linux runner (shellCommand). */
  readonly shell: readonly string[];
}

/**
 * The command a Linux runner runs a `run:` script with, from the step's
 * `shell`, else the job's, else the workflow's `defaults.run.shell`
 * (docs.github.com, workflow syntax, jobs.<job_id>.steps[*].shell: "unspecified"
 * is `bash -e {0}`, without pipefail; `bash` is `bash --noprofile --norc -eo
 * pipefail {0}`; github/docs#27583). The script itself goes where `{0}` is.
 */
export function shellCommand(shell: string | undefined): string[] {
  if (shell === undefined) return ["bash", "-e"];
  if (shell === "bash") return ["bash", "--noprofile", "--norc", "-eo", "pipefail"];
  if (shell === "sh") return ["sh", "-e"];
  throw new Error(`shell ${shell}: not modelled`);
}

const defaultShell = (doc: Plain, where: string): string | undefined =>
  optional(asPlain(asPlain(doc.defaults, `${where}.defaults`).run, `${where}.defaults.run`).shell);

export interface Concurrency {
  readonly group: string;
  readonly cancelInProgress: boolean;
}

export interface Job {
  readonly file: string;
  readonly id: string;
  readonly matrix: Readonly<Record<string, string>>;
  readonly triggers: readonly Trigger[];
  /** `jobs.<id>.if`, verbatim. */
  readonly condition?: string;
  /** `jobs.<id>.needs`: the ids of the jobs of its workflow it runs after. */
  readonly needs: readonly string[];
  readonly environment?: string;
  /** The job's own group, else the workflow's. */
  readonly concurrency?: Concurrency;
  readonly timeoutMinutes?: number;
  readonly permissions: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly steps: readonly Step[];
  /** Names of the `secrets.*` the job reads (GITHUB_TOKEN aside). */
  readonly secrets: readonly string[];
}

/** One `pulumi <command>` the job runs, from a `run:` script or a pulumi/actions `command:`. */
export interface PulumiOperation {
  readonly command: string;
  /** The invocation's text (run) or its inputs as `key: value` lines (action). */
  readonly text: string;
  readonly step: number;
  /** GNU `timeout` it runs under, if any (timeoutOf). */
  readonly timeout?: Timeout;
}

/**
 * A `timeout [OPTION]... DURATION pulumi ...` invocation. GNU timeout parses
 * its options with getopt_long(argc, argv, "+k:s:v", ...) (coreutils
 * src/timeout.c, main): options only before the first operand, which is the
 * DURATION; `-s SIG`, `-sSIG`, `--signal=SIG` and `--signal SIG` alike (and
 * `-k`/`--kill-after` so). `others`: every word it does not model (another
 * option, such as --preserve-status, which hides exit 124; a second operand,
 * a command between the duration and `pulumi`), for the checks to report.
 */
export interface Timeout {
  readonly foreground: boolean;
  readonly signal?: string;
  readonly killAfter?: string;
  readonly duration?: string;
  readonly others: readonly string[];
}

export function timeoutOf(words: readonly string[]): Timeout {
  let foreground = false;
  let signal: string | undefined;
  let killAfter: string | undefined;
  let duration: string | undefined;
  const others: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (duration !== undefined) others.push(w);
    else if (w === "--") duration = words[++i];
    else if (w === "--foreground") foreground = true;
    else if (w === "--signal" || w === "-s") signal = words[++i];
    else if (w === "--kill-after" || w === "-k") killAfter = words[++i];
    else if (w.startsWith("--signal=")) signal = w.slice("--signal=".length);
    else if (w.startsWith("--kill-after=")) killAfter = w.slice("--kill-after=".length);
    else if (/^-s./.test(w)) signal = w.slice(2);
    else if (/^-k./.test(w)) killAfter = w.slice(2);
    else if (w.startsWith("-")) others.push(w);
    else duration = w;
  }
  return { foreground, signal, killAfter, duration, others };
}

export type Workflow = { readonly file: string; readonly doc: Record<string, unknown> };

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

function asPlain(v: unknown, where: string): Plain {
  if (v === undefined || v === null) return {};
  if (!isPlain(v)) throw new Error(`${where}: expected a mapping`);
  return v;
}

/** A scalar as YAML wrote it; anything else as JSON (never "[object Object]"). */
const scalar = (v: unknown): string =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null ? String(v) : JSON.stringify(v);
const optional = (v: unknown): string | undefined => (v === undefined ? undefined : scalar(v));

const strings = (v: unknown, where: string): Record<string, string> =>
  Object.fromEntries(Object.entries(asPlain(v, where)).map(([k, x]) => [k, scalar(x)]));

export function loadWorkflows(dir: string): Workflow[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => ({ file, doc: asPlain(YAML.parse(fs.readFileSync(path.join(dir, file), "utf8")), file) }));
}

/** A deep copy to break in a mutation test. */
export function cloneWorkflow(w: Workflow): Workflow {
  return { file: w.file, doc: structuredClone(w.doc) };
}

export function triggersOf(doc: Plain): Trigger[] {
  const on = doc.on;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(scalar);
  return Object.keys(asPlain(on, "on"));
}

function matrixCombinations(strategy: unknown, where: string): Record<string, string>[] {
  const matrix = asPlain(asPlain(strategy, where).matrix, `${where}.matrix`);
  if ("exclude" in matrix) throw new Error(`${where}: matrix exclude is not modelled`);
  let combos: Record<string, string>[] = [{}];
  const keys = Object.keys(matrix).filter((k) => k !== "include");
  for (const key of keys) {
    const values = matrix[key];
    if (!Array.isArray(values)) throw new Error(`${where}.matrix.${key}: expected a list`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: scalar(v) })));
  }
  const includes = (matrix.include ?? []) as unknown[];
  if (keys.length === 0 && includes.length > 0) combos = [];
  for (const entry of includes) {
    const inc = strings(entry, `${where}.matrix.include`);
    const matching = combos.filter((c) => keys.every((k) => !(k in inc) || inc[k] === c[k]));
    if (keys.length > 0 && matching.length > 0) matching.forEach((c) => Object.assign(c, inc));
    else combos.push(inc);
  }
  return combos;
}

const substitute = (text: string, matrix: Record<string, string>): string =>
  text.replace(/\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}/g, (m, key: string) => matrix[key] ?? m);

function concurrencyOf(v: unknown, matrix: Record<string, string>): Concurrency | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return { group: substitute(v, matrix), cancelInProgress: false };
  const c = asPlain(v, "concurrency");
  return { group: substitute(scalar(c.group), matrix), cancelInProgress: c["cancel-in-progress"] === true };
}

function environmentOf(v: unknown, matrix: Record<string, string>): string | undefined {
  if (v === undefined) return undefined;
  return substitute(typeof v === "string" ? v : scalar(asPlain(v, "environment").name), matrix);
}

function permissionsOf(v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (typeof v === "string") return { "*": v };
  return strings(v, "permissions");
}

export function jobsOf(w: Workflow): Job[] {
  const triggers = triggersOf(w.doc);
  const jobs = asPlain(w.doc.jobs, `${w.file}: jobs`);
  return Object.entries(jobs).flatMap(([id, raw]) => {
    const job = asPlain(raw, `${w.file}: jobs.${id}`);
    const combos = job.strategy === undefined ? [{}] : matrixCombinations(job.strategy, `${w.file}: jobs.${id}.strategy`);
    return combos.map((matrix): Job => {
      const subst = (record: Record<string, string>) =>
        Object.fromEntries(Object.entries(record).map(([k, v]) => [k, substitute(v, matrix)]));
      const jobShell = defaultShell(job, `${w.file}: jobs.${id}`) ?? defaultShell(w.doc, w.file);
      const steps = ((job.steps ?? []) as unknown[]).map((s, i): Step => {
        const step = asPlain(s, `${w.file}: jobs.${id}.steps[${i}]`);
        return {
          name: optional(step.name),
          uses: optional(step.uses),
          with: subst(strings(step.with, `${w.file}: jobs.${id}.steps[${i}].with`)),
          run: optional(step.run),
          env: subst(strings(step.env, `${w.file}: jobs.${id}.steps[${i}].env`)),
          shell: shellCommand(optional(step.shell) ?? jobShell),
        };
      });
      const secrets = [...new Set([...JSON.stringify(job).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))]
        .filter((s) => s !== "GITHUB_TOKEN")
        .sort();
      return {
        file: w.file,
        id,
        matrix,
        triggers,
        condition: optional(job.if),
        needs: job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs.map(scalar) : [scalar(job.needs)],
        environment: environmentOf(job.environment, matrix),
        concurrency: concurrencyOf(job.concurrency ?? w.doc.concurrency, matrix),
        timeoutMinutes: typeof job["timeout-minutes"] === "number" ? job["timeout-minutes"] : undefined,
        permissions: permissionsOf(job.permissions),
        env: subst(strings(job.env, `${w.file}: jobs.${id}.env`)),
        steps,
        secrets,
      };
    });
  });
}

export const label = (job: Job): string =>
  `${job.file} ${job.id}${Object.keys(job.matrix).length ? ` (${Object.values(job.matrix).join(", ")})` : ""}`;

/** The action a `uses:` names, without its ref: `pulumi/actions@<commit>` -> `pulumi/actions`. */
export const actionName = (uses: string | undefined): string | undefined => uses?.replace(/@.*$/, "");

/** Every `pulumi <command> ...` a step runs (continuation lines included), and pulumi/actions commands. */
export function pulumiOperations(job: Job): PulumiOperation[] {
  return job.steps.flatMap((step, i): PulumiOperation[] => {
    if (actionName(step.uses) === "pulumi/actions" && step.with.command !== undefined) {
      const text = Object.entries(step.with).map(([k, v]) => `${k}: ${v}`).join("\n");
      return [{ command: step.with.command, text, step: i }];
    }
    if (step.run === undefined) return [];
    const script = step.run.replace(/\\\n/g, " ");
    // In command position only (line start, after ; & | or a subshell's paren, maybe under `timeout` with any
    // words of its own, which timeoutOf reads): not in an echo's text.
    return [...script.matchAll(/(?:^|[;&|(])[ \t]*(?:timeout((?:[ \t]+[^ \t\n;&|]+)*?)[ \t]+)?pulumi[ \t]+([a-z][a-z-]*)([^\n;&|]*)/gm)].map((m) => ({
      command: m[2]!,
      text: `pulumi ${m[2]!}${m[3]!}`,
      step: i,
      ...(m[1] === undefined ? {} : { timeout: timeoutOf(m[1].split(/[ \t]+/).filter((w) => w !== "")) }),
    }));
  });
}

/** The stack a job operates on: the last segment of its STACK_NAME (`<org>/lantern-fleet/<stack>`). */
export const stackOf = (job: Job): string | undefined => job.env.STACK_NAME?.split("/").pop();
