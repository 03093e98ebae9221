// LTC as ONNX nodes (src/runtime/ref/ltc.ts): the fused semi-implicit Euler solver, its K =
// odeUnfolds sub-steps unrolled in the graph. The model is frozen, so pos() (softplus with implicit
// constraints, identity without) and the masks are applied once, here, in float64, and the graph
// holds the results. Synapse tensors are (source, target); v (N, units) is unsqueezed to
// (N, units, 1) so that one broadcast computes every synapse of every sample, and a ReduceSum
// over the source axis gives the per-target sums.

import type { LtcStage } from '../types.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { mixedMemory, type CellIn, type CellOut } from './export-cells.ts';

/** torch Softplus(beta = 1, threshold = 20), as src/runtime/activations.ts defines it. */
function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

/** Σ_source pos(w)·mask·σ(sigma·(v_source − mu)) · erev, and the same sum without erev. */
function synapseSums(
  g: GraphBuilder, v: string, sigma: string, mu: string, wm: string, we: string, hint: string,
): { num: string; den: string } {
  const v3 = g.unsqueeze(v, [2], `${hint}_v3`);
  const act = g.unary('Sigmoid', g.mul(g.sub(v3, mu, `${hint}_dv`), sigma, `${hint}_pre`), `${hint}_sig`);
  return {
    num: g.reduceSum(g.mul(act, we, `${hint}_a_erev`), [1], `${hint}_num`),
    den: g.reduceSum(g.mul(act, wm, `${hint}_a`), [1], `${hint}_den`),
  };
}

export function ltc(g: GraphBuilder, s: LtcStage, io: CellIn, hint: string): CellOut {
  const N = s.units;
  const S = s.inSize;
  const K = s.odeUnfolds;
  const pos = s.implicitConstraints ? softplus : (x: number): number => x;
  let v = io.h;
  let c = io.c;
  if (s.mixedMemory !== null) {
    ({ h: v, c } = mixedMemory(g, s.mixedMemory, io.x, v, c as string, `${hint}_mm`));
  }

  // Input mapping: affine x·w + b, linear x·w, none x.
  let xm = io.x;
  if (s.inputW !== null) xm = g.mul(xm, g.weight(`${hint}_input_w`, s.inputW, [S]), `${hint}_xw`);
  if (s.inputB !== null) xm = g.add(xm, g.weight(`${hint}_input_b`, s.inputB, [S]), `${hint}_xm`);

  // Sensory synapses, once per step (the input is held over the sub-steps).
  const sWm = Float64Array.from(s.sensoryW, (w, k) => pos(w) * (s.sensoryMask[k] as number));
  const sWe = Float64Array.from(sWm, (w, k) => w * (s.sensoryErev[k] as number));
  const sensory = synapseSums(
    g, xm, g.weight(`${hint}_sensory_sigma`, s.sensorySigma, [S, N]), g.weight(`${hint}_sensory_mu`, s.sensoryMu, [S, N]),
    g.weight(`${hint}_sensory_wm`, sWm, [S, N]), g.weight(`${hint}_sensory_we`, sWe, [S, N]), `${hint}_sensory`,
  );

  // Terms that do not change over the sub-steps: gleak·vleak joins the numerator; gleak and ε the
  // denominator; cm_t = pos(cm) / (Δt/K) per sample.
  const gl = Float64Array.from(s.gleak, pos);
  const numConst = g.add(sensory.num, g.weight(`${hint}_gleak_vleak`, Float64Array.from(gl, (x, j) => x * (s.vleak[j] as number)), [N]), `${hint}_num_const`);
  const denConst = g.add(sensory.den, g.weight(`${hint}_gleak_eps`, Float64Array.from(gl, (x) => x + s.epsilon), [N]), `${hint}_den_const`);
  const cmT = g.div(g.weight(`${hint}_cm_k`, Float64Array.from(s.cm, (x) => pos(x) * K), [N]), io.dt, `${hint}_cm_t`);
  const denBase = g.add(cmT, denConst, `${hint}_den_base`);

  const wm = Float64Array.from(s.w, (w, k) => pos(w) * (s.mask[k] as number));
  const we = Float64Array.from(wm, (w, k) => w * (s.erev[k] as number));
  const sigma = g.weight(`${hint}_sigma`, s.sigma, [N, N]);
  const mu = g.weight(`${hint}_mu`, s.mu, [N, N]);
  const wmName = g.weight(`${hint}_wm`, wm, [N, N]);
  const weName = g.weight(`${hint}_we`, we, [N, N]);

  // v ← (cm_t·v + gleak·vleak + Σ w·σ·erev + sensory) / (cm_t + gleak + Σ w·σ + sensory + ε),
  // every neuron reading the previous sub-step (Jacobi).
  for (let t = 0; t < K; t++) {
    const u = `${hint}_u${t}`;
    const syn = synapseSums(g, v, sigma, mu, wmName, weName, u);
    const numer = g.add(g.add(g.mul(cmT, v, `${u}_cm_v`), numConst, `${u}_num_part`), syn.num, `${u}_numer`);
    const denom = g.add(denBase, syn.den, `${u}_denom`);
    v = g.div(numer, denom, `${u}_v`);
  }

  // Output: the first M (motor) neurons, then the output mapping.
  let y = s.motorSize === N ? v : g.slice(v, 0, s.motorSize, 1, `${hint}_motor`);
  if (s.outputW !== null) y = g.mul(y, g.weight(`${hint}_output_w`, s.outputW, [s.motorSize]), `${hint}_yw`);
  if (s.outputB !== null) y = g.add(y, g.weight(`${hint}_output_b`, s.outputB, [s.motorSize]), `${hint}_y`);
  return { y, h: v, c };
}
