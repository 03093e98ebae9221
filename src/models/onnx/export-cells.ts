// The recurrent cells as ONNX nodes: CfC (all modes, dense and wired), ncps mixed memory, and the
// PyTorch LSTM, computing what src/runtime/ref/{cfc,mixed-memory,lstm}.ts define. LTC is in
// export-ltc.ts. Tensors are (N, width); `dt` is (N, 1) and broadcasts over the units, so every
// sample has its own Δt.

import type { CfcLayer, CfcMode, CfcStage, Linear, LstmStage, MixedMemory } from '../types.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { activation, linear } from './export-stages.ts';

/** What a cell reads: its input, Δt (N, 1), its hidden state h and, with an LSTM part, c. */
export interface CellIn {
  readonly x: string;
  readonly dt: string;
  readonly h: string;
  readonly c: string | null;
}

/** What a cell produces: its output and its new states. */
export interface CellOut {
  readonly y: string;
  readonly h: string;
  readonly c: string | null;
}

// ── helpers ───────────────────────────────────────────────────────────────────────────────

/** [A | B] for row-major A (rows, n1) and B (rows, n2): one Gemm over [x ; h] instead of two. */
export function joinColumns(a: Float64Array, n1: number, b: Float64Array, n2: number, rows: number): Float64Array {
  const out = new Float64Array(rows * (n1 + n2));
  for (let r = 0; r < rows; r++) {
    out.set(a.subarray(r * n1, (r + 1) * n1), r * (n1 + n2));
    out.set(b.subarray(r * n2, (r + 1) * n2), r * (n1 + n2) + n1);
  }
  return out;
}

/** Stacks Linears with the same input width into one (Σ out, in) weight and bias (0 when absent). */
function stackRows(ls: readonly Linear[]): { weight: Float64Array; bias: Float64Array; rows: number } {
  const rows = ls.reduce((n, l) => n + l.outSize, 0);
  const inSize = (ls[0] as Linear).inSize;
  const weight = new Float64Array(rows * inSize);
  const bias = new Float64Array(rows);
  let r = 0;
  for (const l of ls) {
    weight.set(l.weight, r * inSize);
    if (l.bias !== null) bias.set(l.bias, r);
    r += l.outSize;
  }
  return { weight, bias, rows };
}

// ── mixed memory (ncps LSTMCell before the cell, spec §3.2) ────────────────────────────────

/**
 * z = W_in x + b_in + W_rec h, chunks [i | ig | fg | og];
 * c' = c·σ(fg + 1) + tanh(i)·σ(ig);  h' = tanh(c')·σ(og).
 * The +1 of ncps's formula is folded into the forget chunk of the bias (the model is frozen).
 * As in the ref kernel, the recurrent map has no bias.
 */
export function mixedMemory(g: GraphBuilder, m: MixedMemory, x: string, h: string, c: string, hint: string): { h: string; c: string } {
  const H = m.recurrentMap.inSize;
  const S = m.inputMap.inSize;
  const w = joinColumns(m.inputMap.weight, S, m.recurrentMap.weight, H, 4 * H);
  const b = m.inputMap.bias === null ? new Float64Array(4 * H) : Float64Array.from(m.inputMap.bias);
  for (let k = 2 * H; k < 3 * H; k++) b[k] = (b[k] as number) + 1.0;
  const z = g.gemm(g.concat([x, h], 1, `${hint}_xh`), g.weight(`${hint}_w`, w, [4 * H, S + H]), g.weight(`${hint}_b`, b, [4 * H]), `${hint}_z`);
  const [i, ig, fg, og] = g.split(z, [H, H, H, H], 1, `${hint}_gate`) as [string, string, string, string];
  const kept = g.mul(c, g.unary('Sigmoid', fg, `${hint}_fg`), `${hint}_kept`);
  const added = g.mul(g.unary('Tanh', i, `${hint}_i`), g.unary('Sigmoid', ig, `${hint}_ig`), `${hint}_added`);
  const cNew = g.add(kept, added, `${hint}_c`);
  const hNew = g.mul(g.unary('Tanh', cNew, `${hint}_tc`), g.unary('Sigmoid', og, `${hint}_og`), `${hint}_h`);
  return { h: hNew, c: cNew };
}

// ── CfC ───────────────────────────────────────────────────────────────────────────────────

/**
 * A CfC stage: mixed memory first (when present), then the layers in order, each reading the
 * *new* state of the layer before it (wired NCP: inter → command → motor). The output is the last
 * layer's new state; the state stays in layer order.
 */
