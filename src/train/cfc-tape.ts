// CfC over (B, T) sequences with a tape, and backpropagation through time (ref/cfc.ts).
// Per step: optional mixed memory, then each layer on z = [layer input ; own hidden]:
//   default: h' = tanh(ff1)·(1 − g) + g·tanh(ff2),  g = σ(t_a·ts + t_b)
//   no_gate: h' = tanh(ff1) + g·tanh(ff2)
//   pure:    h' = −A·e·ff1 + A,  e = exp(−ts·(|w_tau| + |ff1|))
// The tape per step holds z, the backbone pre-activations and outputs and the head
// pre-activations; the hidden states of every step live in `hs` (B, T+1, units), zeros at t = 0.

import type { CfcLayer, CfcStage } from '../models/types.ts';
import { activate, sigmoid } from '../runtime/activations.ts';
import { linear } from '../runtime/ref/linear.ts';
import { activationDerivative } from './act-grad.ts';
import { linearBackward } from './linear-grad.ts';
import { mixedBackward, mixedForward } from './mixed-grad.ts';
import { SeqStates, type CellTape } from './cell-tape.ts';

interface LayerPlan {
  readonly L: CfcLayer;
  /** offset of this layer's units in the state */
  readonly hOff: number;
  /** tape offsets within one step */
  readonly z0: number;
  readonly pre: readonly number[];
  readonly act: readonly number[];
  readonly heads: number;
  /** width of the vector the heads read */
  readonly cat: number;
}

export class CfcTape implements CellTape {
  private readonly plans: LayerPlan[] = [];
  private readonly stepSize: number;
  private readonly tape: Float64Array;
  readonly st: SeqStates;
  private readonly mixOff: number;
  private readonly hmmOff: number;
  // backward scratch
  private readonly dhNew: Float64Array;
  private readonly dhIn: Float64Array;
  private readonly dzA: Float64Array;
  private readonly dzB: Float64Array;
  private readonly dHeads: Float64Array;
  private readonly dzMix: Float64Array;

  constructor(readonly s: CfcStage, readonly B: number, readonly T: number) {
    const U = s.units;
    let off = 0;
    this.mixOff = off;
    if (s.mixedMemory !== null) off += 4 * U;
    this.hmmOff = off;
    if (s.mixedMemory !== null) off += U;
    let hOff = 0;
    let width = 0;
    let maxUnits = 0;
    for (const L of s.layers) {
      const z0 = off;
      off += L.inSize + L.units;
      const pre: number[] = [];
      const act: number[] = [];
      for (const b of L.backbone) {
        pre.push(off);
        act.push(off + b.outSize);
        off += 2 * b.outSize;
        width = Math.max(width, b.outSize);
      }
      const heads = off;
      off += (s.mode === 'pure' ? 1 : 4) * L.units;
      const cat = L.backbone.length > 0 ? (L.backbone[L.backbone.length - 1] as { outSize: number }).outSize : L.inSize + L.units;
      this.plans.push({ L, hOff, z0, pre, act, heads, cat });
      hOff += L.units;
      width = Math.max(width, L.inSize + L.units);
      maxUnits = Math.max(maxUnits, L.units);
    }
    this.stepSize = off;
    this.tape = new Float64Array(B * T * off);
    this.st = new SeqStates(B, T, U, s.mixedMemory !== null);
    this.dhNew = new Float64Array(U);
    this.dhIn = new Float64Array(U);
    this.dzA = new Float64Array(width);
    this.dzB = new Float64Array(width);
    this.dHeads = new Float64Array(4 * maxUnits);
    this.dzMix = new Float64Array(4 * U);
  }

  forward(x: Float64Array, dts: Float64Array, y: Float64Array, h0: Float64Array | null, c0: Float64Array | null): void {
    const { s, T, st, tape, stepSize } = this;
    this.st.start(h0, c0);
    const U = s.units;
    const I = s.inSize;
    const O = s.outSize;
    for (let b = 0; b < this.B; b++) {
      for (let t = 0; t < T; t++) {
        const n = b * T + t;
        const ts = dts[n] as number;
        const base = n * stepSize;
        const hPrev = st.hAt(b, t);
        const hNew = st.hAt(b, t + 1);
        // The hidden state the layers see: the previous state, or the mixed-memory output.
        let hIn = st.h;
        let hInOff = hPrev;
        if (s.mixedMemory !== null) {
          mixedForward(s.mixedMemory, U, x, n * I, st.h, hPrev, st.c, st.cAt(b, t), tape, base + this.mixOff,
            tape, base + this.hmmOff, st.c, st.cAt(b, t + 1));
          hIn = tape;
          hInOff = base + this.hmmOff;
        }
        let inBuf = x;
        let inOff = n * I;
        for (const p of this.plans) {
          this.layerForward(p, inBuf, inOff, hIn, hInOff + p.hOff, base, ts, st.h, hNew + p.hOff);
          inBuf = st.h;
          inOff = hNew + p.hOff;
        }
        for (let i = 0; i < O; i++) y[n * O + i] = st.h[inOff + i] as number;
      }
    }
  }

