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

// Drone metrics (sim-anchors §7.2, DESIGN.md §8.2), from the sums sim/tasks/drone-task.ts reports:
//   collisions              episodes that ended on an obstacle or the ground (the episode stops there)
//   mean_time_to_target_s   over successful episodes only (NaN, printed as null, when none succeeded)
//   spl                     (1/N) Σ S_i·ℓ_i / max(p_i, ℓ_i) (Anderson et al. 2018), p = flown path,
//                           ℓ = straight-line start → success-sphere distance (|target − start| − radius):
//                           a lower bound of the shortest collision-free path, so this SPL is conservative
//   collision_rate, timeouts, mean_path_length_m, mean_final_distance_m   extras
export function aggregateDrone(results: readonly EpisodeResult[]): Record<string, number> {
  const n = results.length;
  const successes = results.filter((r) => r.success).length;
  const collisions = total(results, 'collisions');
  return {
    collisions,
    mean_time_to_target_s: successes > 0 ? total(results, 'timeToTargetS') / successes : NaN,
    spl: n > 0 ? total(results, 'spl') / n : 0,
    collision_rate: n > 0 ? collisions / n : 0,
    timeouts: results.filter((r) => r.endReason === 'timeout').length,
    mean_path_length_m: n > 0 ? total(results, 'pathM') / n : 0,
    mean_final_distance_m: n > 0 ? total(results, 'finalDistM') / n : 0,
  };
}
