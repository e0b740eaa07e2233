export { baseImageName, recipeHash } from "./recipe";
export type { BaseImageArgs, ImageIds } from "./types";
