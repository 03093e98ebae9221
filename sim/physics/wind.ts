// Wind = constant mean + Dryden turbulence (MIL-F-8785C / MIL-HDBK-1797 low-altitude form),
// deterministic for a seed. Allocation-free stepping: prepareWind → makeWindState → stepWind.
//
// Low altitude (10 ft ≤ h ≤ 1000 ft, h in ft):
//   L_w = h,   L_u = L_v = h / (0.177 + 0.000823·h)^1.2
//   σ_w = 0.1·W20,   σ_u = σ_v = σ_w / (0.177 + 0.000823·h)^0.4
// Shaping filters (Taylor's frozen turbulence: T = L/V, V the speed at which the air moves
// past the vehicle):
//   H_u(s) = σ_u·√(2L_u/πV) · 1/(1 + T_u s)
//   H_v(s) = σ_v·√(L_v/πV) · (1 + √3·T_v s)/(1 + T_v s)²        (same form for w)
// Here `gustMps` is σ_u = σ_v (horizontal RMS, the number a scenario wants to set); σ_w follows
// from the altitude ratio, W20 = σ_w/0.1. At altitudeM = 10 m (32.8 ft): L_u = L_v = 67.3 m,
// L_w = 10 m, σ_w = 0.53·gustMps; e.g. gustMps 1.5 ≈ W20 8 m/s ("light", 15 kt ≈ 7.7 m/s).
// u is along the mean wind's horizontal direction (East when there is none), v to its left,
// w up.
//
// Discretisation is exact for any dtS (no Euler error, stationary σ independent of dtS):
//   u: AR(1)  x ← a·x + √(1−a²)·η,  a = e^{−dt/T}
//   v, w: H_v = √3/(1+Ts) + (1−√3)/(1+Ts)², i.e. two cascaded first-order lags x1 → x2 driven
//     by white noise of intensity T (unit output variance), y = √3·x1 + (1−√3)·x2. Over h = dt/T
//     the transition is e^{−h}[[1,0],[h,1]] and the noise covariance [[I0,I1],[I1,I2]] with
//     I_k = ∫₀ʰ u^k e^{−2u} du, factored by Cholesky into two N(0,1) draws.
// States start in the stationary distribution, so σ holds from t = 0.

import { fillGauss, makeGaussRng, nextGauss, resetGaussRng, type GaussRng } from './rng-gauss.ts';

export interface WindConfig {
  /** (3) mean wind, world ENU, m/s */
  readonly meanMps?: readonly [number, number, number];
  /** σ of the horizontal gust components u and v, m/s (0: steady wind) */
  readonly gustMps?: number;
  /** height above ground for the length scales, m (clamped to 10..1000 ft = 3.05..304.8 m) */
  readonly altitudeM?: number;
  /** V in T = L/V, m/s; default max(|mean|, 1 m/s) */
  readonly airspeedMps?: number;
  readonly seed?: number;
}

export interface WindModel {
  readonly meanMps: readonly [number, number, number];
  /** σ_u (= σ_v), σ_w, m/s */
  readonly sigmaUMps: number;
  readonly sigmaWMps: number;
  /** L_u (= L_v), L_w, m */
  readonly lengthUM: number;
  readonly lengthWM: number;
  readonly airspeedMps: number;
  /** unit vector of the u axis in the world x/y plane */
  readonly uDirX: number;
  readonly uDirY: number;
  readonly seed: number;
}

interface SecondOrderCoef {
  a: number;
  h: number;
  l11: number;
  l21: number;
  l22: number;
}

export interface WindState {
  readonly rng: GaussRng;
  /** u filter state (unit variance) */
  xu: number;
  /** (2) v and w filter states [x1, x2] */
  readonly xv: Float64Array;
  readonly xw: Float64Array;
  /** (3) current gust, world ENU, m/s */
  readonly gustMps: Float64Array;
  timeS: number;
  // coefficient cache for the last dtS
  lastDtS: number;
  au: number;
  bu: number;
  readonly cv: SecondOrderCoef;
  readonly cw: SecondOrderCoef;
  /** (5) white-noise draws of one step: u, v1, v2, w1, w2 */
  readonly noise: Float64Array;
}

const FT = 0.3048;

export function prepareWind(cfg: WindConfig = {}): WindModel {
  const mean = cfg.meanMps ?? [0, 0, 0];
  const gust = cfg.gustMps ?? 0;
  if (!mean.every(Number.isFinite) || !(gust >= 0)) throw new RangeError('wind: meanMps must be finite and gustMps ≥ 0');
  const hFt = Math.min(1000, Math.max(10, (cfg.altitudeM ?? 10) / FT));
  const k = 0.177 + 0.000823 * hFt;
  const speed = Math.hypot(mean[0], mean[1], mean[2]);
  const v = cfg.airspeedMps ?? Math.max(speed, 1);
  if (!(v > 0)) throw new RangeError('wind: airspeedMps must be > 0');
  const hxy = Math.hypot(mean[0], mean[1]);
  return Object.freeze({
    meanMps: [mean[0], mean[1], mean[2]] as const,
    sigmaUMps: gust,
    sigmaWMps: gust * Math.pow(k, 0.4),
    lengthUM: (hFt / Math.pow(k, 1.2)) * FT,
    lengthWM: hFt * FT,
    airspeedMps: v,
    uDirX: hxy > 1e-9 ? mean[0] / hxy : 1,
    uDirY: hxy > 1e-9 ? mean[1] / hxy : 0,
    seed: cfg.seed ?? 0,
  });
}

