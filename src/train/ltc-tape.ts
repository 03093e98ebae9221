// LTC over (B, T) sequences with a tape, and BPTT through every ODE sub-step (ref/ltc.ts,
// spec §5.3). Per step, with K = ode_unfolds and pos = softplus (implicit constraints) or id:
//   x̃ = x·in_w + in_b;  s_ij = pos(sw_ij)·σ(ssig_ij·(x̃_i − smu_ij)) (masked);  Ns, Ds = Σ s·serev, Σ s
//   repeat K:  v_j ← (cmt_j·v_j + gl_j·vleak_j + Σ_i a_ij·erev_ij + Ns_j) / (cmt_j + gl_j + Σ_i a_ij + Ds_j + ε)
//              a_ij = pos(w_ij)·σ(sigma_ij·(v_i − mu_ij)) (masked),  cmt = pos(cm)/(ts/K)
//   y = v[0..M)·out_w + out_b
// The tape keeps x̃, Ns, Ds and, per sub-step, v and the denominator; the synapse sigmoids are
// recomputed in backward (N² per sub-step would dwarf everything else on the tape).
// Masked synapses are skipped in both passes: their terms are exactly 0 in ref as well.

import type { LtcStage } from '../models/types.ts';
import { sigmoid, softplus } from '../runtime/activations.ts';
import { SeqStates, type CellTape } from './cell-tape.ts';
import { mixedBackward, mixedForward } from './mixed-grad.ts';

/** torch Softplus(threshold=20) backward: σ(x) below the threshold, 1 above. */
function softplusGrad(x: number): number {
  return x > 20 ? 1 : sigmoid(x);
}

/** For each target j, the sources i with a synapse, ascending (the order ref sums in). */
function sourcesByTarget(mask: Uint8Array, rows: number, N: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let j = 0; j < N; j++) {
    const l: number[] = [];
    for (let i = 0; i < rows; i++) if ((mask[i * N + j] as number) !== 0) l.push(i);
    out.push(Int32Array.from(l));
  }
  return out;
}

export class LtcTape implements CellTape {
  readonly st: SeqStates;
  private readonly rec: Int32Array[];
  private readonly sens: Int32Array[];
  private readonly stepSize: number;
  private readonly tape: Float64Array;
  private readonly off: { mix: number; hmm: number; xm: number; ns: number; ds: number; v: number; den: number };
  // pos() of the parameters, computed once per forward pass (fixed within a batch)
  private readonly swPos: Float64Array;
  private readonly wPos: Float64Array;
  private readonly cmPos: Float64Array;
  private readonly glPos: Float64Array;
  // backward: accumulators of ∂L/∂pos(·), folded through pos' at the end; per-step scratch
  private readonly accSw: Float64Array;
  private readonly accW: Float64Array;
  private readonly accCm: Float64Array;
  private readonly accGl: Float64Array;
  private readonly dv: Float64Array;
  private readonly dvPrev: Float64Array;
  private readonly dcmt: Float64Array;
  private readonly dns: Float64Array;
  private readonly dds: Float64Array;
  private readonly dxm: Float64Array;
  private readonly dzMix: Float64Array;

  constructor(readonly s: LtcStage, readonly B: number, readonly T: number) {
    const N = s.units;
    const S = s.inSize;
    const K = s.odeUnfolds;
    const mixed = s.mixedMemory !== null;
    const mix = 0;
    const hmm = mix + (mixed ? 4 * N : 0);
    const xm = hmm + (mixed ? N : 0);
    const ns = xm + S;
    const ds = ns + N;
    const v = ds + N;
    const den = v + K * N;
    this.off = { mix, hmm, xm, ns, ds, v, den };
    this.stepSize = den + K * N;
    this.tape = new Float64Array(B * T * this.stepSize);
    this.st = new SeqStates(B, T, N, mixed);
    this.rec = sourcesByTarget(s.mask, N, N);
    this.sens = sourcesByTarget(s.sensoryMask, S, N);
    this.swPos = new Float64Array(S * N);
    this.wPos = new Float64Array(N * N);
    this.cmPos = new Float64Array(N);
    this.glPos = new Float64Array(N);
    this.accSw = new Float64Array(S * N);
    this.accW = new Float64Array(N * N);
    this.accCm = new Float64Array(N);
    this.accGl = new Float64Array(N);
    this.dv = new Float64Array(N);
    this.dvPrev = new Float64Array(N);
    this.dcmt = new Float64Array(N);
    this.dns = new Float64Array(N);
    this.dds = new Float64Array(N);
    this.dxm = new Float64Array(S);
    this.dzMix = new Float64Array(4 * N);
  }