  private layerForward(
    p: LayerPlan, x: Float64Array, xOff: number, h: Float64Array, hOff: number, base: number, ts: number,
    out: Float64Array, outOff: number,
  ): void {
    const { L } = p;
    const tape = this.tape;
    const n = L.units;
    const z0 = base + p.z0;
    for (let i = 0; i < L.inSize; i++) tape[z0 + i] = x[xOff + i] as number;
    for (let i = 0; i < n; i++) tape[z0 + L.inSize + i] = h[hOff + i] as number;
    let zOff = z0;
    L.backbone.forEach((lin, k) => {
      const pre = base + (p.pre[k] as number);
      const act = base + (p.act[k] as number);
      linear(lin, tape, zOff, tape, pre);
      for (let i = 0; i < lin.outSize; i++) tape[act + i] = activate(L.backboneActivation, tape[pre + i] as number);
      zOff = act;
    });
    const f1 = base + p.heads;
    linear(L.ff1, tape, zOff, tape, f1);
    if (this.s.mode === 'pure') {
      const A = L.A as Float64Array;
      const wTau = L.wTau as Float64Array;
      for (let i = 0; i < n; i++) {
        const f = tape[f1 + i] as number;
        const a = A[i] as number;
        out[outOff + i] = -a * Math.exp(-ts * (Math.abs(wTau[i] as number) + Math.abs(f))) * f + a;
      }
      return;
    }
    linear(L.ff2!, tape, zOff, tape, f1 + n);
    linear(L.timeA!, tape, zOff, tape, f1 + 2 * n);
    linear(L.timeB!, tape, zOff, tape, f1 + 3 * n);
    const noGate = this.s.mode === 'no_gate';
    for (let i = 0; i < n; i++) {
      const a = Math.tanh(tape[f1 + i] as number);
      const c = Math.tanh(tape[f1 + n + i] as number);
      const g = sigmoid((tape[f1 + 2 * n + i] as number) * ts + (tape[f1 + 3 * n + i] as number));
      out[outOff + i] = noGate ? a + g * c : a * (1 - g) + g * c;
    }
  }

