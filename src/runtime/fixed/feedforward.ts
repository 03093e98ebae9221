// The feed-forward stages in integers (docs/fixed-point.md §5.2): normalise, conv2d, activation,
// flatten, dense, readout, clamp. Each op reads the previous stage's int16 buffer x (formats
// xFrac, one per element) and writes its own buffer y (formats outFrac).

import type {
  ActivationStage, ClampStage, Conv2dStage, DenseStage, NormaliseStage, ReadoutStage,
} from '../../models/types.ts';
import { pow2, quantConst, rhaz, rq, sat16, toMultiplier } from './arith.ts';
import { actJson, applyAct, prepareAct } from './act.ts';
import { linearJson, prepareLinear, stepLinear } from './linear.ts';
import type { FixedContext, FixedOp } from './op.ts';

function uniform(n: number, f: number): Int32Array {
  return new Int32Array(n).fill(f);
}

function sameFrac(xFrac: Int32Array, what: string): number {
  const f = xFrac[0] as number;
  for (let i = 1; i < xFrac.length; i++) if (xFrac[i] !== f) throw new Error(`${what} needs one input format`);
  return f;
}

/** y_i = sat16(rq(x_i − o_i, m_i, sh_i)), o_i = rhaz(mean_i·2^xFrac_i), M_i = 2^(out − xFrac_i) / std_i. */
export function normaliseOp(s: NormaliseStage, xFrac: Int32Array, outFrac: number, x: Int32Array, y: Int32Array): FixedOp {
  const n = s.size;
  const o = new Int32Array(n);
  const m = new Int32Array(n);
  const sh = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    o[i] = quantConst(s.mean[i] as number, xFrac[i] as number, 1073741824);
    [m[i], sh[i]] = toMultiplier(pow2(outFrac - (xFrac[i] as number)) / (s.std[i] as number));
  }
  return {
    outFrac: uniform(n, outFrac), cell: null, accBits: 32,
    run: () => {
      for (let i = 0; i < n; i++) y[i] = sat16(rq((x[i] as number) - (o[i] as number), m[i] as number, sh[i] as number));
    },
    json: () => ({ type: 'normalise', size: n, outFrac, offset: Array.from(o), m: Array.from(m), sh: Array.from(sh) }),
  };
}

/** Direct convolution over CHW, zero padding; one int8 row (C·kh·kw) and requantiser per output channel. */
export function conv2dOp(s: Conv2dStage, xFrac: Int32Array, outFrac: number, ctx: FixedContext, x: Int32Array, y: Int32Array): FixedOp {
  const [C, H, W] = s.inShape;
  const [K, Ho, Wo] = s.outShape;
  const [kh, kw] = s.kernel;
  const [sy, sx] = s.stride;
  const [py, px] = s.padding;
  const fan = C * kh * kw;
  const L = prepareLinear(s.weight, s.bias, K, fan, uniform(fan, sameFrac(xFrac, 'conv2d')), outFrac, ctx.weightBits);
  const { w, b, m, sh } = L;
  return {
    outFrac: uniform(K * Ho * Wo, outFrac), cell: null, accBits: L.accBits,
    run: () => {
      for (let k = 0; k < K; k++) {
        const mk = m[k] as number;
        const sk = sh[k] as number;
        for (let oy = 0; oy < Ho; oy++) {
          for (let ox = 0; ox < Wo; ox++) {
            let acc = b[k] as number;
            for (let c = 0; c < C; c++) {
              for (let dy = 0; dy < kh; dy++) {
                const iy = oy * sy - py + dy;
                if (iy < 0 || iy >= H) continue;
                const wRow = ((k * C + c) * kh + dy) * kw;
                const xRow = (c * H + iy) * W;
                for (let dx = 0; dx < kw; dx++) {
                  const ix = ox * sx - px + dx;
                  if (ix < 0 || ix >= W) continue;
                  acc += (w[wRow + dx] as number) * (x[xRow + ix] as number);
                }
              }
            }
            y[(k * Ho + oy) * Wo + ox] = sat16(rq(acc, mk, sk));
          }
        }
      }
    },
    json: () => ({ type: 'conv2d', inShape: [...s.inShape], outShape: [...s.outShape], kernel: [kh, kw], stride: [sy, sx], padding: [py, px], ...linearJson(L) }),
  };
}

export function activationOp(s: ActivationStage, xFrac: Int32Array, x: Int32Array, y: Int32Array): FixedOp {
  const A = prepareAct(s.fn, sameFrac(xFrac, `activation ${s.fn}`));
  const n = s.size;
  return {
    outFrac: uniform(n, A.outFrac), cell: null, accBits: 32,
    run: () => {
      y.set(x);
      applyAct(A, y, 0, n);
    },
    json: () => ({ type: 'activation', size: n, ...actJson(A) }),
  };
}

export function flattenOp(size: number, xFrac: Int32Array, x: Int32Array, y: Int32Array): FixedOp {
  return { outFrac: Int32Array.from(xFrac), cell: null, accBits: 16, run: () => y.set(x), json: () => ({ type: 'flatten', size }) };
}

/** Linear into the pre-activation format, then the activation in place. */
export function denseOp(s: DenseStage, xFrac: Int32Array, preFrac: number, ctx: FixedContext, x: Int32Array, y: Int32Array): FixedOp {
  const L = prepareLinear(s.weight, s.bias, s.outSize, s.inSize, xFrac, preFrac, ctx.weightBits);
  const A = prepareAct(s.activation, preFrac);
  return {
    outFrac: uniform(s.outSize, A.outFrac), cell: null, accBits: L.accBits,
    run: () => {
      stepLinear(L, x, 0, y, 0);
      applyAct(A, y, 0, s.outSize);
    },
    json: () => ({ type: 'dense', ...linearJson(L), activation: actJson(A) }),
  };
}

export function readoutOp(s: ReadoutStage, xFrac: Int32Array, outFrac: number, ctx: FixedContext, x: Int32Array, y: Int32Array): FixedOp {
  const L = prepareLinear(s.weight, s.bias, s.outSize, s.inSize, xFrac, outFrac, ctx.weightBits);
  return {
    outFrac: uniform(s.outSize, outFrac), cell: null, accBits: L.accBits,
    run: () => stepLinear(L, x, 0, y, 0),
    json: () => ({ type: 'readout', ...linearJson(L) }),
  };
}

/** Bounds in the input's format: lo = ceil(min·2^f), hi = floor(max·2^f), both saturated to int16. */
export function clampOp(s: ClampStage, xFrac: Int32Array, x: Int32Array, y: Int32Array): FixedOp {
  const n = s.size;
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const sc = pow2(xFrac[i] as number);
    let l = sat16(Math.ceil((s.min[i] as number) * sc));
    let h = sat16(Math.floor((s.max[i] as number) * sc));
    if (l > h) l = h = sat16(rhaz((s.min[i] as number) * sc));
    lo[i] = l;
    hi[i] = h;
  }
  return {
    outFrac: Int32Array.from(xFrac), cell: null, accBits: 16,
    run: () => {
      for (let i = 0; i < n; i++) {
        const v = x[i] as number;
        const l = lo[i] as number;
        const h = hi[i] as number;
        y[i] = v < l ? l : v > h ? h : v;
      }
    },
    json: () => ({ type: 'clamp', size: n, lo: Array.from(lo), hi: Array.from(hi) }),
  };
}
