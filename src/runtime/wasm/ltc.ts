// LTC (ref/ltc.ts), the fused semi-implicit solver with K = odeUnfolds sub-steps:
//   v_j ← (cm_t·v_j + gleak·vleak + Σ_i a_ij·erev_ij + num_j) / (cm_t + gleak + Σ_i a_ij + den_j + ε)
//   a_ij = pos(w_ij)·mask_ij·σ(sigma_ij·(v_i − mu_ij)),  cm_t = pos(cm)·K/ts,
// num/den the same sums over the sensory synapses of the mapped input, once per step.
// The model is frozen, so pos() (softplus with implicit constraints) is taken here once, in
// float64, instead of every step as torch does. Synapse sweeps visit targets as units and
// sources as columns, leaving out (unit, source) pairs without a synapse.

import type { LtcStage } from '../../models/types.ts';
import { softplus } from '../activations.ts';
import { Simd, V128 } from './emit/opcodes.ts';
import { hBuf, type CellState } from './cell-state.ts';
import { emitMixedMemory } from './gates.ts';
import { makeBuf, segmentOf, type Buf, type Gen } from './gen.ts';
import { copySlots, forSlots, packVector } from './slots.ts';
import { emitSweep } from './sweep.ts';
import { emitSigmoid } from './vmath.ts';

interface Synapses {
  readonly w: Float64Array;
  readonly sigma: Float64Array;
  readonly mu: Float64Array;
  readonly erev: Float64Array;
  readonly mask: Uint8Array;
}

export function emitLtc(g: Gen, s: LtcStage, x: Buf, y: Buf, st: CellState): void {
  const { a, lanes } = g;
  const N = s.units;
  const S = s.inSize;
  const pos = s.implicitConstraints ? softplus : (v: number): number => v;
  if (s.mixedMemory !== null) emitMixedMemory(g, s.mixedMemory, x, st);

  // Input mapping: affine x·w + b, linear x·w, none x.
  let xm = x;
  if (s.inputW !== null || s.inputB !== null) {
    xm = makeBuf(g, S);
    const npS = lanes.padded(S);
    const inW = s.inputW === null ? 0 : packVector(g, npS, (p) => (p < S ? ((s.inputW as Float64Array)[p] as number) : 0));
    const inB = s.inputB === null ? 0 : packVector(g, npS, (p) => (p < S ? ((s.inputB as Float64Array)[p] as number) : 0));
    forSlots(g, lanes.slots(S), (at) => at.store(xm, () => {
      at.load(x);
      if (s.inputW !== null) { at.param(inW); a.simd(Simd.f32x4_mul); }
      if (s.inputB !== null) { at.param(inB); a.simd(Simd.f32x4_add); }
    }));
  }

  const num = makeBuf(g, N);
  const den = makeBuf(g, N);
  const sensory = { w: s.sensoryW, sigma: s.sensorySigma, mu: s.sensoryMu, erev: s.sensoryErev, mask: s.sensoryMask };
  emitSynapses(g, sensory, S, N, pos, segmentOf(xm, S), (u, nu, de) => {
    a.base(num.ptr).get(nu).v128Store(num.off + 16 * u);
    a.base(den.ptr).get(de).v128Store(den.off + 16 * u);
  });

  // cm_t = pos(cm) · (K / ts), per lane (ts differs between agents in a batch)
  const npN = lanes.padded(N);
  const cmPos = packVector(g, npN, (p) => (p < N ? pos(s.cm[p] as number) : 0));
  const gl = packVector(g, npN, (p) => (p < N ? pos(s.gleak[p] as number) : 0));
  const glVleak = packVector(g, npN, (p) => (p < N ? pos(s.gleak[p] as number) * (s.vleak[p] as number) : 0));
  const cmT = makeBuf(g, N);
  const kOverTs = a.temp(V128);
  a.f32x4(s.odeUnfolds).get(g.ts).simd(Simd.f32x4_div).set(kOverTs);
  forSlots(g, lanes.slots(N), (at) => at.store(cmT, () => { at.param(cmPos); a.get(kOverTs).simd(Simd.f32x4_mul); }));
  a.release(kOverTs);

  const v = hBuf(g, st);
  const vNext = makeBuf(g, N);
  const internal = { w: s.w, sigma: s.sigma, mu: s.mu, erev: s.erev, mask: s.mask };
  const slot = (b: Buf, u: number): void => { a.base(b.ptr).v128Load(b.off + 16 * u); };
  const param = (base: number, u: number): void => lanes.loadUniform(a, null, base + u * lanes.uniformBytes);
  a.repeat(s.odeUnfolds, () => {
    emitSynapses(g, internal, N, N, pos, segmentOf(v, N), (u, wn, wd) => {
      a.base(vNext.ptr);
      slot(cmT, u); slot(v, u); a.simd(Simd.f32x4_mul);
      param(glVleak, u); a.simd(Simd.f32x4_add);
      a.get(wn).simd(Simd.f32x4_add);
      slot(num, u); a.simd(Simd.f32x4_add);
      slot(cmT, u); param(gl, u); a.simd(Simd.f32x4_add);
      a.get(wd).simd(Simd.f32x4_add);
      slot(den, u); a.simd(Simd.f32x4_add);
      a.f32x4(s.epsilon).simd(Simd.f32x4_add);
      a.simd(Simd.f32x4_div).v128Store(vNext.off + 16 * u);
    });
    copySlots(g, vNext, v, N);
  });

  // Output: the first M (motor) neurons, then the output mapping.
  const M = s.motorSize;
  const npM = lanes.padded(M);
  const outW = s.outputW === null ? 0 : packVector(g, npM, (p) => (p < M ? ((s.outputW as Float64Array)[p] as number) : 0));
  const outB = s.outputB === null ? 0 : packVector(g, npM, (p) => (p < M ? ((s.outputB as Float64Array)[p] as number) : 0));
  forSlots(g, lanes.slots(M), (at) => at.store(y, () => {
    at.load(v);
    if (s.outputW !== null) { at.param(outW); a.simd(Simd.f32x4_mul); }
    if (s.outputB !== null) { at.param(outB); a.simd(Simd.f32x4_add); }
  }));
}

