// Vectorised nonlinearities on the v128 at the top of the operand stack (four f32 lanes), built
// from fixed-width SIMD only: no relaxed ops, so every machine computes the same bits.
//
// exp(x): x clamped to [−87, 88] (so 2^n stays a normal float), n = nearest(x·log2 e),
// r = x − n·ln2 in two parts (Cody–Waite: n·LN2_HI is exact in f32 for |n| ≤ 127), then the
// degree-7 Taylor polynomial of e^r on |r| ≤ ln2/2 (truncation 0.347^8/8! ≈ 5e-9) and the
// exponent 2^n built in the float's bits. tanh and σ come from one exp each:
//   tanh x = 1 − 2/(e^{2x} + 1),   σ(x) = 1/(1 + e^{−x}),
// both saturate cleanly (to ±1, 0, 1) at the clamp. erf, for |x| ≥ 1, is Abramowitz & Stegun
// 7.1.26 (|error| ≤ 1.5e-7): erf|x| = 1 − t·(a1 + t(a2 + t(a3 + t(a4 + t·a5))))·e^{−x²},
// t = 1/(1 + p|x|); for |x| < 1 the Maclaurin series to x^21, as 7.1.26's 1 − (≈1) cancels there.
//
// Why exp-based and not a clamped rational tanh: the [7/6] rational's ≈7e-6 end-to-end error would
// spend most of the 1e-5 parity budget; this costs a few more lanes of arithmetic and keeps ~1e-7.
// Measured against the float64 definitions (src/runtime/activations.ts) at 2·10^5 points in
// [−20, 20] (exp: [−87, 88], relative), |error| / max(1, |x|), asserted in test/wasm.test.ts:
//   exp 9.9e-8 · tanh 1.6e-7 · sigmoid 7.0e-8 · erf 1.8e-7 · gelu 1.7e-7 · silu 1.4e-7 ·
//   lecun_tanh 3.2e-7 (its constants 0.666 and 1.7159 round in f32) · relu exact.
// End to end over 200 steps (bench/wasm-error.ts): lane NCP CfC ≤ 5.5e-7, LTC 6.5e-7, LSTM 1.6e-7,
// the ncps golden cases ≤ 1.3e-6: at most 10 % of the parity tolerance (1e-5 + 1e-5·|ref|).

import type { FunctionBody } from './emit/code.ts';
import { I32, Op, Simd } from './emit/opcodes.ts';
import type { Activation } from '../../models/types.ts';

const EXP_LO = -87;
const EXP_HI = 88;
const LOG2E = Math.LOG2E;
/** ln 2 split: LN2_HI has 9 significant bits, so n·LN2_HI is exact for |n| < 2^15 */
const LN2_HI = 0.693359375;
const LN2_LO = Math.LN2 - LN2_HI;
/** 1/k!, k = 0..7 */
const TAYLOR = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040];

const ERF_P = 0.3275911;
const ERF_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];
const SIGN_BIT = -0x80000000;
/** 2/√π · (−1)^n / (n!·(2n+1)), n = 0..10 */
const ERF_SERIES = Array.from({ length: 11 }, (_, n) => ((n % 2 === 0 ? 2 : -2) / Math.sqrt(Math.PI)) / (factorial(n) * (2 * n + 1)));
const ERF_SERIES_BELOW = 1;

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** e^x, lane-wise. */
export function emitExp(a: FunctionBody): void {
  const x = a.temp();
  const n = a.temp();
  a.f32x4(EXP_HI).simd(Simd.f32x4_pmin).f32x4(EXP_LO).simd(Simd.f32x4_pmax).tee(x);
  a.f32x4(LOG2E).simd(Simd.f32x4_mul).simd(Simd.f32x4_nearest).set(n);
  // r = x − n·LN2_HI − n·LN2_LO, kept in x
  a.get(x).get(n).f32x4(LN2_HI).simd(Simd.f32x4_mul).simd(Simd.f32x4_sub);
  a.get(n).f32x4(LN2_LO).simd(Simd.f32x4_mul).simd(Simd.f32x4_sub).set(x);
  a.f32x4(TAYLOR[7] as number);
  for (let k = 6; k >= 0; k--) a.get(x).simd(Simd.f32x4_mul).f32x4(TAYLOR[k] as number).simd(Simd.f32x4_add);
  // 2^n: (n + 127) << 23 is the bit pattern of the float 2^n
  a.get(n).simd(Simd.i32x4_trunc_sat_f32x4_s).i32x4(127).simd(Simd.i32x4_add).i32(23).simd(Simd.i32x4_shl);
  a.simd(Simd.f32x4_mul);
  a.release(x, n);
}

