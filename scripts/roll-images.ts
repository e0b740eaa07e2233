/**
 * npm run --silent roll-images -- --stack <name> --track <track> [--images <file>]
 *
 * Rolls a track onto the base images the stack's last `pulumi up` built:
 * prints the `pulumi config set --path` commands that pin the track to them
 * (config image.tracks.<track>), to run and commit like any config change.
 * The next `pulumi up` then replaces that track's routes onto those images,
 * wave by wave; the other tracks keep theirs (README "Rolling images").
 *
 * The images come from `pulumi stack output images --json` (run here with
 * the Pulumi CLI and the stack's backend login), or from a file holding that
 * output (`--images`).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { rollCommands } from "../stacks/roll-images";

const { values } = parseArgs({ options: { stack: { type: "string" }, track: { type: "string" }, images: { type: "string" } } });
if (!values.stack || !values.track) {
  console.error("usage: npm run --silent roll-images -- --stack <name> --track <track> [--images <file>]");
  process.exit(2);
}
const json = values.images
  ? readFileSync(values.images, "utf8")
  : execFileSync("pulumi", ["stack", "output", "images", "--json", "--stack", values.stack], { encoding: "utf8" });
for (const line of rollCommands(values.stack, values.track, JSON.parse(json) as unknown)) console.log(line);
