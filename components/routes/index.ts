export { AlicloudRegionRoutes } from "./alicloud";
export { LinodeRegionRoutes } from "./linode";
export { OciRegionRoutes } from "./oci";
export type { LaunchedRoute, RegionRoutesArgs, RouteLaunch } from "./types";
