/**
 * The Markdown report of a PlanDiff: a one-line blast-radius summary first,
 * then waves, routes, provider sources, user-data, and the resources last
 * (the longest part: a report cut at its size limit loses it first). The
 * same change on many routes is written once, naming them: by whole waves
 * or a name prefix when that is exact (the waves list every moving route),
 * else one by one; `<route>` stands for each one's name.
 */
import type { ImageCounts, PlanDiff } from "./plan-diff";
import { type Action, CONDITIONAL, type InputChange, type ResourceChange } from "./resources";
import type { ConfigPush, ImageMove, NewlyHeld, TagMove, TagMoveHow, Wave } from "./routes";
import type { UserDataDiff } from "./user-data";
import { isMasked, plural, ROUTE_PLACEHOLDER, withRoutePlaceholder } from "./values";

function imagesPart(images: ImageCounts): string {
  const labels = { add: "added", update: "changed", replace: "replaced", remove: "removed" } as const;
  const parts = (Object.keys(labels) as (keyof ImageCounts)[])
    .filter((k) => images[k] > 0)
    .map((k) => `${plural(images[k], "image")} ${labels[k]}`);
  return parts.length ? parts.join(", ") : "0 images";
}

function movesPart(moves: readonly TagMove[]): string {
  if (moves.length === 0) return "0 routes hot-swapped";
  const groups = new Map<string, { how: TagMoveHow; from: string; to: string; tracks: Set<string>; n: number }>();
  for (const m of moves) {
    const key = `${m.how} ${m.from} ${m.to}`;
    const g = groups.get(key) ?? { how: m.how, from: m.from, to: m.to, tracks: new Set<string>(), n: 0 };
    g.tracks.add(m.track);
    g.n += 1;
    groups.set(key, g);
  }
  const rank: readonly TagMoveHow[] = ["hot-swapped", "replaced", "NOT applied"];
  const sorted = [...groups.values()].sort((a, b) => rank.indexOf(a.how) - rank.indexOf(b.how));
  // Many distinct moves would make the line unreadable: count them instead; the list below has each.
  if (sorted.length > 3) {
    const by = rank.map((h) => [h, moves.filter((m) => m.how === h).length] as const).filter(([, n]) => n > 0);
    return `${plural(moves.length, "route")} moved tags in ${sorted.length} ways (${by.map(([h, n]) => `${n} ${h}`).join(" / ")})`;
  }
  return sorted
    .map((g) => {
      const tracks = [...g.tracks].sort();
      return `${plural(g.n, "route")} ${g.how} ${g.from} -> ${g.to} on ${tracks.length === 1 ? "track" : "tracks"} ${tracks.join("/")}`;
    })
    .join(", ");
}

/**
 * `N routes onto new images (tracks a/b)`, and `N routes onto new images
 * unless on them already (track c)` for routes released from `hold` onto an
 * existing build (ImageMove.ifDiffers); nothing when none move.
 */
function imageMovesPart(moves: readonly ImageMove[]): string {
  const part = (group: readonly ImageMove[], condition: string) => {
    const tracks = [...new Set(group.map((m) => m.track))].sort();
    return group.length ? `, ${plural(group.length, "route")} onto new images${condition} (${tracks.length === 1 ? "track" : "tracks"} ${tracks.join("/")})` : "";
  };
  return part(moves.filter((m) => !m.ifDiffers), "") + part(moves.filter((m) => m.ifDiffers), " unless on them already");
}

/** `**<stack>**: <images>, <tag moves>, <image moves>, <n> replaced, <n> added, <n> removed` (routes), always one line. */
export function summaryLine(d: PlanDiff): string {
  const { routes } = d;
  return `**${d.stack}**: ${imagesPart(d.images)}, ${movesPart(routes.moves)}${imageMovesPart(routes.imageMoves)}, ${routes.replaced.length} replaced, ${routes.added.length} added, ${routes.removed.length} removed`;
}

export const AUTHORITY_NOTE =
  "> Offline estimate from the program's options and the providers' sources (listed below). " +
  "The real `pulumi preview` in the PR workflow is the authority: where they differ, trust the preview.";

const code = (names: readonly string[], max = Number.POSITIVE_INFINITY) => {
  const shown = names.slice(0, max).map((n) => `\`${n}\``);
  return names.length > max ? `${shown.join(", ")} and ${names.length - max} more` : shown.join(", ");
};

/** `wave 3`, `waves 1-7`, `waves 1, 3`. */
function wavesText(waves: readonly number[]): string {
  const sorted = [...new Set(waves)].sort((a, b) => a - b);
  if (sorted.length === 1) return `wave ${sorted[0]}`;
  const contiguous = sorted.every((w, i) => i === 0 || w === (sorted[i - 1] ?? w) + 1);
  return `waves ${contiguous ? `${sorted[0]}-${sorted.at(-1)}` : sorted.join(", ")}`;
}

