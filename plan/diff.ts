/**
 * The plan diff for reviews: what changes from a saved `--json` plan (e.g.
 * the base branch's) to the working tree's plan, as Markdown with a one-line
 * blast-radius summary on top. Split by concern under plan/diff/:
 *
 * - parse.ts: reading a saved plan;
 * - values.ts: comparing and showing values;
 * - provider-facts.ts: what a changed input does per resource type, with the provider source that says so;
 * - resources.ts: per-resource verdicts (the program's options first, then the provider facts);
 * - routes.ts: tag moves, config pushes and release waves of routes;
 * - user-data.ts: decoded user-data diffs;
 * - plan-diff.ts: diffPlans, putting them together;
 * - report.ts, limit.ts: Markdown rendering and truncation.
 */
export { limitReport, REPORT_LIMIT, reportLimitOf } from "./diff/limit";
export { parsePlan } from "./diff/parse";
export { diffPlans, type ImageCounts, type PlanDiff } from "./diff/plan-diff";
export type { InputFact, ProviderEffect } from "./diff/provider-facts";
export { renderReport, summaryLine } from "./diff/report";
export type { Action, Effect, InputChange, ResourceChange } from "./diff/resources";
export type { ConfigPush, TagMove, TagMoveHow, Wave } from "./diff/routes";
export type { UserDataDiff } from "./diff/user-data";
