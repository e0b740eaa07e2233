import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { nodeVersionProblem, requiredNode } from "./node-version";

const ROOT = path.join(__dirname, "..");

describe("Node requirement", () => {
  it("is package.json engines.node, and this Node meets it", () => {
    assert.equal(requiredNode(), ">=22");
    assert.equal(nodeVersionProblem(process.versions.node, requiredNode()), undefined);
  });

  it("refuses an older Node in one line naming the version it needs", () => {
    const problem = nodeVersionProblem("20.20.2", ">=22");
    assert.ok(problem);
    assert.doesNotMatch(problem, /\n/);
    assert.match(problem, /needs Node\.js >=22 .* this is Node\.js 20\.20\.2/);
    assert.equal(nodeVersionProblem("22.0.0", ">=22"), undefined);
    assert.throws(() => nodeVersionProblem("24.0.0", "^22"), /engines\.node must read ">=<major>"/);
  });

  it("is the first thing index.ts loads", () => {
    const firstImport = /^import\s+(?:.*from\s+)?"([^"]+)";/m.exec(readFileSync(path.join(ROOT, "index.ts"), "utf8"));
    assert.equal(firstImport?.[1], "./stacks/node-version");
  });

  // The Pulumi host runs the `node` on PATH; Debian's is older than the project's.
  const oldNode = ["/usr/bin/node", "/usr/local/bin/node"].find((bin) => {
    if (!existsSync(bin)) return false;
    const version = spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim();
    return Number(version.slice(1).split(".")[0]) < 22;
  });
  it(`stops the program at once on an older Node (${oldNode ?? "none on this machine"})`, { skip: oldNode === undefined }, () => {
    const run = spawnSync(oldNode!, ["--require", "ts-node/register/transpile-only", "index.ts"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^lantern-fleet needs Node\.js >=22 \(package\.json engines\.node\); this is Node\.js 2\d\.[^\n]*\n$/);
  });
});