  backward(gs: CfcStage, x: Float64Array, dts: Float64Array, dy: Float64Array, dx: Float64Array | null, truncate: number): void {
    const { s, T, st, stepSize } = this;
    const U = s.units;
    const I = s.inSize;
    const O = s.outSize;
    const last = this.plans[this.plans.length - 1] as LayerPlan;
    const mix = s.mixedMemory === null ? null : { m: s.mixedMemory, g: gs.mixedMemory!, H: U, dz: this.dzMix };
    if (dx !== null) dx.fill(0, 0, this.B * T * I);
    for (let b = 0; b < this.B; b++) {
      st.dh.fill(0);
      st.dc?.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        const n = b * T + t;
        const base = n * stepSize;
        const ts = dts[n] as number;
        // ∂L/∂h_t: from step t+1 (the carry) and from this step's output (the last layer).
        const dhNew = this.dhNew;
        dhNew.set(st.dh);
        for (let i = 0; i < O; i++) dhNew[last.hOff + i] = (dhNew[last.hOff + i] as number) + (dy[n * O + i] as number);
        for (let l = this.plans.length - 1; l >= 0; l--) {
          const p = this.plans[l] as LayerPlan;
          // Layer l > 0 reads layer l−1's new state; layer 0 reads the cell input.
          const dIn = l > 0 ? dhNew : dx;
          const dInOff = l > 0 ? (this.plans[l - 1] as LayerPlan).hOff : n * I;
          this.layerBackward(p, gs.layers[l] as CfcLayer, base, ts, dhNew, dIn, dInOff);
        }
        const hPrev = st.hAt(b, t);
        if (mix !== null) {
          mixedBackward(mix, x, n * I, st.h, hPrev, st.c, st.cAt(b, t), this.tape, base + this.mixOff, st.c, st.cAt(b, t + 1),
            this.dhIn, 0, st.dc!, dx, n * I, st.dh);
        } else {
          st.dh.set(this.dhIn);
        }
        // Truncated BPTT: no gradient crosses into the previous chunk of `truncate` steps.
        if (truncate > 0 && t % truncate === 0) {
          st.dh.fill(0);
          st.dc?.fill(0);
        }
      }
    }
  }

  /** Backward of one layer: reads dhNew at the layer, adds into dIn, writes dhIn at the layer. */
  private layerBackward(
    p: LayerPlan, g: CfcLayer, base: number, ts: number, dhNew: Float64Array, dIn: Float64Array | null, dInOff: number,
  ): void {
    const { L } = p;
    const tape = this.tape;
    const n = L.units;
    const f1 = base + p.heads;
    const dH = this.dHeads;
    if (this.s.mode === 'pure') {
      const A = L.A as Float64Array;
      const wTau = L.wTau as Float64Array;
      const gA = g.A as Float64Array;
      const gW = g.wTau as Float64Array;
      for (let i = 0; i < n; i++) {
        const f = tape[f1 + i] as number;
        const a = A[i] as number;
        const wt = wTau[i] as number;
        const e = Math.exp(-ts * (Math.abs(wt) + Math.abs(f)));
        const d = dhNew[p.hOff + i] as number;
        gA[i] = (gA[i] as number) + d * (1 - e * f);
        gW[i] = (gW[i] as number) + d * a * f * e * ts * Math.sign(wt);
        dH[i] = -d * a * e * (1 - ts * Math.abs(f));
      }
    } else {
      const noGate = this.s.mode === 'no_gate';
      for (let i = 0; i < n; i++) {
        const a = Math.tanh(tape[f1 + i] as number);
        const c = Math.tanh(tape[f1 + n + i] as number);
        const gt = sigmoid((tape[f1 + 2 * n + i] as number) * ts + (tape[f1 + 3 * n + i] as number));
        const d = dhNew[p.hOff + i] as number;
        const dg = noGate ? d * c : d * (c - a);
        dH[i] = (noGate ? d : d * (1 - gt)) * (1 - a * a);
        dH[n + i] = d * gt * (1 - c * c);
        const dpre = dg * gt * (1 - gt);
        dH[2 * n + i] = dpre * ts;
        dH[3 * n + i] = dpre;
      }
    }
    // Heads → dz (the vector they read), then back through the backbone to z = [x ; h].
    const nb = L.backbone.length;
    const zOff = nb > 0 ? base + (p.act[nb - 1] as number) : base + p.z0;
    let dz = this.dzA;
    dz.fill(0, 0, p.cat);
    linearBackward(L.ff1, g.ff1, tape, zOff, dH, 0, dz, 0);
    if (this.s.mode !== 'pure') {
      linearBackward(L.ff2!, g.ff2!, tape, zOff, dH, n, dz, 0);
      linearBackward(L.timeA!, g.timeA!, tape, zOff, dH, 2 * n, dz, 0);
      linearBackward(L.timeB!, g.timeB!, tape, zOff, dH, 3 * n, dz, 0);
    }
    for (let k = nb - 1; k >= 0; k--) {
      const lin = L.backbone[k]!;
      const pre = base + (p.pre[k] as number);
      const act = base + (p.act[k] as number);
      for (let i = 0; i < lin.outSize; i++) {
        dz[i] = (dz[i] as number) * activationDerivative(L.backboneActivation, tape[pre + i] as number, tape[act + i] as number);
      }
      const next = dz === this.dzA ? this.dzB : this.dzA;
      next.fill(0, 0, lin.inSize);
      const inOff = k > 0 ? base + (p.act[k - 1] as number) : base + p.z0;
      linearBackward(lin, g.backbone[k]!, tape, inOff, dz, 0, next, 0);
      dz = next;
    }
    if (dIn !== null) for (let i = 0; i < L.inSize; i++) dIn[dInOff + i] = (dIn[dInOff + i] as number) + (dz[i] as number);
    for (let i = 0; i < n; i++) this.dhIn[p.hOff + i] = dz[L.inSize + i] as number;
  }
}
