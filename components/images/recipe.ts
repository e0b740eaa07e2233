/**
 * The image recipe's identity and where builders receive it.
 *
 * An image is named by a hash of everything that changes it: every byte of
 * image/, every parameter passed to the recipe, the pinned stock image it
 * starts from, the operator's rebuild label, and the stack (physical names
 * are per account or region, and staging and prod share accounts). No
 * release tag can reach it: the recipe folder holds none and nothing from
 * the stack's release config is hashed.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { physicalName, sha256Hex } from "../naming";
import type { RecipeParameters } from "./types";

export const RECIPE_DIR = path.resolve(__dirname, "..", "..", "image");
/** The CopyToRemote `remotePath` of the recipe on every builder. */
export const REMOTE_BUILD_DIR = "/tmp/lantern-build";

/**
 * Where `command.remote.CopyToRemote` puts a local directory `source` copied
 * to `remotePath` (pulumi/pulumi-command, provider/pkg/provider/remote/
 * copyController.go, `sftpCopy`: "source dir | dest/dir; source dir/ |
 * dest/x for x in dir"): without a trailing slash the directory itself lands
 * inside remotePath, with one only its contents do.
 */
export function copiedDirectory(source: string, remotePath: string): string {
  return source.endsWith("/") ? remotePath : path.posix.join(remotePath, path.basename(source));
}

/** Where provision.sh and clean-for-capture.sh are on the builder. */
export const REMOTE_RECIPE_DIR = copiedDirectory(RECIPE_DIR, REMOTE_BUILD_DIR);

/** sha256 over the recipe's relative paths and contents, in a stable order. */
export function recipeHash(dir = RECIPE_DIR): string {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
  return sha256Hex(files.map((file) => `${file}\0${readFileSync(path.join(dir, file), "utf8")}\0`).join(""));
}

/** Everything that makes one image what it is. */
export interface ImageIdentity {
  readonly stack: string;
  /** recipeHash() */
  readonly recipe: string;
  /** Every value passed to the recipe (all of them, whatever they are called). */
  readonly parameters: RecipeParameters;
  /** The pinned stock image id the builder boots (per region where ids differ). */
  readonly stockImage: string;
  /** config `image.rebuild` */
  readonly rebuild?: string;
  /** Where the one build runs (Linode, alicloud): a build elsewhere is another image. OCI builds in every region. */
  readonly buildRegion?: string;
}

/**
 * The image name (and alicloud's and OCI's builders'): `lantern-<stack>-base-<hash8>`, at
 * most 48 characters (Linode image labels allow 50).
 */
export function baseImageName(identity: ImageIdentity): string {
  const parameters = Object.entries(identity.parameters).sort(([a], [b]) => a.localeCompare(b));
  const hash = sha256Hex(
    JSON.stringify([identity.stack, identity.recipe, parameters, identity.stockImage, identity.rebuild ?? "", identity.buildRegion ?? ""]),
  ).slice(0, 8);
  return physicalName(`lantern-${identity.stack}-base-${hash}`, 48);
}
