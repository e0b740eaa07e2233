/**
 * Rolling a track onto newly built base images is a config change: the
 * track's pin (image.tracks.<track>) becomes the ids of the build, as the
 * stack output `images` reports them. Pure: validated with the config's own
 * schema, so what it prints is what the program accepts.
 */
import { issueProblems, TRACK_NAME, trackImage } from "./config";

/** The config path segments and value of each pin, in a stable order. */
export function trackPins(track: string, images: unknown): [path: string, value: string][] {
  const parsed = trackImage.safeParse(images);
  if (!parsed.success) {
    const problems = issueProblems(parsed.error).map((p) => (p.path === "(root)" ? p.message : `${p.path}: ${p.message}`));
    throw new Error(`the stack output images is not a set of built image ids (${problems.join("; ")})`);
  }
  if (typeof parsed.data === "string") throw new Error(`the stack output images is not a set of built image ids (it says ${parsed.data})`);
  const { linode, alicloud, oci } = parsed.data;
  const base = `image.tracks.${track}`;
  const perRegion = (provider: string, ids: Record<string, string>) =>
    Object.entries(ids)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([region, id]): [string, string] => [`${base}.${provider}.${region}`, id]);
  return [...(linode ? [[`${base}.linode`, linode] as [string, string]] : []), ...perRegion("alicloud", alicloud), ...perRegion("oci", oci)];
}

/** The commands that pin `track` of `stack` to `images`: the old pin (or `hold` / `newest`) is removed first. */
export function rollCommands(stack: string, track: string, images: unknown): string[] {
  if (!TRACK_NAME.test(track)) throw new Error(`--track: expected a track name, got "${track}"`);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(stack)) throw new Error(`--stack: expected a stack name, got "${stack}"`);
  const pins = trackPins(track, images);
  return [
    `pulumi config rm --stack ${stack} --path 'image.tracks.${track}'`,
    ...pins.map(([path, id]) => `pulumi config set --stack ${stack} --path '${path}' '${id}'`),
  ];
}
