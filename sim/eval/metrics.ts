// Lane metrics over many episodes (sim-anchors §7.1, DESIGN.md §8.2), from the raw sums each
// episode reports, so one aggregation gives the same numbers whatever thread ran the episodes.
//   mean_abs_cte_m, rms_cte_m      over every physics tick of every episode
//   departures_per_km              lane departures per km driven
//   autonomy_pct                   (1 − departures · 6 s / sim time) · 100, floored at 0
//                                  (Bojarski et al. 2016: 6 s per intervention)
//   rms_steer_rate_rad_s           steering smoothness, over control periods

import type { EpisodeResult } from '../tasks/registry.ts';

/** seconds charged per intervention by the autonomy metric (Bojarski et al. 2016) */
export const INTERVENTION_S = 6;

function total(results: readonly EpisodeResult[], key: string): number {
  let s = 0;
  for (const r of results) s += r.sums[key] ?? 0;
  return s;
}

export function aggregateLane(results: readonly EpisodeResult[]): Record<string, number> {
  const samples = total(results, 'samples');
  const simS = results.reduce((a, r) => a + r.simS, 0);
  const distanceM = total(results, 'distanceM');
  const departures = total(results, 'departures');
  const steerSamples = total(results, 'steerSamples');
  return {
    mean_abs_cte_m: samples > 0 ? total(results, 'sumAbsCteM') / samples : 0,
    rms_cte_m: samples > 0 ? Math.sqrt(total(results, 'sumSqCteM2') / samples) : 0,
    departures_per_km: distanceM > 0 ? departures / (distanceM / 1000) : 0,
    autonomy_pct: simS > 0 ? Math.max(0, 1 - (departures * INTERVENTION_S) / simS) * 100 : 0,
    rms_steer_rate_rad_s: steerSamples > 0 ? Math.sqrt(total(results, 'sumSqSteerRate') / steerSamples) : 0,
    departures,
    distance_km: distanceM / 1000,
  };
}
