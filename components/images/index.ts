export { AlicloudBaseImage } from "./alicloud";
export { LinodeBaseImage } from "./linode";
export { OciRegionBaseImage } from "./oci";
export { baseImageName, recipeHash } from "./recipe";
export type { ImageIds } from "./types";
