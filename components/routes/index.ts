export type { LaunchedRoute, RegionRoutesArgs, RouteLaunch } from "./types";
