// PyTorch nn.LSTM (one layer) over (B, T) sequences with a tape, and BPTT (ref/lstm.ts):
//   gates = W_ih x + b_ih + b_hh + W_hh h  (order [i | f | g | o])
//   c' = σ(f)·c + σ(i)·tanh(g);  h' = σ(o)·tanh(c')
// The tape keeps the gate pre-activations; h and c of every step live in SeqStates.

import type { LstmStage } from '../models/types.ts';
import { sigmoid } from '../runtime/activations.ts';
import { SeqStates, type CellTape } from './cell-tape.ts';

export class LstmTape implements CellTape {
  readonly st: SeqStates;
  private readonly gates: Float64Array;
  private readonly dg: Float64Array;

  constructor(readonly s: LstmStage, readonly B: number, readonly T: number) {
    this.st = new SeqStates(B, T, s.units, true);
    this.gates = new Float64Array(B * T * 4 * s.units);
    this.dg = new Float64Array(4 * s.units);
  }

  forward(x: Float64Array, dts: Float64Array, y: Float64Array, h0: Float64Array | null, c0: Float64Array | null): void {
    void dts; // an LSTM ignores elapsed time
    const { s, st, T } = this;
    this.st.start(h0, c0);
    const H = s.units;
    const S = s.inSize;
    for (let b = 0; b < this.B; b++) {
      for (let t = 0; t < T; t++) {
        const n = b * T + t;
        const g = n * 4 * H;
        const hp = st.hAt(b, t);
        const hn = st.hAt(b, t + 1);
        for (let r = 0; r < 4 * H; r++) {
          let acc = (s.biasIh[r] as number) + (s.biasHh[r] as number);
          for (let c = 0; c < S; c++) acc += (s.weightIh[r * S + c] as number) * (x[n * S + c] as number);
          for (let c = 0; c < H; c++) acc += (s.weightHh[r * H + c] as number) * (st.h[hp + c] as number);
          this.gates[g + r] = acc;
        }
        for (let k = 0; k < H; k++) {
          const i = sigmoid(this.gates[g + k] as number);
          const f = sigmoid(this.gates[g + H + k] as number);
          const gg = Math.tanh(this.gates[g + 2 * H + k] as number);
          const o = sigmoid(this.gates[g + 3 * H + k] as number);
          const c = f * (st.c[hp + k] as number) + i * gg;
          st.c[hn + k] = c;
          st.h[hn + k] = o * Math.tanh(c);
          y[n * H + k] = st.h[hn + k] as number;
        }
      }
    }
  }

  backward(gs: LstmStage, x: Float64Array, dts: Float64Array, dy: Float64Array, dx: Float64Array | null, truncate: number): void {
    void dts;
    const { s, st, T, dg } = this;
    const H = s.units;
    const S = s.inSize;
    const dh = st.dh;
    const dc = st.dc!;
    if (dx !== null) dx.fill(0, 0, this.B * T * S);
    for (let b = 0; b < this.B; b++) {
      dh.fill(0);
      dc.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        const n = b * T + t;
        const g = n * 4 * H;
        const hp = st.hAt(b, t);
        const hn = st.hAt(b, t + 1);
        for (let k = 0; k < H; k++) {
          const i = sigmoid(this.gates[g + k] as number);
          const f = sigmoid(this.gates[g + H + k] as number);
          const gg = Math.tanh(this.gates[g + 2 * H + k] as number);
          const o = sigmoid(this.gates[g + 3 * H + k] as number);
          const th = Math.tanh(st.c[hn + k] as number);
          const dhk = (dh[k] as number) + (dy[n * H + k] as number);
          const dck = (dc[k] as number) + dhk * o * (1 - th * th);
          dg[k] = dck * gg * i * (1 - i);
          dg[H + k] = dck * (st.c[hp + k] as number) * f * (1 - f);
          dg[2 * H + k] = dck * i * (1 - gg * gg);
          dg[3 * H + k] = dhk * th * o * (1 - o);
          dc[k] = dck * f;
        }
        dh.fill(0);
        for (let r = 0; r < 4 * H; r++) {
          const d = dg[r] as number;
          gs.biasIh[r] = (gs.biasIh[r] as number) + d;
          gs.biasHh[r] = (gs.biasHh[r] as number) + d;
          if (d === 0) continue;
          for (let c = 0; c < S; c++) {
            gs.weightIh[r * S + c] = (gs.weightIh[r * S + c] as number) + d * (x[n * S + c] as number);
            if (dx !== null) dx[n * S + c] = (dx[n * S + c] as number) + d * (s.weightIh[r * S + c] as number);
          }
          for (let c = 0; c < H; c++) {
            gs.weightHh[r * H + c] = (gs.weightHh[r * H + c] as number) + d * (st.h[hp + c] as number);
            dh[c] = (dh[c] as number) + d * (s.weightHh[r * H + c] as number);
          }
        }
        if (truncate > 0 && t % truncate === 0) {
          dh.fill(0);
          dc.fill(0);
        }
      }
    }
  }
}
