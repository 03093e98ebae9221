// LSTM arithmetic in integers (docs/fixed-point.md §5.6): the PyTorch LSTM baseline and ncps's
// mixed memory share it. Gates come from one linear over [x ; h] into Q3.12; the cell state c has
// a calibrated format cFrac; h = σ(o)·tanh(c) is Q0.15 before it is stored in the cell's format.
//   c' = sat16(rshr(c·f·2^(F−cFrac−15) + g·i·2^(F−30), F − cFrac)),  F = max(cFrac + 15, 30)
//   (one rounding for both products, which are brought to F fractional bits exactly)

import type { Linear, LstmStage, MixedMemory } from '../../models/types.ts';
import { pow2, rshr, sat16, sigmoidQ, tanhQ } from './arith.ts';
import { linearJson, prepareLinear, stepLinear, type QLinear } from './linear.ts';
import type { FixedContext, FixedOp } from './op.ts';

const P2C = Float64Array.from({ length: 40 }, (_, k) => pow2(k));

/** c' from c (cFrac), a forget factor f (Q0.15), a candidate g (Q0.15) and an input gate i (Q0.15). */
export function cellUpdate(c: number, f: number, g: number, i: number, cFrac: number): number {
  const F = cFrac + 15 > 30 ? cFrac + 15 : 30;
  const acc = c * f * (P2C[F - cFrac - 15] as number) + g * i * (P2C[F - 30] as number);
  // rshr(acc, F − cFrac) written out (F − cFrac ≥ 15): acc is up to 2^46, boxed if passed to a call
  const s = F - cFrac;
  const v = Math.floor((acc + (P2C[s - 1] as number)) / (P2C[s] as number));
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/** h (Q0.15) = rshr(tanh(c → Q3.12)·o, 15). */
export function cellOutput(c: number, o: number, cFrac: number): number {
  return rshr(tanhQ(sat16(rshr(c, cFrac - 12))) * o, 15);
}

/** A Linear over [x ; h] from the input map and the recurrent map: (rows, S + H). */
export function concatLinear(a: Linear, b: Linear): { weight: Float64Array; bias: Float64Array | null } {
  const rows = a.outSize;
  const S = a.inSize;
  const H = b.inSize;
  const weight = new Float64Array(rows * (S + H));
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < S; j++) weight[r * (S + H) + j] = a.weight[r * S + j] as number;
    for (let j = 0; j < H; j++) weight[r * (S + H) + S + j] = b.weight[r * H + j] as number;
  }
  let bias: Float64Array | null = null;
  if (a.bias !== null || b.bias !== null) {
    bias = new Float64Array(rows);
    for (let r = 0; r < rows; r++) bias[r] = (a.bias === null ? 0 : (a.bias[r] as number)) + (b.bias === null ? 0 : (b.bias[r] as number));
  }
  return { weight, bias };
}

export interface QMixed {
  readonly gates: QLinear;
  readonly cFrac: number;
  readonly hFrac: number;
  /** (S + H) scratch [x ; h] and (4H) gate pre-activations */
  readonly z: Int32Array;
  readonly g: Int32Array;
}

/** ncps mixed memory: [i | ig | fg | og] = W_in x + b_in + W_rec h, all Q3.12; the forget gate gets +1 (4096). */
export function prepareMixed(mm: MixedMemory, xFrac: ArrayLike<number>, hFrac: number, cFrac: number, weightBits: number): QMixed {
  const S = mm.inputMap.inSize;
  const H = mm.recurrentMap.inSize;
  const cat = concatLinear(mm.inputMap, mm.recurrentMap);
  const colFrac = Int32Array.from({ length: S + H }, (_, j) => (j < S ? (xFrac[j] as number) : hFrac));
  return { gates: prepareLinear(cat.weight, cat.bias, 4 * H, S + H, colFrac, 12, weightBits), cFrac, hFrac, z: new Int32Array(S + H), g: new Int32Array(4 * H) };
}

/** Updates h (hFrac) and c (cFrac) in place before the cell runs. */
export function stepMixed(M: QMixed, x: Int32Array, xOff: number, h: Int32Array, c: Int32Array): void {
  const H = h.length;
  const S = M.z.length - H;
  for (let j = 0; j < S; j++) M.z[j] = x[xOff + j] as number;
  for (let j = 0; j < H; j++) M.z[S + j] = h[j] as number;
  stepLinear(M.gates, M.z, 0, M.g, 0);
  const g = M.g;
  for (let k = 0; k < H; k++) {
    const ti = tanhQ(g[k] as number);
    const si = sigmoidQ(g[H + k] as number);
    const sf = sigmoidQ(sat16((g[2 * H + k] as number) + 4096));
    const so = sigmoidQ(g[3 * H + k] as number);
    const cn = cellUpdate(c[k] as number, sf, ti, si, M.cFrac);
    c[k] = cn;
    h[k] = sat16(rshr(cellOutput(cn, so, M.cFrac), 15 - M.hFrac));
  }
}

export function mixedJson(M: QMixed): Record<string, unknown> {
  return { gates: linearJson(M.gates), cFrac: M.cFrac, hFrac: M.hFrac, forgetBiasQ312: 4096 };
}

/** PyTorch LSTM, gates [i | f | g | o] = W_ih x + W_hh h + b_ih + b_hh in Q3.12; h in Q0.15. */
export function lstmOp(s: LstmStage, xFrac: Int32Array, cFrac: number, ctx: FixedContext, x: Int32Array, y: Int32Array): FixedOp {
  const H = s.units;
  const S = s.inSize;
  const cat = concatLinear(
    { inSize: S, outSize: 4 * H, weight: s.weightIh, bias: s.biasIh },
    { inSize: H, outSize: 4 * H, weight: s.weightHh, bias: s.biasHh },
  );
  const colFrac = Int32Array.from({ length: S + H }, (_, j) => (j < S ? (xFrac[j] as number) : 15));
  const gates = prepareLinear(cat.weight, cat.bias, 4 * H, S + H, colFrac, 12, ctx.weightBits);
  const h = new Int32Array(H);
  const c = new Int32Array(H);
  const z = new Int32Array(S + H);
  const g = new Int32Array(4 * H);
  return {
    outFrac: new Int32Array(H).fill(15),
    accBits: gates.accBits,
    cell: { h, c, hFrac: 15, cFrac, reset: () => { h.fill(0); c.fill(0); } },
    run: () => {
      for (let j = 0; j < S; j++) z[j] = x[j] as number;
      for (let j = 0; j < H; j++) z[S + j] = h[j] as number;
      stepLinear(gates, z, 0, g, 0);
      for (let k = 0; k < H; k++) {
        const i = sigmoidQ(g[k] as number);
        const f = sigmoidQ(g[H + k] as number);
        const gg = tanhQ(g[2 * H + k] as number);
        const o = sigmoidQ(g[3 * H + k] as number);
        const cn = cellUpdate(c[k] as number, f, gg, i, cFrac);
        c[k] = cn;
        const hn = cellOutput(cn, o, cFrac);
        h[k] = hn;
        y[k] = hn;
      }
    },
    json: () => ({ type: 'lstm', units: H, inSize: S, gates: linearJson(gates), cFrac, hFrac: 15 }),
  };
}
