// The `wind` plugin: the air velocity every vehicle gets in env.windMps — a steady wind blowing
// toward `direction_deg` (ENU, from +x counter-clockwise; default 90°, a crosswind to a flight
// along +x) plus Dryden gusts (sim/physics/wind.ts). Speeds come from the `wind_mps` and
// `gust_mps` perturbations, or from the plugin's own params when those are 0. The engine adds it
// to every world that does not declare one; with no wind it does nothing per step.

import { asNumber, has, onlyKeys, Where } from '../../src/models/json-read.ts';
import { DEG } from '../core/math.ts';
import { streamSeed } from '../core/rng.ts';
import { makeWindState, prepareWind, resetWindState, stepWind, type WindModel, type WindState } from '../physics/wind.ts';
import type { Simulation } from './engine.ts';
import { PRIORITY, registerPlugin, type SimPlugin } from './plugin.ts';

export class WindPlugin implements SimPlugin {
  readonly name: string;
  private model: WindModel | null = null;
  private state: WindState | null = null;
  private meanMps = -1;
  private gustMps = -1;
  private readonly out = new Float64Array(3);

  constructor(name: string, private readonly directionRad: number, private readonly altitudeM: number, private readonly baseMeanMps: number, private readonly baseGustMps: number) {
    this.name = name;
  }

  preStep(sim: Simulation): void {
    const mean = sim.perturb.wind_mps > 0 ? sim.perturb.wind_mps : this.baseMeanMps;
    const gust = sim.perturb.gust_mps > 0 ? sim.perturb.gust_mps : this.baseGustMps;
    if (mean !== this.meanMps || gust !== this.gustMps) this.prepare(sim, mean, gust);
    if (this.model === null || this.state === null) return;
    stepWind(this.model, this.state, sim.dtS, this.out);
    sim.windMps.x = this.out[0];
    sim.windMps.y = this.out[1];
    sim.windMps.z = this.out[2];
  }

  /** (Re)builds the wind model when a perturbation switches on; seeded from the run seed. */
  private prepare(sim: Simulation, mean: number, gust: number): void {
    this.meanMps = mean;
    this.gustMps = gust;
    if (mean === 0 && gust === 0) {
      this.model = null;
      this.state = null;
      sim.windMps.x = 0; sim.windMps.y = 0; sim.windMps.z = 0;
      return;
    }
    const c = Math.cos(this.directionRad), s = Math.sin(this.directionRad);
    this.model = prepareWind({ meanMps: [mean * c, mean * s, 0], gustMps: gust, altitudeM: this.altitudeM, seed: streamSeed(sim.seed, 'wind') });
    this.state = makeWindState(this.model);
    resetWindState(this.model, this.state);
  }

  reset(): void {
    this.model = null;
    this.state = null;
    this.meanMps = -1;
    this.gustMps = -1;
  }
}

registerPlugin('wind', (spec, sim) => {
  const w = new Where(sim.world.source, `plugins.${spec.name}.params`);
  const p = spec.params;
  onlyKeys(p, ['direction_deg', 'altitude_m', 'mean_mps', 'gust_mps'], w);
  const num = (k: string, d: number, min: number, max: number): number => (has(p, k) ? asNumber(p[k], w.key(k), { min, max }) : d);
  return new WindPlugin(spec.name, num('direction_deg', 90, -360, 360) * DEG, num('altitude_m', 10, 0, 10000), num('mean_mps', 0, 0, 100), num('gust_mps', 0, 0, 100));
}, PRIORITY.perturb + 1);
