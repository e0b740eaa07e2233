/**
 * The image recipe's identity: a hash of every file in image/ names the base
 * images, so images rebuild when (and only when) the recipe or the stock
 * image it starts from changes. No release tag can reach it: the recipe
 * folder holds none and nothing from the stack's release config is hashed.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { sha256Hex } from "../naming";

export const RECIPE_DIR = path.resolve(__dirname, "..", "..", "image");
/** Where builders receive the recipe. */
export const REMOTE_RECIPE_DIR = "/tmp/lantern-image";

/** sha256 over the recipe's relative paths and contents, in a stable order. */
export function recipeHash(dir = RECIPE_DIR): string {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
  return sha256Hex(files.map((file) => `${file}\0${readFileSync(path.join(dir, file), "utf8")}\0`).join(""));
}

/**
 * The image name: recipe hash plus the stock image it starts from, plus the
 * operator's optional rebuild label (config `image.rebuild`).
 */
export function baseImageName(recipe: string, stockImage: string, rebuild = ""): string {
  return `lantern-base-${sha256Hex(`${recipe}\0${stockImage}\0${rebuild}`).slice(0, 8)}`;
}