/** Up to this many routes are named one by one (a line's worth). */
const FEW = 8;

/**
 * Routes in words, exact or not at all: every route of some waves, every
 * route of the release waves, or every route of the waves whose name starts
 * with a prefix (`linode-*`); else each name. The waves list every route.
 * `byWave`: the words name the waves (no need to add them).
 */
function routeSet(names: readonly string[], waves: readonly Wave[]): { text: string; byWave?: true } {
  const inWaves = waves.flatMap((w) => w.routes);
  const set = new Set(names);
  if (set.size <= FEW || !names.every((n) => inWaves.includes(n))) return { text: code(names) };
  const touched = waves.filter((w) => w.routes.some((r) => set.has(r)));
  if (touched.length < waves.length && touched.every((w) => w.routes.every((r) => set.has(r)))) {
    return { text: `the ${set.size} routes of ${wavesText(touched.map((w) => w.wave))}`, byWave: true };
  }
  if (set.size === inWaves.length) return { text: `the ${set.size} routes of the release waves` };
  const common = names.reduce((p, n) => {
    let i = 0;
    while (i < p.length && p[i] === n[i]) i += 1;
    return p.slice(0, i);
  });
  const prefix = common.slice(0, common.lastIndexOf("-") + 1);
  if (prefix && inWaves.filter((r) => r.startsWith(prefix)).length === set.size) return { text: `the ${set.size} \`${prefix}*\` routes of the release waves` };
  return { text: code(names) };
}

/** `who (track, waves)`: who by routeSet when several, the waves unless it names them. */
function routesWith(group: readonly { route: string; wave?: number }[], waves: readonly Wave[], track?: string): string {
  const { text, byWave } = group.length > 1 ? routeSet(group.map((x) => x.route), waves) : { text: `\`${group[0]?.route}\`` };
  const at = [track, byWave ? undefined : wavePart(group.map((x) => x.wave))].filter(Boolean);
  return at.length ? `${text} (${at.join(", ")})` : text;
}

/** Items in groups by `key`, in the order each group first appears (Map.groupBy keeps insertion order). */
const groupBy = <T>(items: readonly T[], key: (item: T) => string): T[][] => [...Map.groupBy(items, key).values()];

const asRoute = (text: string, route: string | undefined) => (route === undefined ? text : withRoutePlaceholder(text, route));
const ROUTE_NOTE = `Where one line names several routes, \`${ROUTE_PLACEHOLDER}\` stands for each one's name.`;

/**
 * What a wave waits for: "every wave N route's `<route>-x`" when that is
 * exactly what it is, else the names (the first 4).
 */
function afterText(after: readonly string[], earlier: readonly Wave[]): string {
  if (after.length < 3) return code(after);
  for (const w of earlier) {
    const suffix = w.routes[0] === undefined ? undefined : after.find((a) => a.startsWith(`${w.routes[0]}-`))?.slice(w.routes[0].length);
    if (suffix === undefined || after.length !== w.routes.length) continue;
    const expected = new Set(w.routes.map((r) => `${r}${suffix}`));
    if (after.every((a) => expected.has(a))) return `every wave ${w.wave} route's \`${ROUTE_PLACEHOLDER}${suffix}\``;
  }
  return code(after, 4);
}

function waveLines(waves: readonly Wave[]): string[] {
  const lines = ["", "#### Release waves", "Each wave starts only after every route of the previous wave has verified."];
  waves.forEach((w, i) => {
    const after = w.after === undefined || i === 0 ? "" : w.after.length ? `; after ${afterText(w.after, waves.slice(0, i).reverse())}` : "; waits for nothing";
    lines.push(`- wave ${w.wave}: ${plural(w.routes.length, "route")} (${w.tracks.join("/")}): ${code(w.routes)}${after}`);
  });
  if (waves.length > 1 && waves.every((w) => w.after === undefined)) {
    lines.push("", "Order from the stack output `routes[].wave`; this plan does not record the commands' `dependsOn`.");
  }
  return lines;
}

/** The waves of these (`wave 1`, `waves 1-7`), or "" when the plan has none. */
function wavePart(waves: readonly (number | undefined)[]): string {
  const known = waves.filter((w): w is number => w !== undefined);
  return known.length ? wavesText(known) : "";
}

