/**
 * lantern-fleet: lantern-box proxy routes on Linode, Alibaba Cloud and OCI.
 *
 * config (validated first) -> base images (release-agnostic, one per
 * provider, reaching every route region) -> routes (their region's image +
 * user-data rendered from their release tag) -> stack outputs.
 */
// First: an older Node stops here with the version it needs (stacks/node-version.ts).
import "./stacks/node-version";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { routeLaunchData, userDataProblems } from "./components/cloud-init";
import { alicloudFleet } from "./components/alicloud";
import { type LaunchedFleet, type ProviderFleet, trackImageIds } from "./components/fleet";
import { recipeHash } from "./components/images";
import { linodeFleet } from "./components/linode";
import { ociFleet } from "./components/oci";
import { skipUnreadPromiseStacks } from "./components/promise-stacks";
import { releaseSkew as skewByTrack, WaveGate } from "./components/release";
import type { RouteLaunch } from "./components/routes";
import { tailscaleProvider } from "./components/tailscale";
import { PROVIDERS, type ProviderName } from "./stacks/catalog";
import { releaseWaves, type Route, routesOf, tailscaleKeyConfigOf } from "./stacks/config";
import { loadStack } from "./stacks/stack";

// The SDK's debug stack on each promise behind a resource's outputs, which only its leak report
// reads, is not mapped through the host's source maps (components/promise-stacks.ts).
skipUnreadPromiseStacks();

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

// 3. Routes, per provider and region, each with user-data for its own tag,
//    its own SSH host key (pinned by the commands run on it) and the
//    program's management key (their login); hot-swap routes also get their
//    config pushed over SSH, rendered from the same inputs as the user-data.
//    Every new instance joins the tailnet over SSH with its own one-off key.
// Protected: a new key would lock the program out of every hot-swap route (README "Host authenticity").
const managementKey = new tls.PrivateKey("management-ssh-key", { algorithm: "ED25519" }, { protect: true });
const tailscaleKeys = tailscaleKeyConfigOf(config);
const tailnet = {
  key: tailscaleKeys,
  loginServer: config.tailscale.loginServer,
  provider: tailscaleProvider(tailscaleKeys.oauthClientId, secrets.tailscaleOauthClientSecret),
};
function launches(routes: readonly Route[]): RouteLaunch[] {
  return routes.map((route) => {
    const hostKey = new tls.PrivateKey(`${route.id}-host-key`, { algorithm: "ED25519" });
    // The private key only ever reaches the user-data, which is rendered as a secret
    // (components/cloud-init routeLaunchData). The engine also stores it as one: @pulumi/tls
    // lists it in additionalSecretOutputs (pulumi/pulumi-tls sdk/nodejs/privateKey.ts), which
    // the engine marks secret (pulumi/pulumi pkg/resource/deploy/step_executor.go,
    // continueExecuteStep); the SDK's mocks do not, so the plan's secrecy is the render's.
    const keys = { managementPublicKey: managementKey.publicKeyOpenssh, hostPrivateKey: hostKey.privateKeyOpenssh, hostPublicKey: hostKey.publicKeyOpenssh };
    const inputs = { route, stack, config, secrets, keys };
    return { route, ...routeLaunchData(inputs), hostPublicKey: hostKey.publicKeyOpenssh };
  });
}
// A release reaches routes in waves (first-wave tracks, then batches), each
// after the previous one verified: the order is in the resource graph, one
// gate across every provider.
const waves = new WaveGate(releaseWaves(allRoutes, config));
const shared = {
  stack,
  waves,
  ingress: config.ingress,
  release: { releaseBaseUrl: config.releaseBaseUrl, releaseSoakSeconds: config.releaseSoakSeconds },
  managementPrivateKey: pulumi.secret(managementKey.privateKeyOpenssh),
  tailnet,
};

// Each provider's fleet (components/fleet.ts): its images, networks, regional providers and routes.
const FLEETS: Readonly<Record<ProviderName, ProviderFleet>> = { linode: linodeFleet, alicloud: alicloudFleet, oci: ociFleet };
const fleets = PROVIDERS.flatMap((provider): (LaunchedFleet & { provider: ProviderName })[] => {
  const routesByRegion = routesIn(provider);
  return routesByRegion.size === 0 ? [] : [{ provider, ...FLEETS[provider]({ config, routesByRegion, launch: launches, image: imageArgs, shared }) }];
});
waves.assertComplete();
const launched = fleets.flatMap((fleet) => fleet.routes);

// 4. Outputs: one entry per route (its name, provider, region, track,
//    rollout, target and verified tag, wave, image and IP), per track the
//    release skew (target vs verified) for `pulumi stack output releaseSkew`,
//    and the images this run built, in the shape a track pins them
//    (config image.tracks.<track>; scripts/roll-images.ts).
export const routes = launched.map(({ route, ip, verifiedTag, image }) => ({
  name: route.id,
  provider: route.provider,
  region: route.region,
  track: route.track,
  rollout: route.rollout,
  releaseTag: route.releaseTag,
  wave: waves.wave(route),
  verifiedTag,
  image,
  ip,
}));
export const images = Object.fromEntries(fleets.map((fleet) => [fleet.provider, trackImageIds(fleet.provider, fleet.images)]));
// One wait on every route's verified tag, zipped with the routes: an apply
// per route would add two Outputs per route (pulumi.all wraps each Output
// element in another: @pulumi/pulumi sdk/nodejs/output.ts, outputRec).
export const releaseSkew = pulumi
  .all(launched.map(({ verifiedTag }) => verifiedTag))
  .apply((verified) => skewByTrack(launched.map(({ route }, i) => ({ track: route.track, target: route.releaseTag, verified: verified[i]! }))));
