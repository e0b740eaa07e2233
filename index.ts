/**
 * lantern-fleet: lantern-box proxy routes on Linode, Alibaba Cloud and OCI.
 *
 * config (validated first) -> base images (release-agnostic, one per
 * provider, reaching every route region) -> routes (their region's image +
 * user-data rendered from their release tag) -> stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { routeConfigFiles, routeUserData, userDataProblems } from "./components/cloud-init";
import { AlicloudBaseImage, type ImageIds, LinodeBaseImage, OciRegionBaseImage, recipeHash } from "./components/images";
import { AlicloudNetwork, OciNetwork } from "./components/network";
import { alicloudProvider, ociProvider } from "./components/providers";
import { releaseSkew as skewByTrack, WaveGate } from "./components/rollout";
import { AlicloudRegionRoutes, type LaunchedRoute, LinodeRegionRoutes, OciRegionRoutes, type RouteLaunch } from "./components/routes";
import type { ProviderName } from "./stacks/catalog";
import { alicloudZoneOf, buildRegionOf, instanceTypeOf, releaseWaves, type Route, routesOf, sshSourceCidrsOf, stockImageOf } from "./stacks/config";
import { loadStack } from "./stacks/stack";

// 1. Config: every problem is reported before anything is declared.
const { stack, config, secrets } = loadStack(userDataProblems);
const allRoutes = routesOf(config);
const routesIn = (provider: ProviderName) => Map.groupBy(allRoutes.filter((r) => r.provider === provider), (r) => r.region);

// 2. Base images: built from image/ and its parameters on the pinned stock images (all hashed into
//    their names, with the stack), never from a release.
const recipe = recipeHash();
const parameters = { caCertUrl: config.image.caCertUrl, otlpEndpoint: config.otel.endpoint };
const builderSshKey = new tls.PrivateKey("builder-ssh-key", { algorithm: "RSA", rsaBits: 4096 });
const builderKey = { publicKeyOpenssh: builderSshKey.publicKeyOpenssh, privateKeyOpenssh: pulumi.secret(builderSshKey.privateKeyOpenssh) };
const imageArgs = (regions: readonly string[]) => ({ stack, recipe, rebuild: config.image.rebuild, parameters, regions, builderKey });
const sshSourceCidrs = sshSourceCidrsOf(config);

// 3. Routes, per provider and region, each with user-data for its own tag,
//    its own SSH host key (pinned by the release commands) and the program's
//    management key (their login); hot-swap routes also get their config
//    pushed over SSH, rendered from the same inputs as the user-data.
const managementKey = new tls.PrivateKey("management-ssh-key", { algorithm: "ED25519" });
function launches(routes: readonly Route[]): RouteLaunch[] {
  return routes.map((route) => {
    const hostKey = new tls.PrivateKey(`${route.id}-host-key`, { algorithm: "ED25519" });
    const keys = {
      managementPublicKey: managementKey.publicKeyOpenssh,
      hostPrivateKey: pulumi.secret(hostKey.privateKeyOpenssh),
      hostPublicKey: hostKey.publicKeyOpenssh,
    };
    const inputs = { route, stack, config, secrets, keys };
    return { route, userData: routeUserData(inputs), configFiles: routeConfigFiles(inputs), hostPublicKey: hostKey.publicKeyOpenssh };
  });
}
// A release reaches routes in waves (first-wave tracks, then batches), each
// after the previous one verified: the order is in the resource graph.
const waves = new WaveGate(releaseWaves(allRoutes, config));
const common = {
  stack,
  waves,
  ingress: config.ingress,
  release: { releaseBaseUrl: config.releaseBaseUrl, releaseSoakSeconds: config.releaseSoakSeconds },
  managementPrivateKey: pulumi.secret(managementKey.privateKeyOpenssh),
};

function launchLinode(): LaunchedRoute[] {
  const byRegion = routesIn("linode");
  if (byRegion.size === 0) return [];
  const buildRegion = buildRegionOf(config, "linode");
  const image = new LinodeBaseImage("linode-base", {
    ...imageArgs([...byRegion.keys()]),
    buildRegion,
    stockImage: stockImageOf(config, "linode", buildRegion),
    sshSourceCidrs,
  });
  return [...byRegion].flatMap(([region, routes]) =>
    new LinodeRegionRoutes(`linode-${region}`, { ...common, region, routes: launches(routes), imageId: imageFor(image.imageIds, region) }).launched,
  );
}

function launchAlicloud(): LaunchedRoute[] {
  const byRegion = routesIn("alicloud");
  if (byRegion.size === 0) return [];
  const buildRegion = buildRegionOf(config, "alicloud");
  const regions = [...new Set([buildRegion, ...byRegion.keys()])];
  const providers = Object.fromEntries(regions.map((region) => [region, alicloudProvider(region)]));
  const networks = Object.fromEntries(
    regions.map((region) => [
      region,
      new AlicloudNetwork(`alicloud-${region}`, { ...common, region, zoneId: alicloudZoneOf(config, region) }, { providers: [providers[region]!] }),
    ]),
  );
  const image = new AlicloudBaseImage("alicloud-base", {
    ...imageArgs([...byRegion.keys()]),
    buildRegion,
    stockImage: stockImageOf(config, "alicloud", buildRegion),
    buildNetwork: networks[buildRegion]!,
    providers,
  });
  return [...byRegion].flatMap(([region, routes]) =>
    new AlicloudRegionRoutes(
      `alicloud-${region}`,
      { ...common, region, routes: launches(routes), imageId: imageFor(image.imageIds, region), network: networks[region]! },
      { providers: [providers[region]!] },
    ).launched,
  );
}

function launchOci(): LaunchedRoute[] {
  const oci = config.providers.oci;
  if (!oci) return [];
  const shape = instanceTypeOf(config, "oci");
  return [...routesIn("oci")].flatMap(([region, routes]) => {
    const provider = ociProvider(region);
    const network = new OciNetwork(`oci-${region}`, { ...common, region, compartmentId: oci.compartmentId }, { providers: [provider] });
    const image = new OciRegionBaseImage(`oci-${region}-base`, {
      ...imageArgs([region]),
      region,
      stockImage: stockImageOf(config, "oci", region),
      compartmentId: oci.compartmentId,
      shape,
      network,
      provider,
    });
    return new OciRegionRoutes(
      `oci-${region}`,
      { ...common, region, routes: launches(routes), imageId: image.imageId, network, compartmentId: oci.compartmentId, ocpus: oci.ocpus, memoryInGbs: oci.memoryInGbs },
      { providers: [provider] },
    ).launched;
  });
}

/** A route region the image does not reach is a program error, caught by the plan. */
function imageFor(imageIds: ImageIds, region: string) {
  const id = imageIds[region];
  if (!id) throw new Error(`the base image does not reach region ${region}`);
  return id;
}

const launched = [...launchLinode(), ...launchAlicloud(), ...launchOci()];
waves.assertComplete();

// 4. Outputs: one entry per route (DESIGN.md contract 5), and per track the
//    release skew (target vs verified) for `pulumi stack output releaseSkew`.
export const routes = launched.map(({ route, ip, verifiedTag }) => ({
  name: route.id,
  provider: route.provider,
  region: route.region,
  track: route.track,
  rollout: route.rollout,
  releaseTag: route.releaseTag,
  wave: waves.wave(route),
  verifiedTag,
  ip,
}));
export const releaseSkew = pulumi
  .all(launched.map(({ route, verifiedTag }) => verifiedTag.apply((verified) => ({ track: route.track, target: route.releaseTag, verified }))))
  .apply(skewByTrack);