  private pos(x: number): number {
    return this.s.implicitConstraints ? softplus(x) : x;
  }

  forward(x: Float64Array, dts: Float64Array, y: Float64Array, h0: Float64Array | null, c0: Float64Array | null): void {
    const { s, T, st, tape, stepSize, off } = this;
    this.st.start(h0, c0);
    const N = s.units;
    const S = s.inSize;
    const M = s.motorSize;
    const K = s.odeUnfolds;
    for (let k = 0; k < S * N; k++) this.swPos[k] = this.pos(s.sensoryW[k] as number);
    for (let k = 0; k < N * N; k++) this.wPos[k] = this.pos(s.w[k] as number);
    for (let j = 0; j < N; j++) {
      this.cmPos[j] = this.pos(s.cm[j] as number);
      this.glPos[j] = this.pos(s.gleak[j] as number);
    }
    for (let b = 0; b < this.B; b++) {
      for (let t = 0; t < T; t++) {
        const n = b * T + t;
        const ts = dts[n] as number;
        const base = n * stepSize;
        let vBuf = st.h;
        let vOff = st.hAt(b, t);
        if (s.mixedMemory !== null) {
          mixedForward(s.mixedMemory, N, x, n * S, st.h, vOff, st.c, st.cAt(b, t), tape, base + off.mix,
            tape, base + off.hmm, st.c, st.cAt(b, t + 1));
          vBuf = tape;
          vOff = base + off.hmm;
        }
        const xm = base + off.xm;
        for (let i = 0; i < S; i++) {
          let xi = x[n * S + i] as number;
          if (s.inputW !== null) xi *= s.inputW[i] as number;
          if (s.inputB !== null) xi += s.inputB[i] as number;
          tape[xm + i] = xi;
        }
        for (let j = 0; j < N; j++) {
          let num = 0;
          let den = 0;
          for (const i of this.sens[j] as Int32Array) {
            const k = i * N + j;
            const a = (this.swPos[k] as number) * sigmoid((s.sensorySigma[k] as number) * ((tape[xm + i] as number) - (s.sensoryMu[k] as number)));
            num += a * (s.sensoryErev[k] as number);
            den += a;
          }
          tape[base + off.ns + j] = num;
          tape[base + off.ds + j] = den;
        }
        for (let u = 0; u < K; u++) {
          const vNext = base + off.v + u * N;
          const dOff = base + off.den + u * N;
          for (let j = 0; j < N; j++) {
            let wNum = 0;
            let wDen = 0;
            for (const i of this.rec[j] as Int32Array) {
              const k = i * N + j;
              const a = (this.wPos[k] as number) * sigmoid((s.sigma[k] as number) * ((vBuf[vOff + i] as number) - (s.mu[k] as number)));
              wNum += a * (s.erev[k] as number);
              wDen += a;
            }
            const cmT = (this.cmPos[j] as number) / (ts / K);
            const gl = this.glPos[j] as number;
            const numerator = cmT * (vBuf[vOff + j] as number) + gl * (s.vleak[j] as number) + wNum + (tape[base + off.ns + j] as number);
            const denominator = cmT + gl + wDen + (tape[base + off.ds + j] as number) + s.epsilon;
            tape[dOff + j] = denominator;
            tape[vNext + j] = numerator / denominator;
          }
          vBuf = tape;
          vOff = vNext;
        }
        const hNew = st.hAt(b, t + 1);
        for (let j = 0; j < N; j++) st.h[hNew + j] = tape[vOff + j] as number;
        for (let k = 0; k < M; k++) {
          let o = tape[vOff + k] as number;
          if (s.outputW !== null) o *= s.outputW[k] as number;
          if (s.outputB !== null) o += s.outputB[k] as number;
          y[n * M + k] = o;
        }
      }
    }
  }

