/**
 * The committed stacks' plans are byte-identical to plan/golden/<stack>.json,
 * so a change meant to be neutral (a speed-up, a refactor) is proven neutral.
 * A change of what is declared on purpose regenerates them, in its own
 * commit saying why: `npm run plan:golden`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { planCliAsync } from "./testing";
import { REPO_ROOT } from "./run";

const GOLDEN_STACKS = ["prod", "staging"] as const;

/** The first line where two texts differ, for a readable failure. */
function firstDifference(expected: string, actual: string): string {
  const [a, b] = [expected.split("\n"), actual.split("\n")];
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}:\n  golden: ${a[at] ?? "(end)"}\n  now:    ${b[at] ?? "(end)"}`;
}

describe("golden plans", () => {
  for (const stack of GOLDEN_STACKS) {
    it(`${stack}: the JSON plan is byte-identical to plan/golden/${stack}.json`, async () => {
      const golden = readFileSync(path.join(REPO_ROOT, "plan", "golden", `${stack}.json`), "utf8");
      const { stdout } = await planCliAsync(["--stack", stack, "--json"]);
      assert.ok(stdout === golden, `the ${stack} plan changed (npm run plan:golden regenerates it, if on purpose) at ${firstDifference(golden, stdout)}`);
    });
  }
});