/** tanh x = 1 − 2/(e^{2x} + 1) */
export function emitTanh(a: FunctionBody): void {
  const d = a.temp();
  a.f32x4(2).simd(Simd.f32x4_mul);
  emitExp(a);
  a.f32x4(1).simd(Simd.f32x4_add).set(d);
  a.f32x4(1).f32x4(2).get(d).simd(Simd.f32x4_div).simd(Simd.f32x4_sub);
  a.release(d);
}

/** σ(x) = 1/(1 + e^{−x}) */
export function emitSigmoid(a: FunctionBody): void {
  const d = a.temp();
  a.simd(Simd.f32x4_neg);
  emitExp(a);
  a.f32x4(1).simd(Simd.f32x4_add).set(d);
  a.f32x4(1).get(d).simd(Simd.f32x4_div);
  a.release(d);
}

/**
 * erf(x). |x| ≥ 1: Abramowitz & Stegun 7.1.26 on |x|, sign restored. |x| < 1: the Maclaurin
 * series to x^21 (next term < 2e-8), because 7.1.26's 1 − (≈1) cancels there (4e-7 in f32).
 */
export function emitErf(a: FunctionBody): void {
  const x = a.temp();
  const ax = a.temp();
  const t = a.temp();
  const x2 = a.temp();
  a.tee(x).simd(Simd.f32x4_abs).tee(ax);
  a.f32x4(ERF_P).simd(Simd.f32x4_mul).f32x4(1).simd(Simd.f32x4_add).set(t);
  a.f32x4(1).get(t).simd(Simd.f32x4_div).set(t);
  a.f32x4(ERF_A[4] as number);
  for (let k = 3; k >= 0; k--) a.get(t).simd(Simd.f32x4_mul).f32x4(ERF_A[k] as number).simd(Simd.f32x4_add);
  a.get(t).simd(Simd.f32x4_mul);
  a.get(ax).get(ax).simd(Simd.f32x4_mul).simd(Simd.f32x4_neg);
  emitExp(a);
  a.simd(Simd.f32x4_mul).set(t);
  a.f32x4(1).get(t).simd(Simd.f32x4_sub).simd(Simd.f32x4_abs);
  a.get(x).i32x4(SIGN_BIT).simd(Simd.v128_and).simd(Simd.v128_or).set(t);
  // series: x·(c0 + x²(c1 + x²(c2 + …)))
  a.get(x).get(x).simd(Simd.f32x4_mul).set(x2);
  a.f32x4(ERF_SERIES[10] as number);
  for (let k = 9; k >= 0; k--) a.get(x2).simd(Simd.f32x4_mul).f32x4(ERF_SERIES[k] as number).simd(Simd.f32x4_add);
  a.get(x).simd(Simd.f32x4_mul);
  a.get(t).get(ax).f32x4(ERF_SERIES_BELOW).simd(Simd.f32x4_lt).simd(Simd.v128_bitselect);
  a.release(x, ax, t, x2);
}

/** The model's activations (src/runtime/activations.ts), lane-wise. */
export function emitActivation(a: FunctionBody, fn: Activation): void {
  switch (fn) {
    case 'none': return;
    case 'relu': {
      // pmax(0, x) = 0 < x ? x : 0, which sends NaN to 0 as ref's `x > 0 ? x : 0` does
      const x = a.temp();
      a.set(x).f32x4(0).get(x).simd(Simd.f32x4_pmax);
      a.release(x);
      return;
    }
    case 'tanh': emitTanh(a); return;
    case 'sigmoid': emitSigmoid(a); return;
    case 'silu': {
      const x = a.temp();
      a.tee(x);
      emitSigmoid(a);
      a.get(x).simd(Simd.f32x4_mul);
      a.release(x);
      return;
    }
    case 'gelu': {
      const x = a.temp();
      a.tee(x).f32x4(Math.SQRT1_2).simd(Simd.f32x4_mul);
      emitErf(a);
      a.f32x4(1).simd(Simd.f32x4_add).get(x).simd(Simd.f32x4_mul).f32x4(0.5).simd(Simd.f32x4_mul);
      a.release(x);
      return;
    }
    case 'lecun_tanh':
      a.f32x4(0.666).simd(Simd.f32x4_mul);
      emitTanh(a);
      a.f32x4(1.7159).simd(Simd.f32x4_mul);
      return;
  }
}

/** For tests: an exported function `f(ptr, n)` applying `body` in place to n floats (n % 4 = 0). */
export function emitMapInPlace(a: FunctionBody, body: (a: FunctionBody) => void): void {
  // params: 0 = ptr (i32), 1 = count of floats (i32)
  const p = 0;
  const n = 1;
  const end = a.local(I32);
  a.get(p).get(n).i32(2).op(Op.i32_shl).op(Op.i32_add).set(end);
  a.block().loop();
  a.get(p).get(end).op(Op.i32_ge_u).brIf(1);
  a.get(p);
  a.get(p).v128Load(0);
  body(a);
  a.v128Store(0);
  a.bump(p, 16).br(0);
  a.end().end();
}