/** Tag moves, one line per route, or per group of routes moving the same way (`<route>` for each one's name). */
function moveLines(moves: readonly TagMove[], waves: readonly Wave[]): string[] {
  const generic = (m: TagMove) => m.commands.map((c) => asRoute(c, m.route));
  return groupBy(moves, (m) => [m.how, m.from, m.to, m.track, ...generic(m)].join("\0")).map((group) => {
    const [m] = group as [TagMove, ...TagMove[]];
    const commands = group.length > 1 ? generic(m) : m.commands;
    const runs = commands.length ? `${code(commands)} re-runs` : "no release command runs";
    const how = { replaced: `replaced: new instance, ${runs}`, "hot-swapped": `hot-swapped: ${runs}`, "NOT applied": `NOT applied: ${runs}` }[m.how];
    return `- ${routesWith(group, waves, m.track)}: ${m.from} -> ${m.to}, ${how}`;
  });
}

const RELEASED_FROM = "the image it runs (released from hold: in the stack's state)";

/** What the moves below do, right for both kinds: sure, and only if the image the route runs differs (ImageMove.ifDiffers). */
function imageMovesIntro(moves: readonly ImageMove[]): string {
  const replaced = "Each route below is replaced onto its new image (a new instance, verified before the old one goes)";
  if (!moves.some((m) => m.ifDiffers)) return `${replaced}.`;
  return `${replaced}; one marked "if they differ" only if the image it runs differs: that image is in the stack's state, which the real preview reads and this offline plan cannot.`;
}

function imageMoveLines(moves: readonly ImageMove[], waves: readonly Wave[]): string[] {
  return groupBy(moves, (m) => [m.track, m.from ?? "", m.to, m.ifDiffers].join("\0")).map((group) => {
    const [m] = group as [ImageMove, ...ImageMove[]];
    return `- ${routesWith(group, waves, m.track)}: ${m.from ?? RELEASED_FROM} -> ${m.to}${m.ifDiffers ? ", if they differ" : ""}`;
  });
}

/** Routes newly on `hold` away from their pin: nothing moves now, a later replacement would (NewlyHeld). */
function newlyHeldLines(held: readonly NewlyHeld[], waves: readonly Wave[]): string[] {
  const lines = groupBy(held, (h) => [h.track, h.runs, h.holds].join("\0")).map((group) => {
    const [h] = group as [NewlyHeld, ...NewlyHeld[]];
    return `- ${routesWith(group, waves, h.track)}: runs ${h.runs}; held from now on at ${h.holds}`;
  });
  return [
    "Not moved now: each route below keeps the build it runs until something replaces it (a release on a `replace` route, a new zone), and the replacement then boots the held build, the newest. To keep the pin, keep the track pinned.",
    ...lines,
  ];
}

function configPushLines(pushes: readonly ConfigPush[], waves: readonly Wave[]): string[] {
  return groupBy(pushes, (p) => `${asRoute(p.command, p.route)}\0${p.ifReplaced ?? ""}`).map((group) => {
    const [p] = group as [ConfigPush, ...ConfigPush[]];
    const condition = p.ifReplaced ? " if it is replaced (only if a recorded value differs: see the preview)" : "";
    const command = group.length > 1 ? asRoute(p.command, p.route) : p.command;
    return `- ${routesWith(group, waves)}: config pushed by \`${command}\`${condition} (stdin is a secret, not shown)`;
  });
}

function routeLines(d: PlanDiff): string[] {
  const out: string[] = [];
  const { waves } = d.routes;
  if (waves.length) out.push(...waveLines(waves));
  const byWave = <T extends { wave?: number }>(list: readonly T[]) => [...list].sort((a, b) => (a.wave ?? 0) - (b.wave ?? 0));
  if (d.routes.moves.length) out.push("", "#### Route tags", ...moveLines(byWave(d.routes.moves), waves));
  if (d.routes.imageMoves.length) {
    out.push("", "#### Route images", imageMovesIntro(d.routes.imageMoves), ...imageMoveLines(byWave(d.routes.imageMoves), waves));
  }
  if (d.routes.newlyHeld.length) out.push("", "#### Routes newly held", ...newlyHeldLines(byWave(d.routes.newlyHeld), waves));
  if (d.routes.configPushes.length) out.push("", "#### Config pushes", ...configPushLines(byWave(d.routes.configPushes), waves));
  return out;
}

/**
 * A resource's lines: its verdict, then its notes and changed inputs. With
 * `generic`, its route's name is written `<route>` (the same change on many
 * routes' resources reads the same: the grouping key).
 */
