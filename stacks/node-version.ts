/**
 * The Node.js the program needs, checked before anything else loads.
 *
 * The Pulumi CLI's Node.js host runs the `node` on PATH, not the project's
 * (node_modules/.bin/node), so `pulumi up` on a machine with an older Node
 * would otherwise fail deep inside with e.g. `Map.groupBy is not a function`
 * (Node 21+). The requirement is stated once, in package.json `engines.node`
 * (`>=<major>`); index.ts imports this module first (CommonJS runs imports in
 * order), so an older Node stops here with one line naming the version.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

/** The one-line refusal for a Node older than `engines` (`>=<major>`), or undefined when it is new enough. */
export function nodeVersionProblem(running: string, engines: string): string | undefined {
  const required = /^>=\s*(\d+)$/.exec(engines.trim());
  if (!required) throw new Error(`package.json engines.node must read ">=<major>", not "${engines}"`);
  const major = Number(running.replace(/^v/, "").split(".")[0]);
  return major >= Number(required[1])
    ? undefined
    : `lantern-fleet needs Node.js ${engines} (package.json engines.node); this is Node.js ${running}: put Node ${required[1]} or newer first on PATH (npm ci installs one at node_modules/.bin/node)`;
}

/** package.json `engines.node`. */
export function requiredNode(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { engines: { node: string } };
  return pkg.engines.node;
}

const problem = nodeVersionProblem(process.versions.node, requiredNode());
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
