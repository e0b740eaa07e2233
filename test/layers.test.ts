/**
 * Imports flow one way: stacks/ (config, pure) at the bottom, then
 * components/, then the program (index.ts) and the offline plan (plan/);
 * tools and checks (policy/, scripts/, bench/, test/, every *.test.ts) sit on
 * top and may use anything. Within that order no file may reach itself
 * through its imports. Imports are read with the TypeScript compiler's own
 * scanner (ts.preProcessFile: import, export ... from, import type, require),
 * so the check sees what `tsc` sees.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..");
const SKIP = new Set(["node_modules", "out", ".cache", ".git"]);

/** Each file's layer: it may import only from its own layer or a lower one. */
const LAYERS = ["stacks", "components", "program", "tools"] as const;
type Layer = (typeof LAYERS)[number];

export function layerOf(file: string): Layer {
  if (file.endsWith(".test.ts")) return "tools";
  const top = file.split("/")[0]!;
  if (top === "stacks") return "stacks";
  if (top === "components") return "components";
  if (top === "plan" || file === "index.ts") return "program";
  return "tools";
}

function projectFiles(dir = ""): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    if (SKIP.has(name) || name.startsWith(".")) return [];
    const rel = dir ? `${dir}/${name}` : name;
    if (statSync(path.join(ROOT, rel)).isDirectory()) return projectFiles(rel);
    return rel.endsWith(".ts") && !rel.endsWith(".d.ts") ? [rel] : [];
  });
}

/** The project files a file imports (relative specifiers resolved as node10 resolution does for .ts). */
export function importsOf(file: string, text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => {
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const hit = [`${base}.ts`, `${base}/index.ts`, base].find((candidate) => existsSync(path.join(ROOT, candidate)) && candidate.endsWith(".ts"));
      if (!hit) throw new Error(`${file}: cannot resolve ${spec}`);
      return hit;
    });
}

/** Every import from a lower layer to a higher one, as `from -> to`. */
export function upwardImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return [...graph].flatMap(([from, tos]) =>
    tos.filter((to) => LAYERS.indexOf(layerOf(to)) > LAYERS.indexOf(layerOf(from))).map((to) => `${from} (${layerOf(from)}) -> ${to} (${layerOf(to)})`),
  );
}

/** One cycle per strongly connected group of files, as `a -> b -> a`. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe("import layers", () => {
  const graph = new Map(projectFiles().map((file) => [file, importsOf(file, readFileSync(path.join(ROOT, file), "utf8"))]));

  it("reads the whole project", () => {
    assert.ok(graph.has("index.ts") && graph.has("stacks/config.ts") && graph.has("plan/run.ts"));
    assert.ok((graph.get("index.ts") ?? []).some((to) => to.startsWith("components/")), "index.ts imports components");
  });

  it("has no import from a lower layer to a higher one (stacks < components < index.ts, plan < tools and tests)", () => {
    assert.deepEqual(upwardImports(graph), []);
  });

  it("has no import cycle", () => {
    assert.deepEqual(cycles(graph), []);
  });

  it("fails on an upward import and on a cycle", () => {
    const bad = new Map([
      ["stacks/stack.ts", ["components/cloud-init/index.ts"]],
      ["components/cloud-init/index.ts", ["stacks/stack.ts"]],
    ]);
    assert.deepEqual(upwardImports(bad), ["stacks/stack.ts (stacks) -> components/cloud-init/index.ts (components)"]);
    assert.deepEqual(cycles(bad), ["components/cloud-init/index.ts -> stacks/stack.ts -> components/cloud-init/index.ts"]);
    assert.deepEqual(importsOf("plan/x.ts", 'import type { Plan } from "./run";\nexport { MASKED } from "./diff/values";'), ["plan/run.ts", "plan/diff/values.ts"]);
  });
});