function resourceLines(c: ResourceChange, generic = false): string[] {
  const route = generic ? c.route : undefined;
  const how = [
    CONDITIONAL.has(c.action) ? "only if a recorded value differs: see the preview" : undefined,
    c.replaceMode,
    c.action === "ignored" ? "ignored (no update)" : undefined,
    c.action === "update" && c.providerDecides ? "provider decides" : undefined,
  ].filter(Boolean);
  const lines = [`- **${c.action}** \`${asRoute(c.name, route)}\` \`${c.type}\`${how.length ? ` (${how.join(", ")})` : ""}`];
  for (const n of c.notes) lines.push(`  - ${asRoute(n, route)}`);
  for (const x of c.changes) {
    const { old, new: neu }: Pick<InputChange, "old" | "new"> = route === undefined ? x : (x.generic ?? x);
    // Masked on both sides: the values say nothing, only that it changed.
    const values = isMasked(old) && isMasked(neu) ? `${old} (changed)` : `${old} -> ${neu}`;
    lines.push(`  - \`${x.path}\` ${values}: ${asRoute(x.note, route)}`);
  }
  return lines;
}

/** Resources with the same change but for their route's name (their lines with `<route>` the same) go as one entry naming the routes. */
function resourceGroupLines(resources: readonly ResourceChange[], waves: readonly Wave[]): string[] {
  return groupBy(resources, (c) => (c.route === undefined ? `\0${c.urn}` : resourceLines(c, true).join("\n"))).flatMap((group) => {
    const [c] = group as [ResourceChange, ...ResourceChange[]];
    if (group.length === 1) return resourceLines(c);
    const [head, ...rest] = resourceLines(c, true);
    return [`${head}, for each of ${routeSet(group.map((x) => x.route ?? x.name), waves).text}`, ...rest];
  });
}

/** The provider sources behind this report's verdicts, each with the inputs it decided. */
function sourceLines(resources: readonly ResourceChange[]): string[] {
  const bySource = new Map<string, Set<string>>();
  for (const c of resources) {
    for (const x of c.changes) {
      if (!x.source) continue;
      const key = `${x.source}\0${c.type}`;
      bySource.set(key, (bySource.get(key) ?? new Set()).add(x.path.split(/[.[]/)[0] ?? x.path));
    }
  }
  if (bySource.size === 0) return [];
  const lines = ["", "#### Provider sources"];
  for (const [key, inputs] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
    const [source, type] = key.split("\0");
    lines.push(`- ${code([...inputs].sort())} of \`${type}\`: ${source}`);
  }
  return lines;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function userDataLines(u: UserDataDiff, waves: readonly Wave[]): string[] {
  const some = u.variants?.length ? ", some with other words, listed below the diff" : "";
  const more = u.names.length > 1 ? ` (the same change on ${u.names.length} instances${some}; \`<name>\`, \`<provider>\`, \`<region>\`, \`<track>\` stand for each one's own)` : "";
  const lines = ["", `${capitalized(routeSet(u.names, waves).text)}${more}:`, "```diff", u.hunks, "```"];
  for (const v of u.variants ?? []) {
    const words = v.words.map(([shown, theirs]) => `\`${theirs}\` in place of \`${shown}\``).join(", ");
    lines.push(`- ${routeSet(v.names, waves).text}: ${words}`);
  }
  return lines;
}

export function renderReport(d: PlanDiff): string {
  const count = (a: Action) => d.resources.filter((c) => c.action === a).length;
  const out = [summaryLine(d), "", AUTHORITY_NOTE, ""];
  if (d.oldStack !== d.stack) out.push(`> Note: the old plan is of stack \`${d.oldStack}\`, not \`${d.stack}\`.`, "");
  // Conditional verdicts only when there are some, so the usual line stays as it was.
  const maybe = (a: Action, what: string) => (count(a) ? `${count(a)} to ${what} if a recorded value differs, ` : "");
  out.push(
    `Resources: ${count("add")} to add, ${count("replace")} to replace, ${maybe("replace?", "replace")}${count("update")} to update in place, ` +
      `${maybe("update?", "update in place")}${count("ignored")} with ignored changes only, ${count("remove")} to remove, ${d.unchanged} unchanged.`,
  );
  const routes = routeLines(d);
  // Last: the longest part; the same change on many routes' resources is one entry.
  const resources = d.resources.length ? ["", "#### Resources", ...resourceGroupLines(d.resources, d.routes.waves)] : [];
  if ([...routes, ...resources].some((line) => line.includes(ROUTE_PLACEHOLDER))) out.push(ROUTE_NOTE);
  out.push(...routes);
  // Before the resources, so a report cut at the size limit still names them.
  out.push(...sourceLines(d.resources));
  if (d.userData.length || d.newUserData) {
    out.push("", "#### User-data");
    if (d.newUserData) out.push(`${plural(d.newUserData, "new instance")}: full user-data in the \`--json\` plan.`);
    for (const u of d.userData) out.push(...userDataLines(u, d.routes.waves));
  }
  out.push(...resources);
  return `${out.join("\n")}\n`;
}