  backward(gs: LtcStage, x: Float64Array, dts: Float64Array, dy: Float64Array, dx: Float64Array | null, truncate: number): void {
    const { s, T, st } = this;
    const N = s.units;
    const S = s.inSize;
    this.accSw.fill(0);
    this.accW.fill(0);
    this.accCm.fill(0);
    this.accGl.fill(0);
    if (dx !== null) dx.fill(0, 0, this.B * T * S);
    const mix = s.mixedMemory === null ? null : { m: s.mixedMemory, g: gs.mixedMemory!, H: N, dz: this.dzMix };
    for (let b = 0; b < this.B; b++) {
      st.dh.fill(0);
      st.dc?.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        const n = b * T + t;
        this.stepBackward(gs, n, dts[n] as number, dy, x, dx);
        const base = n * this.stepSize;
        if (mix !== null) {
          mixedBackward(mix, x, n * S, st.h, st.hAt(b, t), st.c, st.cAt(b, t), this.tape, base + this.off.mix,
            st.c, st.cAt(b, t + 1), this.dv, 0, st.dc!, dx, n * S, st.dh);
        } else {
          st.dh.set(this.dv);
        }
        if (truncate > 0 && t % truncate === 0) {
          st.dh.fill(0);
          st.dc?.fill(0);
        }
      }
    }
    // ∂L/∂raw = ∂L/∂pos(raw)·pos'(raw) (pos' = 1 without implicit constraints).
    const d = (raw: number): number => (s.implicitConstraints ? softplusGrad(raw) : 1);
    for (let k = 0; k < S * N; k++) gs.sensoryW[k] = (gs.sensoryW[k] as number) + (this.accSw[k] as number) * d(s.sensoryW[k] as number);
    for (let k = 0; k < N * N; k++) gs.w[k] = (gs.w[k] as number) + (this.accW[k] as number) * d(s.w[k] as number);
    for (let j = 0; j < N; j++) {
      gs.cm[j] = (gs.cm[j] as number) + (this.accCm[j] as number) * d(s.cm[j] as number);
      gs.gleak[j] = (gs.gleak[j] as number) + (this.accGl[j] as number) * d(s.gleak[j] as number);
    }
  }

  /** One step back: leaves ∂L/∂v_in (the state entering the unfolds) in this.dv. */
  private stepBackward(gs: LtcStage, n: number, ts: number, dy: Float64Array, x: Float64Array, dx: Float64Array | null): void {
    const { s, tape, off, st } = this;
    const N = s.units;
    const S = s.inSize;
    const M = s.motorSize;
    const K = s.odeUnfolds;
    const base = n * this.stepSize;
    const b = Math.floor(n / this.T);
    const t = n - b * this.T;
    let dv = this.dv;
    let dvPrev = this.dvPrev;
    dv.set(st.dh);
    const vK = base + off.v + (K - 1) * N;
    for (let k = 0; k < M; k++) {
      const g = dy[n * M + k] as number;
      dv[k] = (dv[k] as number) + (s.outputW !== null ? g * (s.outputW[k] as number) : g);
      if (gs.outputW !== null) gs.outputW[k] = (gs.outputW[k] as number) + g * (tape[vK + k] as number);
      if (gs.outputB !== null) gs.outputB[k] = (gs.outputB[k] as number) + g;
    }
    const { dcmt, dns, dds } = this;
    dcmt.fill(0);
    dns.fill(0);
    dds.fill(0);
    for (let u = K - 1; u >= 0; u--) {
      const vNext = base + off.v + u * N;
      const pBuf = u > 0 ? tape : s.mixedMemory !== null ? tape : st.h;
      const pOff = u > 0 ? base + off.v + (u - 1) * N : s.mixedMemory !== null ? base + off.hmm : st.hAt(b, t);
      dvPrev.fill(0);
      for (let j = 0; j < N; j++) {
        const D = tape[base + off.den + u * N + j] as number;
        const g = dv[j] as number;
        const dnum = g / D;
        const dD = -g * (tape[vNext + j] as number) / D;
        const cmT = (this.cmPos[j] as number) / (ts / K);
        dcmt[j] = (dcmt[j] as number) + dnum * (pBuf[pOff + j] as number) + dD;
        dvPrev[j] = (dvPrev[j] as number) + dnum * cmT;
        this.accGl[j] = (this.accGl[j] as number) + dnum * (s.vleak[j] as number) + dD;
        gs.vleak[j] = (gs.vleak[j] as number) + dnum * (this.glPos[j] as number);
        dns[j] = (dns[j] as number) + dnum;
        dds[j] = (dds[j] as number) + dD;
        for (const i of this.rec[j] as Int32Array) {
          const k = i * N + j;
          const vm = (pBuf[pOff + i] as number) - (s.mu[k] as number);
          const sg = sigmoid((s.sigma[k] as number) * vm);
          const wp = this.wPos[k] as number;
          gs.erev[k] = (gs.erev[k] as number) + dnum * wp * sg;
          const da = dnum * (s.erev[k] as number) + dD;
          this.accW[k] = (this.accW[k] as number) + da * sg;
          const dpre = da * wp * sg * (1 - sg);
          gs.sigma[k] = (gs.sigma[k] as number) + dpre * vm;
          gs.mu[k] = (gs.mu[k] as number) - dpre * (s.sigma[k] as number);
          dvPrev[i] = (dvPrev[i] as number) + dpre * (s.sigma[k] as number);
        }
      }
      const tmp = dv;
      dv = dvPrev;
      dvPrev = tmp;
    }
    if (dv !== this.dv) this.dv.set(dv);
    for (let j = 0; j < N; j++) this.accCm[j] = (this.accCm[j] as number) + (dcmt[j] as number) / (ts / K);
    // Sensory synapses and the input mapping.
    const xm = base + off.xm;
    const dxm = this.dxm;
    dxm.fill(0);
    for (let j = 0; j < N; j++) {
      const gN = dns[j] as number;
      const gD = dds[j] as number;
      for (const i of this.sens[j] as Int32Array) {
        const k = i * N + j;
        const xmu = (tape[xm + i] as number) - (s.sensoryMu[k] as number);
        const sg = sigmoid((s.sensorySigma[k] as number) * xmu);
        const wp = this.swPos[k] as number;
        gs.sensoryErev[k] = (gs.sensoryErev[k] as number) + gN * wp * sg;
        const da = gN * (s.sensoryErev[k] as number) + gD;
        this.accSw[k] = (this.accSw[k] as number) + da * sg;
        const dpre = da * wp * sg * (1 - sg);
        gs.sensorySigma[k] = (gs.sensorySigma[k] as number) + dpre * xmu;
        gs.sensoryMu[k] = (gs.sensoryMu[k] as number) - dpre * (s.sensorySigma[k] as number);
        dxm[i] = (dxm[i] as number) + dpre * (s.sensorySigma[k] as number);
      }
    }
    for (let i = 0; i < S; i++) {
      const g = dxm[i] as number;
      const xi = x[n * S + i] as number;
      if (gs.inputW !== null) gs.inputW[i] = (gs.inputW[i] as number) + g * xi;
      if (gs.inputB !== null) gs.inputB[i] = (gs.inputB[i] as number) + g;
      if (dx !== null) dx[n * S + i] = (dx[n * S + i] as number) + (s.inputW !== null ? g * (s.inputW[i] as number) : g);
    }
  }
}