export function cfc(g: GraphBuilder, s: CfcStage, io: CellIn, hint: string): CellOut {
  let h = io.h;
  let c = io.c;
  if (s.mixedMemory !== null) {
    ({ h, c } = mixedMemory(g, s.mixedMemory, io.x, h, c as string, `${hint}_mm`));
  }
  const negDt = s.mode === 'pure' ? g.unary('Neg', io.dt, `${hint}_neg_dt`) : '';
  const hs = g.split(h, s.layers.map((l) => l.units), 1, `${hint}_hin`);
  const news: string[] = [];
  let input = io.x;
  s.layers.forEach((layer, l) => {
    const hint1 = s.layers.length === 1 ? hint : `${hint}${l}`;
    input = cfcLayer(g, s.mode, layer, input, hs[l] as string, io.dt, negDt, hint1);
    news.push(input);
  });
  return { y: input, h: g.concat(news, 1, `${hint}_h`), c };
}

function cfcLayer(
  g: GraphBuilder, mode: CfcMode, L: CfcLayer, x: string, h: string, dt: string, negDt: string, hint: string,
): string {
  // z = [x ; h] (torch.cat([input, hx])), then the backbone.
  let z = g.concat([x, h], 1, `${hint}_z`);
  L.backbone.forEach((b, i) => {
    z = activation(g, L.backboneActivation, linear(g, b, z, `${hint}_bb${i}`), `${hint}_bb${i}_act`);
  });
  if (mode === 'pure') {
    // h' = −A·exp(−Δt·(|w_tau| + |ff1|))·ff1 + A, ff1 without tanh
    const ff1 = linear(g, L.ff1, z, `${hint}_ff1`);
    const absWTau = Float64Array.from(L.wTau as Float64Array, Math.abs);
    const rate = g.add(g.unary('Abs', ff1, `${hint}_absff1`), g.weight(`${hint}_abs_wtau`, absWTau, [L.units]), `${hint}_rate`);
    const decay = g.unary('Exp', g.mul(rate, negDt, `${hint}_exponent`), `${hint}_decay`);
    const A = L.A as Float64Array;
    const negA = g.weight(`${hint}_neg_a`, Float64Array.from(A, (a) => -a), [L.units]);
    const scaled = g.mul(g.mul(negA, decay, `${hint}_neg_a_decay`), ff1, `${hint}_scaled`);
    return g.add(scaled, g.weight(`${hint}_a`, A, [L.units]), `${hint}_h`);
  }
  // One Gemm for the four heads, rows [ff1 | ff2 | time_a | time_b], then split.
  const heads = stackRows([L.ff1, L.ff2 as Linear, L.timeA as Linear, L.timeB as Linear]);
  const width = L.ff1.inSize;
  const all = g.gemm(z, g.weight(`${hint}_heads_w`, heads.weight, [heads.rows, width]), g.weight(`${hint}_heads_b`, heads.bias, [heads.rows]), `${hint}_heads`);
  const n = L.units;
  const [ff1, ff2, ta, tb] = g.split(all, [n, n, n, n], 1, `${hint}_head`) as [string, string, string, string];
  const f1 = g.unary('Tanh', ff1, `${hint}_f1`);
  const f2 = g.unary('Tanh', ff2, `${hint}_f2`);
  // g = σ(t_a·Δt + t_b), Δt per sample
  const gate = g.unary('Sigmoid', g.add(g.mul(ta, dt, `${hint}_ta_dt`), tb, `${hint}_t`), `${hint}_gate`);
  const gf2 = g.mul(gate, f2, `${hint}_g_f2`);
  if (mode === 'no_gate') return g.add(f1, gf2, `${hint}_h`);
  const keep = g.sub(g.scalar(1), gate, `${hint}_1mg`);
  return g.add(g.mul(f1, keep, `${hint}_f1_keep`), gf2, `${hint}_h`);
}

// ── LSTM (PyTorch nn.LSTM, one layer) ─────────────────────────────────────────────────────

/** gates = W_ih x + b_ih + W_hh h + b_hh, torch order [i | f | g | o];
 *  c' = σ(f)·c + σ(i)·tanh(g);  h' = σ(o)·tanh(c'). */
export function lstm(g: GraphBuilder, s: LstmStage, io: CellIn, hint: string): CellOut {
  const H = s.units;
  const S = s.inSize;
  const w = joinColumns(s.weightIh, S, s.weightHh, H, 4 * H);
  const b = Float64Array.from(s.biasIh, (v, k) => v + (s.biasHh[k] as number));
  const z = g.gemm(g.concat([io.x, io.h], 1, `${hint}_xh`), g.weight(`${hint}_w`, w, [4 * H, S + H]), g.weight(`${hint}_b`, b, [4 * H]), `${hint}_gates`);
  const [i, f, gg, o] = g.split(z, [H, H, H, H], 1, `${hint}_gate`) as [string, string, string, string];
  const kept = g.mul(g.unary('Sigmoid', f, `${hint}_f`), io.c as string, `${hint}_kept`);
  const added = g.mul(g.unary('Sigmoid', i, `${hint}_i`), g.unary('Tanh', gg, `${hint}_g`), `${hint}_added`);
  const c = g.add(kept, added, `${hint}_c`);
  const h = g.mul(g.unary('Sigmoid', o, `${hint}_o`), g.unary('Tanh', c, `${hint}_tc`), `${hint}_h`);
  return { y: h, h, c };
}
