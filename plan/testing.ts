/** Test helpers: run the offline plan CLI as a separate process, on a stack file or a variant of one. */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { diffPlans } from "./diff";
import type { Plan } from "./run";
import { REPO_ROOT } from "./run";

const execFileAsync = promisify(execFile);

/** How the tests start the plan CLI: the way `npm run plan` does. */
const PLAN_CLI = ["--no-experimental-strip-types", "--require", "./scripts/register-ts.js", "plan/cli.ts"];

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the plan CLI; `env` adds variables (e.g. PLAN_MOCK_SEED, see mocks.ts). */
export function planCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): CliResult {
  const result = spawnSync(
    process.execPath,
    [...PLAN_CLI, ...args],
    { cwd: REPO_ROOT, encoding: "utf8", timeout: 300_000, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The plan CLI in a child process that does not block the test runner, so several can run at once; rejects on a non-zero exit. */
export async function planCliAsync(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, [...PLAN_CLI, ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
}

/** planJson in a child process that does not block the test runner, so several can run at once. */
export async function planJsonAsync(args: readonly string[]): Promise<Plan> {
  const { stdout } = await planCliAsync([...args, "--json"]);
  return JSON.parse(stdout) as Plan;
}

/** Runs `task` over `items` in `limit` lanes (item i in lane i % limit); results in item order. */
export function inPool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R>[] {
  const lanes: Promise<unknown>[] = Array.from({ length: limit }, () => Promise.resolve());
  return items.map((item, i) => {
    const result = lanes[i % limit]!.then(() => task(item));
    lanes[i % limit] = result.catch(() => undefined);
    return result;
  });
}

export function planJson(args: readonly string[], env: Readonly<Record<string, string>> = {}): Plan {
  const result = planCli([...args, "--json"], env);
  if (result.status !== 0) throw new Error(`plan ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as Plan;
}

export type StackConfig = Record<string, unknown>;

/** The `config:` map of a committed stack file. */
export function stackConfig(stack: string): StackConfig {
  const doc = parse(readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: StackConfig };
  return doc.config;
}

/** Writes a stack file holding `config` to a temp dir and returns its path. */
export function writeStackFile(config: StackConfig): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "lantern-plan-")), "Pulumi.test.yaml");
  writeFileSync(file, stringify({ config }));
  return file;
}

/** A deep copy of a stack's config, changed by `edit`, written to a temp stack file. */
export function variantStackFile(stack: string, edit: (config: StackConfig) => void): string {
  const config = structuredClone(stackConfig(stack));
  edit(config);
  return writeStackFile(config);
}

export interface ResourceChange {
  readonly name: string;
  readonly type: string;
  /** Top-level inputs whose value differs. */
  readonly keys: string[];
  readonly options: Record<string, unknown>;
}

/**
 * Resources present in both plans whose inputs differ, with the differing
 * top-level keys, as the plan diff (diffPlans) finds them: user-data counts
 * as changed when its decoded text differs, options alone do not count.
 */
export function changedResources(before: Plan, after: Plan): ResourceChange[] {
  const options = new Map(after.resources.map((r) => [r.urn, r.options]));
  return diffPlans(before, after)
    .resources.filter((c) => c.action !== "add" && c.action !== "remove")
    .map((c) => ({
      name: c.name,
      type: c.type,
      keys: [...new Set(c.changes.filter((i) => !i.path.startsWith("options.")).map((i) => i.path.split(/[.[]/)[0]!))],
      options: options.get(c.urn) ?? {},
      urn: c.urn,
    }))
    .filter((c) => c.keys.length > 0)
    .sort((a, b) => a.urn.localeCompare(b.urn))
    .map(({ urn: _urn, ...change }) => change);
}

/** Resources added or removed between two plans (by URN). */
export function addedOrRemoved(before: Plan, after: Plan): string[] {
  return diffPlans(before, after)
    .resources.filter((c) => c.action === "add" || c.action === "remove")
    .map((c) => c.urn);
}