/**
 * Σ over sources i of a_ij·erev_ij and a_ij, for every target slot u; `finish(u, num, den)`
 * gets the two accumulators. Parameters are packed [target slot][source][P].
 */
function emitSynapses(
  g: Gen, syn: Synapses, sources: number, N: number, pos: (v: number) => number,
  columns: ReturnType<typeof segmentOf>, finish: (u: number, num: number, den: number) => void,
): void {
  const { a, lanes, plan } = g;
  const P = lanes.P;
  const U = lanes.slots(N);
  const pack = (f: (k: number) => number): Float32Array => {
    const out = new Float32Array(U * sources * P);
    for (let u = 0; u < U; u++) {
      for (let i = 0; i < sources; i++) {
        for (let lane = 0; lane < P; lane++) {
          const j = u * P + lane;
          const k = i * N + j;
          out[(u * sources + i) * P + lane] = j < N && (syn.mask[k] as number) !== 0 ? f(k) : 0;
        }
      }
    }
    return out;
  };
  const W = pack((k) => pos(syn.w[k] as number));
  const mats = [W, pack((k) => syn.sigma[k] as number), pack((k) => syn.mu[k] as number), pack((k) => syn.erev[k] as number)]
    .map((m) => plan.constant(m));
  const t = a.temp(V128);
  const anchor = plan.alloc(32);
  emitSweep(g, {
    units: U, group: 1, accs: 2, segments: [columns], matrices: mats, unroll: true,
    live: (u, i) => {
      for (let lane = 0; lane < P; lane++) if (W[(u * sources + i) * P + lane] !== 0) return true;
      return false;
    },
    init: (_u, [nu, de]) => { a.f32x4(0).set(nu as number).f32x4(0).set(de as number); },
    term: (_u, [nu, de], xv, load) => {
      // a = pos(w)·σ(sigma·(x − mu));  num += a·erev;  den += a
      a.get(xv);
      load(2);
      a.simd(Simd.f32x4_sub);
      load(1);
      a.simd(Simd.f32x4_mul);
      emitSigmoid(a);
      load(0);
      a.simd(Simd.f32x4_mul).tee(t);
      load(3);
      a.simd(Simd.f32x4_mul).get(nu as number).simd(Simd.f32x4_add).set(nu as number);
      a.get(de as number).get(t).simd(Simd.f32x4_add).set(de as number);
      // Pin the schedule: these stores need this term's results before the next term's loads.
      a.base(null).get(nu as number).v128Store(anchor);
      a.base(null).get(de as number).v128Store(anchor + 16);
    },
    finish: (u, [nu, de]) => finish(u, nu as number, de as number),
  });
  a.release(t);
}
