// How the repository's scripts, tests and offline plans load TypeScript:
// ts-node without a type check (`npm test` runs tsc) and with SWC
// (@swc/core) as its transpiler: ts-node's own transpile-only mode runs
// TypeScript's transpileModule per file, about 30 ms for each of the
// program's files on every load (README "Numbers"). ts-node's `swc` option:
// https://typestrong.org/ts-node/docs/swc/
// The target is ES2022 because ts-node's map of TypeScript targets to SWC's
// stops there and falls back to ES3 for tsconfig's ES2023
// (ts-node dist/transpilers/swc.js, targetMapping); ES2023 adds no syntax.
// The Pulumi CLI's Node host loads the program its own way (README "The real
// engine's load").
require("ts-node").register({ transpileOnly: true, swc: true, compilerOptions: { target: "ES2022" } });
// V8's code cache on disk (os.tmpdir()/node-compile-cache, or
// NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), reused
// only while a module's contents are unchanged: V8 compiling the provider
// SDKs' JavaScript was a quarter of a small plan's time on every load
// (README "Numbers"). https://nodejs.org/api/module.html#module-compile-cache
require("node:module").enableCompileCache();
