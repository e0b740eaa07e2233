/**
 * npm run --silent plan -- --stack <name> [--config-file <path>] [--json | --against <old-plan.json>]
 *
 * Prints what `pulumi up` would declare for a stack, offline. Invalid config
 * exits 1 with every problem and its key path on stderr.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { diffPlans, limitReport, parsePlan, renderReport, reportLimitOf } from "./diff";
import { type Plan, runPlan } from "./run";

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run --silent plan -- --stack <name> [--config-file <path>] [--json | --against <old-plan.json>]\n`);
  process.exit(2);
}

export function planText(plan: Plan): string {
  const lines = [`# Offline plan for stack ${plan.stack}: ${plan.resources.length} resources`, ""];
  for (const r of plan.resources) {
    lines.push(`+ ${r.type} ${r.name}${r.parent ? `  (parent ${r.parent.split("::").pop()})` : ""}`);
    if (Object.keys(r.options).length > 0) lines.push(indent(stringify({ options: r.options }, { lineWidth: 0 })));
    lines.push(indent(stringify(r.inputs, { lineWidth: 0 })));
  }
  lines.push("# Outputs", stringify(plan.outputs, { lineWidth: 0 }));
  for (const [name, text] of Object.entries(plan.userData)) lines.push(`# User-data of ${name}`, text);
  return lines.join("\n");
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "    ").trimEnd();
}

// --against: a Markdown diff from a saved `--json` plan to this one.
// A bad old plan exits 2 before the program runs; PLAN_REPORT_FULL, if set, gets the uncut report,
// which the cut one names as PLAN_REPORT_FULL_NAME (else the path); PLAN_REPORT_LIMIT caps its length.
function readOldPlan(file: string): Plan {
  try {
    return parsePlan(readFileSync(file, "utf8"));
  } catch (err) {
    process.stderr.write(`--against ${file}: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

function printDiffReport(old: Plan, plan: Plan): void {
  const report = renderReport(diffPlans(old, plan));
  const limit = reportLimitOf(process.env.PLAN_REPORT_LIMIT);
  const fullPath = process.env.PLAN_REPORT_FULL || undefined;
  if (fullPath) writeFileSync(fullPath, report);
  process.stdout.write(limitReport(report, fullPath && (process.env.PLAN_REPORT_FULL_NAME || fullPath), limit));
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        "config-file": { type: "string" },
        json: { type: "boolean", default: false },
        against: { type: "string" },
      },
      strict: true,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (!values.stack) usage("--stack is required");
  if (values.against !== undefined && values.json) usage("--json and --against do not go together");
  const old = values.against === undefined ? undefined : readOldPlan(values.against);
  const plan = await runPlan({ stack: values.stack, configFile: values["config-file"] });
  if (old) return printDiffReport(old, plan);
  process.stdout.write(values.json ? `${JSON.stringify(plan, null, 2)}\n` : `${planText(plan)}\n`);
}

main().catch((err: unknown) => {
  const problems = (err as { problems?: { path: string; message: string }[] }).problems;
  if (problems) {
    for (const p of problems) process.stderr.write(`config error: ${p.path}: ${p.message}\n`);
  } else {
    process.stderr.write(`plan failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
