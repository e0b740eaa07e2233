/**
 * scripts/lint-workflows.sh checks every `with:` input against the pinned
 * action's inputs (test/workflows/action-inputs.json, read from each
 * action.yml). One run over the real workflows plus broken copies: the real
 * ones must be clean, each copy must be named for what was broken.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import YAML from "yaml";

const ROOT = path.resolve(__dirname, "../..");
const SOURCE = path.join(ROOT, ".github/workflows");

interface Vendored {
  source: { repo: string; ref: string; release: string; commit: string; path: string };
  required: string[];
  /** Inputs action.yml leaves optional that the action's code requires, with where. */
  requiredByCode?: Record<string, string>;
  optional: string[];
}
const INPUTS = JSON.parse(fs.readFileSync(path.join(__dirname, "action-inputs.json"), "utf8")) as Record<string, Vendored | string>;

/** A copy of a real workflow with one edit to its parsed document. */
function mutant(file: string, edit: (doc: any) => void): string {
  const doc = YAML.parse(fs.readFileSync(path.join(SOURCE, file), "utf8"));
  edit(doc);
  return YAML.stringify(doc);
}
const stepUsing = (doc: any, job: string, action: string) => (doc.jobs[job].steps as any[]).find((s) => String(s.uses).startsWith(`${action}@`));

describe("the workflow linter", () => {
  it("vendors each pinned action's inputs with its source", () => {
    for (const [key, entry] of Object.entries(INPUTS)) {
      if (key === "//") continue;
      assert.ok(typeof entry === "object", key);
      assert.equal(key, `${entry.source.repo}@${entry.source.commit}`);
      assert.match(entry.source.commit, /^[0-9a-f]{40}$/);
      assert.equal(entry.source.path, "action.yml");
      assert.ok(entry.optional.length + entry.required.length > 0, key);
      for (const input of Object.keys(entry.requiredByCode ?? {})) assert.ok(entry.required.includes(input), `${key}: ${input} is listed as required`);
    }
  });

  it("passes the real workflows and names each made-up, unvendored or missing input in broken copies", () => {
    const dir = fs.mkdtempSync(path.join(tmpdir(), "lint-workflows-"));
    for (const f of fs.readdirSync(SOURCE)) fs.copyFileSync(path.join(SOURCE, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, "mutant-made-up-input.yml"), mutant("drift.yml", (d) => (stepUsing(d, "drift", "pulumi/actions").with["comment-on-pr-numbr"] = "3")));
    fs.writeFileSync(path.join(dir, "mutant-unvendored.yml"), mutant("deploy.yml", (d) => (stepUsing(d, "staging", "pulumi/actions").uses = `pulumi/actions@${"0".repeat(40)}`)));
    fs.writeFileSync(path.join(dir, "mutant-tag.yml"), mutant("deploy.yml", (d) => (stepUsing(d, "prod", "pulumi/auth-actions").uses = "pulumi/auth-actions@v2")));
    fs.writeFileSync(path.join(dir, "mutant-missing-required.yml"), mutant("deploy.yml", (d) => delete stepUsing(d, "prod", "pulumi/auth-actions").with.organization));
    fs.writeFileSync(path.join(dir, "mutant-missing-required-by-code.yml"), mutant("drift.yml", (d) => delete stepUsing(d, "drift", "pulumi/auth-actions").with["requested-token-type"]));

    const lint = spawnSync("bash", [path.join(ROOT, "scripts/lint-workflows.sh"), dir], { encoding: "utf8" });
    const findings = lint.stdout.split("\n").filter((l) => /: .*\[/.test(l));
    assert.equal(lint.status, 1, lint.stdout + lint.stderr);
    assert.deepEqual(
      findings.map((l) => path.basename(l.split(":")[0]!)).sort(),
      ["mutant-made-up-input.yml", "mutant-missing-required-by-code.yml", "mutant-missing-required.yml", "mutant-tag.yml", "mutant-unvendored.yml"],
      lint.stdout,
    );
    assert.match(lint.stdout, /mutant-made-up-input\.yml:\d+:\d+: input "comment-on-pr-numbr" is not defined by pulumi\/actions@8e5e406f4007fca908480587cb9893c07090f58d \(action\.yml of pulumi\/actions at 8e5e406f4007 defines: command, .*comment-on-pr-number/);
    assert.match(lint.stdout, /mutant-unvendored\.yml:\d+:\d+: no vendored inputs for "pulumi\/actions@0{40}"/);
    assert.match(lint.stdout, /mutant-tag\.yml:\d+:\d+: "pulumi\/auth-actions@v2" is not pinned to a commit/);
    assert.match(lint.stdout, /mutant-missing-required\.yml:\d+:\d+: required input "organization" of pulumi\/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2 is missing/);
    assert.match(lint.stdout, /mutant-missing-required-by-code\.yml:\d+:\d+: required input "requested-token-type" of pulumi\/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2 is missing/);
  });
});
