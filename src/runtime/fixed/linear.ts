// The integer linear layer (docs/fixed-point.md §5.1): int8..int16 weights with one scale per
// output row, int16 inputs whose per-column formats are folded into the weights, a bias in
// accumulator units, an exact accumulator, and one (m, sh) requantiser per row to the output format.
//   acc_r = b_r + Σ_j w_rj · x_j;   y_r = sat16(rq(acc_r, m_r, sh_r))
// The largest weight magnitude wMax = min(2^(weightBits−1) − 1, ⌊(2^38 − 2^30 − 1) / (cols·2^15)⌋)
// keeps |acc| < 2^38, so acc·m (|m| < 2^15) is exact in a double (C: int64_t).

import { IP2, P2, pow2, rhaz, sat16, toMultiplier } from './arith.ts';

/** A bias beyond this (in accumulator units) coarsens the row scale instead: it keeps int32 safe. */
export const BIAS_LIMIT = 1073741824;
/** |acc| < 2^38 keeps acc·m (|m| < 2^15) exact in a double. */
export const ACC_LIMIT = 274877906944;

/** The largest weight magnitude for a row of `cols` inputs at `weightBits` bits. */
export function weightMax(weightBits: number, cols: number): number {
  const byBits = pow2(weightBits - 1) - 1;
  const byAcc = Math.floor((ACC_LIMIT - BIAS_LIMIT - 1) / (Math.max(1, cols) * 32768));
  return Math.min(byBits, byAcc);
}

export interface QLinear {
  readonly rows: number;
  readonly cols: number;
  /** largest |w| (2^(weightBits−1) − 1 unless the fan-in caps it) */
  readonly wMax: number;
  /** (rows, cols) row-major, |w| ≤ wMax; masked and tiny weights are exactly 0 */
  readonly w: Int16Array;
  /** (rows) bias in accumulator units, |b| ≤ 2^30 */
  readonly b: Int32Array;
  /** (rows) requantiser to the output format */
  readonly m: Int32Array;
  readonly sh: Int32Array;
  readonly outFrac: number;
  /** bits of the largest possible |acc| over all rows and int16 inputs, sign included (C: int32_t when ≤ 32) */
  readonly accBits: number;
  /** the non-zero weights by row (CSR): skipping zeros changes no integer. Held as doubles:
   *  V8 multiplies doubles faster than int32 with overflow checks, and every product is exact. */
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly wNz: Float64Array;
}

/**
 * Quantises y = W x + b (W (rows, cols) row-major, float64) for inputs with fractional bits
 * colFrac[j] and an output with outFrac. Per row r, on the effective weights W_rj·2^−colFrac[j]:
 * scale s_r = max_j |·| / wMax, w_rj = rhaz(·/s_r), b_r = rhaz(bias_r / s_r), M_r = s_r·2^outFrac.
 */
export function prepareLinear(
  weight: ArrayLike<number>, bias: ArrayLike<number> | null, rows: number, cols: number,
  colFrac: ArrayLike<number>, outFrac: number, weightBits: number,
): QLinear {
  const wMax = weightMax(weightBits, cols);
  const w = new Int16Array(rows * cols);
  const b = new Int32Array(rows);
  const m = new Int32Array(rows);
  const sh = new Int32Array(rows);
  const colScale = Float64Array.from({ length: cols }, (_, j) => pow2(-(colFrac[j] as number)));
  const eff = new Float64Array(cols);
  let accMax = 0;
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    let amax = 0;
    for (let j = 0; j < cols; j++) {
      const e = (weight[r * cols + j] as number) * (colScale[j] as number);
      eff[j] = e;
      if (Math.abs(e) > amax) amax = Math.abs(e);
    }
    const br = bias === null ? 0 : (bias[r] as number);
    let s = amax / wMax;
    if (s === 0) s = br === 0 ? 1 : Math.abs(br) / BIAS_LIMIT;
    if (Math.abs(br) / s > BIAS_LIMIT) s = Math.abs(br) / BIAS_LIMIT;
    let rowAcc = 0;
    for (let j = 0; j < cols; j++) {
      const q = Math.max(-wMax, Math.min(wMax, rhaz((eff[j] as number) / s)));
      w[r * cols + j] = q;
      rowAcc += Math.abs(q) * 32768;
      if (q !== 0) nnz++;
    }
    const bq = Math.max(-BIAS_LIMIT, Math.min(BIAS_LIMIT, rhaz(br / s)));
    b[r] = bq;
    rowAcc += Math.abs(bq);
    if (rowAcc > accMax) accMax = rowAcc;
    const [mr, sr] = toMultiplier(s * pow2(outFrac));
    m[r] = mr;
    sh[r] = sr;
  }
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = new Int32Array(nnz);
  const wNz = new Float64Array(nnz);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    rowPtr[r] = k;
    for (let j = 0; j < cols; j++) {
      const q = w[r * cols + j] as number;
      if (q !== 0) {
        colIdx[k] = j;
        wNz[k] = q;
        k++;
      }
    }
  }
  rowPtr[rows] = k;
  let accBits = 0;
  while (accBits < 60 && pow2(accBits) <= accMax) accBits++;
  return { rows, cols, wMax, w, b, m, sh, outFrac, accBits: accBits + 1, rowPtr, colIdx, wNz };
}

/**
 * y[yOff + r] = sat16(rq(b_r + Σ w_rj·x[xOff + j], m_r, sh_r)). rq is written out here: acc
 * exceeds the small-integer range, and passing it to a call that V8 does not inline would box
 * it (a heap allocation per call).
 */
export function stepLinear(L: QLinear, x: Int32Array, xOff: number, y: Int32Array, yOff: number): void {
  const { rowPtr, colIdx, wNz, b, m, sh } = L;
  for (let r = 0; r < L.rows; r++) {
    let acc = b[r] as number;
    const end = rowPtr[r + 1] as number;
    for (let k = rowPtr[r] as number; k < end; k++) acc += (wNz[k] as number) * (x[xOff + (colIdx[k] as number)] as number);
    const s = sh[r] as number;
    const p = acc * (m[r] as number);
    const v = s === 0 ? p : Math.floor((p + (P2[s - 1] as number)) * (IP2[s] as number));
    y[yOff + r] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}

/** The integer parameters a firmware needs (weights dense row-major: zeros are data too). */
export function linearJson(L: QLinear): Record<string, unknown> {
  return {
    rows: L.rows, cols: L.cols, outFrac: L.outFrac, wMax: L.wMax, accBits: L.accBits,
    w: Array.from(L.w), b: Array.from(L.b), m: Array.from(L.m), sh: Array.from(L.sh),
  };
}
