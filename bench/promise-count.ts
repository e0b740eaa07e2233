/**
 * Counts the promises one offline plan creates (an async_hooks `init` hook
 * sees every PROMISE: nodejs.org/api/async_hooks.html#type), the measure of
 * the SDK's Output bookkeeping that the README's "Numbers" compares between
 * the project and the floor. Usage, with a stack file from bench/plan.ts's
 * fleets (and FLOOR_SHAPE set for the floor):
 *   node --require ./scripts/register-ts.js bench/promise-count.ts --config-file <file> [--program <floor.ts>]
 */
import { createHook } from "node:async_hooks";
import { parseArgs } from "node:util";
import { runPlan } from "../plan/run";

const { values } = parseArgs({ options: { "config-file": { type: "string" }, program: { type: "string" } } });
let promises = 0;
createHook({
  init(_id, type) {
    if (type === "PROMISE") promises++;
  },
}).enable();
runPlan({ stack: "prod", configFile: values["config-file"], program: values.program })
  .then((plan) => process.stdout.write(`${JSON.stringify({ resources: plan.resources.length, promises })}\n`))
  .catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
