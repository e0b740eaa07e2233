/** Release skew: per track, where routes should be and where they were verified. */

export interface RouteRelease {
  readonly track: string;
  readonly target: string;
  /** The tag the route was verified at ("unverified" when the check gave none). */
  readonly verified: string;
}

export interface TrackSkew {
  readonly routes: number;
  readonly target: string;
  readonly verified: number;
  /** Routes whose verified tag is not the target, by the tag they report. */
  readonly behind: Readonly<Record<string, number>>;
}

export function releaseSkew(releases: readonly RouteRelease[]): Record<string, TrackSkew> {
  const byTrack = Map.groupBy(releases, (r) => r.track);
  return Object.fromEntries(
    [...byTrack].map(([track, routes]) => {
      const targets = [...new Set(routes.map((r) => r.target))];
      const behind: Record<string, number> = {};
      for (const r of routes.filter((r) => r.verified !== r.target)) behind[r.verified] = (behind[r.verified] ?? 0) + 1;
      return [track, { routes: routes.length, target: targets.join(","), verified: routes.length - Object.values(behind).reduce((a, b) => a + b, 0), behind }];
    }),
  );
}
