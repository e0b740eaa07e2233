/**
 * How a change to each stack config key reaches running routes: declared
 * here once, shown in the README's config reference (a test keeps them
 * equal) and proven by planning each change (stacks/change-paths.test.ts).
 * Nothing is silently ignored: a key whose change does not reach running
 * routes says so, and why.
 */
import type { RolloutStrategy } from "./config";

/**
 * What a change does to a running route (its own resources):
 * - replace: a new instance (new IP), verified before the old one is deleted;
 * - install: the route's release command installs and verifies (hot-swap);
 * - push: the route's config push delivers it over SSH, checked by the
 *   running release, applied with a rollback;
 * - reverify: nothing is installed; the route's release command re-verifies,
 *   and the value is used from the next install on;
 * - none: running routes are untouched (new routes get the change);
 * - network: firewalls or security rules change in place, instances do not;
 * - in-place: the provider updates the instance in place (a resize, with a
 *   reboot; a move to another compartment);
 * - images: base images are rebuilt (the old ones stay in the cloud); the
 *   routes of tracks on `newest` are replaced onto the new ones, wave by
 *   wave (a new image replaces the instance on every provider); tracks on
 *   `hold` or pinned in image.tracks keep theirs until an operator rolls
 *   them (a held track's new routes boot the new images).
 */
export type RoutePath = "replace" | "install" | "push" | "reverify" | "none" | "network" | "in-place" | "images";

export interface ChangePath {
  /** The config key as the README's config reference names it (placeholders in angle brackets). */
  readonly key: string;
  readonly path: Readonly<Record<RolloutStrategy, RoutePath>>;
  /** Also a recipe parameter: new images, which move the routes of tracks on `newest` (path "images") instead of `path`. */
  readonly rebuildsImages?: true;
  /** Why, for the reader of the README. */
  readonly why: string;
}

const both = (path: RoutePath): Record<RolloutStrategy, RoutePath> => ({ replace: path, hotswap: path });
const perRollout = (replace: RoutePath, hotswap: RoutePath): Record<RolloutStrategy, RoutePath> => ({ replace, hotswap });

export const CHANGE_PATHS: readonly ChangePath[] = [
  { key: "releaseTag", path: perRollout("replace", "install"), why: "the release is the route's user-data; hot-swap routes install it over SSH" },
  { key: "tracks.<track>", path: both("none"), why: "a track is a name; its routes are set per region" },
  { key: "tracks.<track>.releaseTag", path: perRollout("replace", "install"), why: "as releaseTag, for that track's routes" },
  { key: "releaseBaseUrl", path: perRollout("replace", "reverify"), why: "read when a release is installed; the running release stays" },
  { key: "releaseChecksums.<tag>.<amd64|arm64>", path: perRollout("replace", "reverify"), why: "checked when that release is installed" },
  { key: "waves.size", path: both("none"), why: "the order of later rollouts only" },
  { key: "waves.first", path: both("none"), why: "the order of later rollouts only" },
  { key: "releaseSoakSeconds", path: perRollout("replace", "reverify"), why: "used by the next install or push" },
  { key: "sshPublicKeys", path: perRollout("replace", "push"), why: "the management user's authorized_keys" },
  { key: "tailscale.loginServer", path: both("none"), why: "each new instance joins the tailnet with it, over SSH; joined nodes keep their control server" },
  { key: "tailscale.oauthClientId", path: both("none"), why: "the client that creates keys for new instances; joined routes keep their node keys" },
  {
    key: "tailscale.tags",
    path: both("none"),
    why: "the next new instance's key (existing keys ignore it); joined nodes keep their tags",
  },
  { key: "tailscale.keyExpirySeconds", path: both("none"), why: "the next new instance's key (existing keys ignore it)" },
  { key: "otel.endpoint", path: perRollout("replace", "push"), rebuildsImages: true, why: "the telemetry env files, and the collector default the image recipe bakes in" },
  { key: "otel.serviceName", path: perRollout("replace", "push"), why: "the telemetry env files" },
  { key: "ingress.tcp", path: both("network"), why: "firewall and security group rules (a new port must also be allowed by the policy pack)" },
  { key: "ingress.udp", path: both("network"), why: "firewall and security group rules (a new port must also be allowed by the policy pack)" },
  { key: "ingress.sshSourceCidrs", path: both("network"), why: "firewall and security group rules (routes and builders)" },
  {
    key: "providers.<linode|alicloud|oci>.regions.<region>.<track>",
    path: both("none"),
    why: "routes are added or removed; the others keep their names and instances",
  },
  { key: "providers.<provider>.instanceType", path: both("in-place"), why: "the providers resize in place" },
  { key: "providers.<provider>.rollout", path: both("reverify"), why: "the route's new kind of release command verifies it; later changes take the new path (README \"Changing a provider's rollout\": what the old path left in the state)" },
  {
    key: "providers.linode.buildRegion",
    path: both("images"),
    why: "the builder is made anew there (the provider would migrate it), and its image is captured there and replicated to the route regions",
  },
  {
    key: "providers.alicloud.buildRegion",
    path: both("images"),
    why: "the builder, its key pair and the image live in the build region, so they are built anew there and copied to the others",
  },
  { key: "providers.oci.compartmentId", path: both("in-place"), why: "OCI moves the resources to the new compartment" },
  { key: "providers.oci.ocpus", path: both("in-place"), why: "the shape's size, updated in place" },
  { key: "providers.oci.memoryInGbs", path: both("in-place"), why: "the shape's size, updated in place" },
  { key: "image.caCertUrl", path: both("images"), why: "a recipe parameter" },
  { key: "image.rebuild", path: both("images"), why: "forces new images" },
  {
    key: "image.tracks.<track>",
    path: both("replace"),
    why: "rolls the track: its routes are replaced onto the images it names (or the newest build), wave by wave; `hold` keeps the images they run",
  },
  { key: "image.stockImages.linode", path: both("images"), why: "the builder's starting image" },
  { key: "image.stockImages.alicloud.<buildRegion>", path: both("images"), why: "the builder's starting image" },
  { key: "image.stockImages.oci.<region>", path: both("images"), why: "the builder's starting image" },
  { key: "providers.alicloud.zones.<region>", path: both("replace"), why: "an instance cannot change zones: new vSwitch, new instances" },
  { key: "tailscaleOauthClientSecret", path: both("none"), why: "the client that creates keys for new instances; joined routes keep their node keys" },
  { key: "routeConfig", path: perRollout("replace", "push"), why: "lantern-box's config.json" },
];

/** The README's wording of a key's path. */
export function describePath({ path, rebuildsImages }: Pick<ChangePath, "path" | "rebuildsImages">): string {
  const words: Record<RoutePath, string> = {
    replace: "replace",
    install: "install over SSH",
    push: "push over SSH",
    reverify: "next install (re-verified now)",
    none: "new routes only",
    network: "network rules in place",
    "in-place": "in place by the provider",
    images: "new images; routes of tracks on newest replaced onto them in waves, held and pinned tracks untouched",
  };
  const perRoute = path.replace === path.hotswap ? words[path.replace] : `replace routes: ${words[path.replace]}; hot-swap routes: ${words[path.hotswap]}`;
  return rebuildsImages ? `new images: routes of tracks on newest replaced onto them in waves; on held and pinned tracks, ${perRoute}` : perRoute;
}
