// The trainable parameter view of a model: all trainable tensors live in one Float64Array, and
// `model` is the frozen Model whose weight arrays are subarrays of it. The forward and backward
// kernels read `model`, so an optimiser step on `params` is seen by the next forward pass with no
// copying. `bind(buffer)` builds the same structure over any other buffer of the same layout:
// the gradient (one per worker or shard) is just a Model-shaped view over a gradient vector.

import { loadModel } from '../models/load.ts';
import { modelJson } from '../models/save.ts';
import type { Model } from '../models/types.ts';
import { listTensors, mapModelTensors } from './walk.ts';

type Doc = Record<string, unknown>;

export interface ParamSlice {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  readonly shape: readonly number[];
  /** clipped to >= 0 after each optimiser step (LTC without implicit constraints) */
  readonly nonNegative: boolean;
}

export interface ParamView {
  /** the model, its trainable arrays aliased into `params` */
  readonly model: Model;
  /** (size) every trainable value, slices in walk order */
  readonly params: Float64Array;
  readonly slices: readonly ParamSlice[];
  /** (size) 1 where an entry is not trained (a masked CfC synapse); it stays exactly 0 */
  readonly frozen: Uint8Array;
  readonly size: number;
  /** the same structure over another buffer of `size` values (a gradient, a worker's copy) */
  bind(buffer: Float64Array): Model;
}

/** Builds the view from a Model or an `lnn-model/1` document (validated by loadModel). */
export function paramView(source: Model | Doc): ParamView {
  const model = isModel(source) ? source : loadModel(source);
  const tensors = listTensors(model);
  const slices: ParamSlice[] = [];
  let size = 0;
  for (const { data, info } of tensors) {
    slices.push({ name: info.name, offset: size, length: data.length, shape: info.shape, nonNegative: info.nonNegative });
    size += data.length;
  }
  const params = new Float64Array(size);
  const frozen = new Uint8Array(size);
  tensors.forEach(({ data, info }, k) => {
    const off = (slices[k] as ParamSlice).offset;
    params.set(data, off);
    if (info.mask !== null) {
      for (let i = 0; i < data.length; i++) {
        if ((info.mask[i] as number) === 0) {
          frozen[off + i] = 1;
          // loadModel already zeroed masked CfC weights; keep that an invariant of the view.
          params[off + i] = 0;
        }
      }
    }
  });
  const bind = (buffer: Float64Array): Model => {
    if (buffer.length !== size) throw new Error(`bind: buffer has ${buffer.length} values, the view ${size}`);
    let k = 0;
    return mapModelTensors(model, () => {
      const s = slices[k++] as ParamSlice;
      return buffer.subarray(s.offset, s.offset + s.length);
    });
  };
  return { model: bind(params), params, slices, frozen, size, bind };
}

function isModel(x: Model | Doc): x is Model {
  return Array.isArray((x as Model).stages) && typeof (x as Model).cellIndex === 'number';
}

/** Zeroes gradient entries of parameters that are not trained. */
export function zeroFrozen(view: ParamView, grads: Float64Array): void {
  const fz = view.frozen;
  for (let i = 0; i < fz.length; i++) if (fz[i] === 1) grads[i] = 0;
}

/**
 * What ncps does after each optimiser step (`apply_weight_constraints`): clip the positive LTC
 * parameters at 0 when they are used raw. Also re-asserts that masked entries are exactly 0.
 */
export function applyConstraints(view: ParamView, params: Float64Array = view.params): void {
  for (const s of view.slices) {
    if (!s.nonNegative) continue;
    for (let i = s.offset; i < s.offset + s.length; i++) if ((params[i] as number) < 0) params[i] = 0;
  }
  zeroFrozen(view, params);
}

/** The slice named `name` as a subarray of `buffer` (params or a gradient). */
export function sliceOf(view: ParamView, buffer: Float64Array, name: string): Float64Array {
  const s = view.slices.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no parameter named ${name}`);
  return buffer.subarray(s.offset, s.offset + s.length);
}

export interface DocOptions {
  readonly name?: string;
  readonly description?: string;
  /** merged into the document's meta (training command, dataset, history summary) */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** source.kind of the result; 'lnn-train' by default */
  readonly kind?: 'ncps' | 'lnn-train' | 'hand';
}

/**
 * The parameters as a new `lnn-model/1` document (values copied, so later steps do not alter
 * it). Every backend runs it: it passes through loadModel like any file.
 */
export function viewToDoc(view: ParamView, params: Float64Array = view.params, opts: DocOptions = {}): Doc {
  const m = view.bind(Float64Array.from(params));
  const model: Model = Object.freeze({
    ...m,
    name: opts.name ?? m.name,
    description: opts.description ?? m.description,
    source: Object.freeze({ ...m.source, kind: opts.kind ?? 'lnn-train' }),
    meta: Object.freeze({ ...m.meta, ...(opts.meta ?? {}) }),
  });
  return modelJson(model);
}