export function makeWindState(model: WindModel): WindState {
  const z = (): SecondOrderCoef => ({ a: 0, h: 0, l11: 0, l21: 0, l22: 0 });
  const st: WindState = {
    rng: makeGaussRng(model.seed),
    xu: 0,
    xv: new Float64Array(2),
    xw: new Float64Array(2),
    gustMps: new Float64Array(3),
    timeS: 0,
    lastDtS: -1,
    au: 0,
    bu: 0,
    cv: z(),
    cw: z(),
    noise: new Float64Array(5),
  };
  resetWindState(model, st);
  return st;
}

/** Back to t = 0 with the model's seed (or another one), states drawn from stationarity. */
export function resetWindState(model: WindModel, st: WindState, seed: number = model.seed): void {
  resetGaussRng(st.rng, seed);
  st.xu = nextGauss(st.rng);
  // Stationary covariance of (x1, x2): [[1/2, 1/4], [1/4, 1/4]].
  for (const x of [st.xv, st.xw]) {
    x[0] = Math.SQRT1_2 * nextGauss(st.rng);
    x[1] = 0.5 * x[0] + Math.sqrt(0.125) * nextGauss(st.rng);
  }
  st.timeS = 0;
  st.lastDtS = -1;
  writeGust(model, st);
}

/** I_k = ∫₀ʰ u^k e^{−2u} du for k = 0, 1, 2; series for small h (the closed forms cancel). */
function expIntegrals(h: number, out: Float64Array): void {
  if (h < 0.5) {
    for (let k = 0; k < 3; k++) {
      let term = 1; // (−2)^n / n!
      let sum = 0;
      for (let n = 0; n < 30; n++) {
        sum += (term * Math.pow(h, n + k + 1)) / (n + k + 1);
        term *= -2 / (n + 1);
      }
      out[k] = sum;
    }
    return;
  }
  const e = Math.exp(-2 * h);
  out[0] = (1 - e) / 2;
  out[1] = (1 - e * (1 + 2 * h)) / 4;
  out[2] = (1 - e * (1 + 2 * h + 2 * h * h)) / 4;
}

const scratchI = new Float64Array(3);

function secondOrderCoef(dtS: number, tS: number, c: SecondOrderCoef): void {
  const h = dtS / tS;
  expIntegrals(h, scratchI);
  c.a = Math.exp(-h);
  c.h = h;
  c.l11 = Math.sqrt(scratchI[0]);
  c.l21 = scratchI[1] / c.l11;
  c.l22 = Math.sqrt(Math.max(0, scratchI[2] - c.l21 * c.l21));
}

/** Recompute the discretisation for a new dtS (called only when dtS changes). */
function prepareCoefficients(model: WindModel, st: WindState, dtS: number): void {
  const tu = model.lengthUM / model.airspeedMps;
  st.au = Math.exp(-dtS / tu);
  st.bu = Math.sqrt(-Math.expm1((-2 * dtS) / tu));
  secondOrderCoef(dtS, tu, st.cv); // L_v = L_u
  secondOrderCoef(dtS, model.lengthWM / model.airspeedMps, st.cw);
  st.lastDtS = dtS;
}

function stepSecondOrder(x: Float64Array, c: SecondOrderCoef, noise: Float64Array, at: number): void {
  const n1 = noise[at];
  const n2 = noise[at + 1];
  const x1 = x[0];
  x[0] = c.a * x1 + c.l11 * n1;
  x[1] = c.a * (c.h * x1 + x[1]) + c.l21 * n1 + c.l22 * n2;
}

const SQRT3 = Math.sqrt(3);

function writeGust(model: WindModel, st: WindState): void {
  const u = model.sigmaUMps * st.xu;
  const v = model.sigmaUMps * (SQRT3 * st.xv[0] + (1 - SQRT3) * st.xv[1]);
  const w = model.sigmaWMps * (SQRT3 * st.xw[0] + (1 - SQRT3) * st.xw[1]);
  st.gustMps[0] = model.uDirX * u - model.uDirY * v;
  st.gustMps[1] = model.uDirY * u + model.uDirX * v;
  st.gustMps[2] = w;
}

/** Advance the gust filters by dtS and write mean + gust (world ENU, m/s) into windMps (3). */
export function stepWind(model: WindModel, st: WindState, dtS: number, windMps: Float64Array): void {
  if (dtS > 0 && Number.isFinite(dtS) && model.sigmaUMps > 0) {
    if (dtS !== st.lastDtS) prepareCoefficients(model, st, dtS);
    fillGauss(st.rng, st.noise);
    st.xu = st.au * st.xu + st.bu * st.noise[0];
    stepSecondOrder(st.xv, st.cv, st.noise, 1);
    stepSecondOrder(st.xw, st.cw, st.noise, 3);
    writeGust(model, st);
  }
  if (dtS > 0 && Number.isFinite(dtS)) st.timeS += dtS;
  windMps[0] = model.meanMps[0] + st.gustMps[0];
  windMps[1] = model.meanMps[1] + st.gustMps[1];
  windMps[2] = model.meanMps[2] + st.gustMps[2];
}
