// Finite-difference checks of the backward pass: central differences in float64,
//   numeric_i = (L(p + h·e_i) − L(p − h·e_i)) / 2h,
// compared with the analytic gradient entry by entry. Used by the tests on every stage type and
// CfC mode; callable on any model (e.g. after adding a stage) as a debugging aid.

import { RandomState } from '../models/rng/mt19937.ts';
import type { Model } from '../models/types.ts';
import { zeroFrozen, type ParamView } from './params.ts';
import { GradEngine, type SeqBatch } from './seq-tape.ts';
import type { LossOptions } from './loss.ts';

export interface GradcheckOptions {
  /** step of the central difference (default 1e-4 with order 4, 1e-6 with order 2) */
  readonly h?: number;
  /**
   * 4 (default): the five-point stencil (−L(2h) + 8L(h) − 8L(−h) + L(−2h)) / 12h, truncation
   * O(h⁴), so h can be large enough that the rounding of L stays far below the gradient;
   * 2: the plain (L(h) − L(−h)) / 2h.
   */
  readonly order?: 2 | 4;
  /** check only this many entries, drawn with `seed` (default: all) */
  readonly sample?: number;
  readonly seed?: number;
  readonly truncate?: number;
  readonly loss?: LossOptions;
  /**
   * denominator floor of the relative error, |a − n| / max(|a|, |n|, floor): entries far below
   * the gradient's scale carry the rounding noise of L, not the quality of backward
   * (default 1e-6 · max|analytic|)
   */
  readonly floor?: number;
}

export interface GradcheckResult {
  readonly checked: number;
  /** max over checked entries of |a − n| / max(|a|, |n|, floor) */
  readonly maxRelError: number;
  readonly maxAbsError: number;
  /** the entry with the largest relative error */
  readonly worst: { readonly name: string; readonly index: number; readonly analytic: number; readonly numeric: number } | null;
  /** gradient entries of frozen (masked) parameters that are not exactly 0: must be 0 */
  readonly frozenNonZero: number;
  readonly loss: number;
}

/** The analytic gradient of the batch loss w.r.t. view.params (frozen entries zeroed). */
export function analyticGradient(view: ParamView, batch: SeqBatch, truncate = 0, loss: LossOptions = {}): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(view.size);
  const engine = new GradEngine(view.model, truncate, loss);
  const l = engine.lossAndGrad(batch, view.bind(grad));
  zeroFrozen(view, grad);
  return { loss: l, grad };
}

export function gradcheck(view: ParamView, batch: SeqBatch, opts: GradcheckOptions = {}): GradcheckResult {
  const order = opts.order ?? 4;
  const h = opts.h ?? (order === 4 ? 1e-4 : 1e-6);
  const { loss, grad } = analyticGradient(view, batch, opts.truncate ?? 0, opts.loss ?? {});
  let gmax = 0;
  for (let i = 0; i < grad.length; i++) gmax = Math.max(gmax, Math.abs(grad[i] as number));
  const floor = opts.floor ?? 1e-6 * gmax;
  const engine = new GradEngine(view.model, opts.truncate ?? 0, opts.loss ?? {});
  const p = view.params;
  let frozenNonZero = 0;
  const candidates: number[] = [];
  for (let i = 0; i < view.size; i++) {
    if (view.frozen[i] === 1) {
      if (grad[i] !== 0) frozenNonZero++;
    } else candidates.push(i);
  }
  let indices = candidates;
  if (opts.sample !== undefined && opts.sample < candidates.length) {
    const perm = new RandomState(opts.seed ?? 0).permutation(candidates.length);
    indices = Array.from(perm.subarray(0, opts.sample), (k) => candidates[k] as number).sort((a, b) => a - b);
  }
  let maxRel = 0;
  let maxAbs = 0;
  let worst: GradcheckResult['worst'] = null;
  for (const i of indices) {
    const p0 = p[i] as number;
    const at = (d: number): number => {
      p[i] = p0 + d;
      return engine.lossOnly(batch);
    };
    const numeric = order === 4
      ? (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)
      : (at(h) - at(-h)) / (2 * h);
    p[i] = p0;
    const analytic = grad[i] as number;
    const abs = Math.abs(analytic - numeric);
    maxAbs = Math.max(maxAbs, abs);
    const rel = abs / Math.max(Math.abs(analytic), Math.abs(numeric), floor, Number.MIN_VALUE);
    if (rel > maxRel || worst === null) {
      maxRel = Math.max(maxRel, rel);
      worst = { name: nameOf(view, i), index: i, analytic, numeric };
    }
  }
  return { checked: indices.length, maxRelError: maxRel, maxAbsError: maxAbs, worst, frozenNonZero, loss };
}

function nameOf(view: ParamView, i: number): string {
  for (const s of view.slices) if (i >= s.offset && i < s.offset + s.length) return `${s.name}[${i - s.offset}]`;
  return `#${i}`;
}

/** A batch of seeded uniform inputs in [−1, 1], dts in [0.5, 1.5], targets in [−1, 1], masks 1. */
export function randomBatch(model: Model, B: number, T: number, seed: number, lo = -1, hi = 1): SeqBatch {
  const rs = new RandomState(seed);
  const u = (a: number, b: number): number => a + (b - a) * (rs.nextU32() / 4294967296);
  const fill = (n: number, a: number, b: number): Float64Array => Float64Array.from({ length: n }, () => u(a, b));
  return {
    B, T,
    inputs: fill(B * T * model.inputSize, lo, hi),
    dts: fill(B * T, 0.5, 1.5),
    targets: fill(B * T * model.outputSize, -1, 1),
    masks: new Float64Array(B * T).fill(1),
  };
}
