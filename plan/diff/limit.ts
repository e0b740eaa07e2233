/**
 * Truncation of the report, the one place that cuts it: for a terminal, the
 * job summary and the PR comment alike (GitHub's comment limit is 65,536
 * characters; the PR workflow asks for its share with PLAN_REPORT_LIMIT).
 */

export const REPORT_LIMIT = 60_000;

/** How to get the whole report when no file has it: the plan CLI writes it uncut to PLAN_REPORT_FULL (plan/cli.ts). */
const FULL_REPORT_HINT = "set PLAN_REPORT_FULL=<file> to get the whole report in that file";

/**
 * Cuts a report over `limit` characters at a line boundary, closing an open
 * ```diff fence, and says where the full report is (`full`, e.g. a path),
 * or, when no file has it, how to get it.
 */
export function limitReport(report: string, full: string | undefined, limit = REPORT_LIMIT): string {
  if (report.length <= limit) return report;
  const at = `Report truncated at ${limit.toLocaleString("en-US")} characters`;
  const marker = full ? `> ${at}: the full report is in ${full}` : `> ${at} (${FULL_REPORT_HINT})`;
  const budget = limit - marker.length - "\n```\n\n\n".length;
  const cut = report.lastIndexOf("\n", budget);
  let kept = report.slice(0, cut > 0 ? cut : budget);
  if ((kept.match(/^```/gm) ?? []).length % 2 === 1) kept += "\n```";
  return `${kept}\n\n${marker}\n`;
}

/** PLAN_REPORT_LIMIT: a whole number of characters, 1,000 to REPORT_LIMIT; unset means REPORT_LIMIT. */
export function reportLimitOf(value: string | undefined): number {
  if (value === undefined || value === "") return REPORT_LIMIT;
  const n = /^\d{4,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1000 && n <= REPORT_LIMIT)) throw new Error(`PLAN_REPORT_LIMIT: expected a whole number of characters from 1000 to ${REPORT_LIMIT}, got "${value}"`);
  return n;
}
