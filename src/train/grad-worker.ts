// Worker-thread entry of the parallel trainer (parallel.ts). Protocol:
//   in:  { type: 'init', ... }   then   { type: 'grad', idx, norm }  (one per minibatch shard)
//   out: { type: 'ready' }, { type: 'done', loss } or { type: 'error', message, stack }
// The dataset, the parameters and this worker's gradient buffer are SharedArrayBuffer views, so
// a step moves only window indices: the worker reads the parameters the main thread wrote
// before posting, and writes its shard's gradient where the main thread will sum it. It runs
// the same code as ShardedGrad on the same values, hence bit-identical shard gradients.

import { parentPort, workerData } from 'node:worker_threads';
import { BatchLoader, type SequenceData } from './data.ts';
import type { LossOptions } from './loss.ts';
import { paramView, type ParamView } from './params.ts';
import { GradEngine } from './seq-tape.ts';

export interface WorkerInit {
  readonly type: 'init';
  readonly doc: Record<string, unknown>;
  readonly data: SequenceData;
  readonly windows: Int32Array;
  readonly seqLen: number;
  readonly truncate: number;
  readonly loss: LossOptions;
  /** shared: the main thread's parameters */
  readonly params: Float64Array;
  /** shared: where this worker writes its gradient */
  readonly grad: Float64Array;
}

export interface WorkerGrad {
  readonly type: 'grad';
  /** window indices of this shard, in batch order */
  readonly idx: Int32Array;
  /** the whole batch's loss denominator */
  readonly norm: number;
}

interface Ctx {
  readonly view: ParamView;
  readonly engine: GradEngine;
  readonly loader: BatchLoader;
  readonly init: WorkerInit;
  readonly gradModel: ReturnType<ParamView['bind']>;
}

const port = (workerData as { lnnTrainWorker?: boolean } | null)?.lnnTrainWorker === true ? parentPort : null;
if (port !== null) {
  let ctx: Ctx | null = null;
  port.on('message', (m: WorkerInit | WorkerGrad) => {
    try {
      if (m.type === 'init') {
        const view = paramView(m.doc);
        ctx = {
          view, init: m, engine: new GradEngine(view.model, m.truncate, m.loss),
          loader: new BatchLoader(m.data, m.windows, m.seqLen, 1, 0, false), gradModel: view.bind(m.grad),
        };
        return;
      }
      const c = ctx as Ctx;
      c.view.params.set(c.init.params);
      c.init.grad.fill(0);
      const loss = c.engine.lossAndGrad(c.loader.gather(m.idx), c.gradModel, m.norm);
      port.postMessage({ type: 'done', loss });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      port.postMessage({ type: 'error', message: err.message, stack: err.stack });
    }
  });
  port.postMessage({ type: 'ready' });
}
