/** Truncation of the report for a PR comment (GitHub's comment limit is 65,536 characters). */

export const REPORT_LIMIT = 60_000;

/** Cuts a report over REPORT_LIMIT at a line boundary, closing an open ```diff fence, and says where the rest is. */
export function limitReport(report: string, fullPath: string | undefined): string {
  if (report.length <= REPORT_LIMIT) return report;
  const marker = fullPath
    ? `> Report truncated at 60,000 characters: the full report is in ${fullPath}`
    : "> Report truncated at 60,000 characters (run the command locally for the full report)";
  const budget = REPORT_LIMIT - marker.length - "\n```\n\n\n".length;
  const cut = report.lastIndexOf("\n", budget);
  let kept = report.slice(0, cut > 0 ? cut : budget);
  if ((kept.match(/^```/gm) ?? []).length % 2 === 1) kept += "\n```";
  return `${kept}\n\n${marker}\n`;
}
