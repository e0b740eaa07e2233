/** The Markdown report of a PlanDiff: a one-line blast-radius summary first, then waves, routes, resources, user-data. */
import type { ImageCounts, PlanDiff } from "./plan-diff";
import { type Action, CONDITIONAL, type ResourceChange } from "./resources";
import type { ImageMove, TagMove, TagMoveHow, Wave } from "./routes";
import { isMasked, plural } from "./values";

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

const code = (names: readonly string[], max = 8) => {
  const shown = names.slice(0, max).map((n) => `\`${n}\``);
  return names.length > max ? `${shown.join(", ")} and ${names.length - max} more` : shown.join(", ");
};

function waveLines(waves: readonly Wave[]): string[] {
  const lines = ["", "#### Release waves", "Each wave starts only after every route of the previous wave has verified."];
  for (const w of waves) {
    const after = w.after === undefined || w.wave === waves[0]?.wave ? "" : w.after.length ? `; after ${code(w.after, 4)}` : "; waits for nothing";
    lines.push(`- wave ${w.wave}: ${plural(w.routes.length, "route")} (${w.tracks.join("/")}): ${code(w.routes)}${after}`);
  }
  if (waves.length > 1 && waves.every((w) => w.after === undefined)) {
    lines.push("", "Order from the stack output `routes[].wave`; this plan does not record the commands' `dependsOn`.");
  }
  return lines;
}

const wavePart = (wave: number | undefined) => (wave === undefined ? "" : `, wave ${wave}`);

function moveLine(m: TagMove): string {
  const runs = m.commands.length ? `${code(m.commands)} re-runs` : "no release command runs";
  const how = { replaced: `replaced: new instance, ${runs}`, "hot-swapped": `hot-swapped: ${runs}`, "NOT applied": `NOT applied: ${runs}` }[m.how];
  return `- \`${m.route}\` (${m.track}${wavePart(m.wave)}): ${m.from} -> ${m.to}, ${how}`;
}

const RELEASED_FROM = "the image it runs (released from hold: in the stack's state)";

/** What the moves below do, right for both kinds: sure, and only if the image the route runs differs (ImageMove.ifDiffers). */
function imageMovesIntro(moves: readonly ImageMove[]): string {
  const replaced = "Each route below is replaced onto its new image (a new instance, verified before the old one goes)";
  if (!moves.some((m) => m.ifDiffers)) return `${replaced}.`;
  return `${replaced}; one marked "if they differ" only if the image it runs differs: that image is in the stack's state, which the real preview reads and this offline plan cannot.`;
}

function routeLines(d: PlanDiff): string[] {
  const out: string[] = [];
  if (d.routes.waves.length) out.push(...waveLines(d.routes.waves));
  const byWave = (a: { wave?: number }, b: { wave?: number }) => (a.wave ?? 0) - (b.wave ?? 0);
  if (d.routes.moves.length) {
    out.push("", "#### Route tags");
    for (const m of [...d.routes.moves].sort(byWave)) out.push(moveLine(m));
  }
  if (d.routes.imageMoves.length) {
    out.push("", "#### Route images", imageMovesIntro(d.routes.imageMoves));
    for (const m of [...d.routes.imageMoves].sort(byWave)) {
      const from = m.from ?? RELEASED_FROM;
      out.push(`- \`${m.route}\` (${m.track}${wavePart(m.wave)}): ${from} -> ${m.to}${m.ifDiffers ? ", if they differ" : ""}`);
    }
  }
  if (d.routes.configPushes.length) {
    out.push("", "#### Config pushes");
    for (const p of [...d.routes.configPushes].sort(byWave)) {
      const condition = p.ifReplaced ? " if it is replaced (only if a recorded value differs: see the preview)" : "";
      out.push(`- \`${p.route}\`${p.wave === undefined ? "" : ` (wave ${p.wave})`}: config pushed by \`${p.command}\`${condition} (stdin is a secret, not shown)`);
    }
  }
  return out;
}

function resourceLines(c: ResourceChange): string[] {
  const how = [
    CONDITIONAL.has(c.action) ? "only if a recorded value differs: see the preview" : undefined,
    c.replaceMode,
    c.action === "ignored" ? "ignored (no update)" : undefined,
    c.action === "update" && c.providerDecides ? "provider decides" : undefined,
  ].filter(Boolean);
  const lines = [`- **${c.action}** \`${c.name}\` \`${c.type}\`${how.length ? ` (${how.join(", ")})` : ""}`];
  for (const n of c.notes) lines.push(`  - ${n}`);
  for (const x of c.changes) {
    // Masked on both sides: the values say nothing, only that it changed.
    const values = isMasked(x.old) && isMasked(x.new) ? `${x.old} (changed)` : `${x.old} -> ${x.new}`;
    lines.push(`  - \`${x.path}\` ${values}: ${x.note}`);
  }
  return lines;
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
  out.push(...routeLines(d));
  // Before the resources, so a report cut at the size limit still names them.
  out.push(...sourceLines(d.resources));
  if (d.resources.length) {
    out.push("", "#### Resources");
    for (const c of d.resources) out.push(...resourceLines(c));
  }
  if (d.userData.length || d.newUserData) {
    out.push("", "#### User-data");
    if (d.newUserData) out.push(`${plural(d.newUserData, "new instance")}: full user-data in the \`--json\` plan.`);
    for (const u of d.userData) {
      const more = u.names.length > 1 ? ` (the same change on ${u.names.length} instances; \`<name>\`, \`<provider>\`, \`<region>\`, \`<track>\` stand for each one's own)` : "";
      out.push("", `${u.names.map((n) => `\`${n}\``).join(", ")}${more}:`, "```diff", u.hunks, "```");
    }
  }
  return `${out.join("\n")}\n`;
}
