// PyTorch nn.LSTM, one layer, for the baselines. Gates in torch order [i | f | g | o]:
//   gates = W_ih x + b_ih + W_hh h + b_hh
//   c' = σ(f)·c + σ(i)·tanh(g);  h' = σ(o)·tanh(c')

import type { LstmStage } from '../../models/types.ts';
import { sigmoid } from '../activations.ts';
import type { FloatArray } from '../policy.ts';

export interface LstmRefState {
  /** (H) */ readonly h: Float64Array;
  /** (H) */ readonly c: Float64Array;
  /** (4H) scratch */ readonly gates: Float64Array;
}

export function makeLstmRefState(s: LstmStage): LstmRefState {
  return { h: new Float64Array(s.units), c: new Float64Array(s.units), gates: new Float64Array(4 * s.units) };
}

export function stepLstmRef(s: LstmStage, st: LstmRefState, x: FloatArray, xOff: number, y: FloatArray, yOff: number): void {
  const H = s.units;
  const S = s.inSize;
  const g = st.gates;
  for (let r = 0; r < 4 * H; r++) {
    let acc = (s.biasIh[r] as number) + (s.biasHh[r] as number);
    for (let c = 0; c < S; c++) acc += (s.weightIh[r * S + c] as number) * (x[xOff + c] as number);
    for (let c = 0; c < H; c++) acc += (s.weightHh[r * H + c] as number) * (st.h[c] as number);
    g[r] = acc;
  }
  for (let k = 0; k < H; k++) {
    const i = sigmoid(g[k] as number);
    const f = sigmoid(g[H + k] as number);
    const gg = Math.tanh(g[2 * H + k] as number);
    const o = sigmoid(g[3 * H + k] as number);
    const c = f * (st.c[k] as number) + i * gg;
    st.c[k] = c;
    st.h[k] = o * Math.tanh(c);
    y[yOff + k] = st.h[k] as number;
  }
}

export function resetLstmRef(st: LstmRefState): void {
  st.h.fill(0);
  st.c.fill(0);
}
