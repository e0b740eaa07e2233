/** One offline plan in this process, reporting its own cost (for bench/plan.ts). */
import { parseArgs } from "node:util";
import { runPlan } from "../plan/run";

const { values } = parseArgs({ options: { stack: { type: "string", default: "prod" }, "config-file": { type: "string" } } });
const start = process.hrtime.bigint();
runPlan({ stack: values.stack ?? "prod", configFile: values["config-file"] })
  .then((plan) => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const routes = (plan.outputs.routes as unknown[]).length;
    process.stdout.write(`${JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, resources: plan.resources.length, routes })}\n`);
  })
  .catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
