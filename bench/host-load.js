// How long the Pulumi Node.js host takes to load this program before its
// first resource registers (bench/plan.ts runs it as the CLI does by
// default, and with PULUMI_NODEJS_TRANSPILE_ONLY=true as the workflows do),
// or with `--whole` to run all of it (the plan's runner, its stacks
// formatted as the host formats them: mapped through source maps).
// Plain JavaScript on purpose: the host registers ts-node itself, so
// nothing may register it before.
//
// The steps are the host's, @pulumi/pulumi 3.270.0 cmd/run (pulumi/pulumi
// sdk/nodejs/cmd/run/index.ts: `import "source-map-support/register"`;
// sdk/nodejs/cmd/run/run.ts, run, lines 308-399 at v3.259 (cmd/run/run.js
// lines 276-361 in 3.270.0): tsconfig compiler
// options, `transpileOnly` from PULUMI_NODEJS_TRANSPILE_ONLY or the
// tsconfig's `noCheck`, else ts-node's default of type checking; then
// `tsn.register` with target ES2020, module nodenext and the tsconfig's
// options over them). Only the engine is replaced: the plan's mocks stand in
// for its resource monitor, and without `--whole` the program stops at its
// first resource's constructor, when loading and type checking are done.
"use strict";
const start = process.hrtime.bigint();
require("source-map-support/register");
const path = require("node:path");
const tsutils = require("@pulumi/pulumi/tsutils");

const root = path.resolve(__dirname, "..");
process.chdir(root);
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
const transpileOnly = transpileOnlyEnv ? transpileOnlyEnv === "true" : compilerOptions.noCheck;
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly,
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
});

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const report = (extra) =>
  process.stdout.write(`${JSON.stringify({ ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: cpuMs(), transpileOnly: Boolean(transpileOnly), ...extra })}\n`);
const fail = (err) => {
  process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
};

if (process.argv.includes("--whole")) {
  // The whole program, to its last resource, its stacks formatted as the host formats them.
  require("../plan/run")
    .runPlan({ stack: "prod", hostStackTraces: true })
    .then((plan) => report({ resources: plan.resources.length }))
    .catch(fail);
} else {
  const pulumi = require("@pulumi/pulumi");
  const { mocks } = require("../plan/mocks");
  const { readEngineConfig } = require("../plan/stack-file");
  const { PROJECT } = require("../stacks/stack");

  const { config, secretKeys } = readEngineConfig(path.join(root, "Pulumi.prod.yaml"));
  pulumi.runtime.setAllConfig(config, secretKeys);
  // The program's first resource (the stack is the first one constructed): every resource
  // constructor asks Resource.stackTrace for its source position (@pulumi/pulumi resource.ts).
  const { Resource } = require("@pulumi/pulumi/resource");
  const stackTrace = Resource.stackTrace;
  let constructed = 0;
  Resource.stackTrace = (skip) => {
    if (++constructed === 2) {
      report({});
      process.removeAllListeners("exit"); // the SDK's leak report: the program is cut short on purpose
      process.exit(0);
    }
    return stackTrace(skip);
  };
  pulumi.runtime
    .setMocks(mocks, PROJECT, "prod", false)
    .then(() => pulumi.runtime.runInPulumiStack(() => Promise.resolve(require(path.join(root, "index.ts")))))
    .catch(fail);
}
