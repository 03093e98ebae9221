// Training on several threads: each minibatch is split into S shards of consecutive sequences;
// the main thread computes shard 0 while worker threads compute the others, and the shard
// gradients are summed in shard order. The result is bit-identical to trainSequences with
// `shards: S` on one thread (test/train-parallel.test.ts), whatever the thread timing.

import { Worker } from 'node:worker_threads';
import { modelJson } from '../models/save.ts';
import type { SequenceData } from './data.ts';
import type { WorkerGrad, WorkerInit } from './grad-worker.ts';
import { shardRanges, stateWidth, subBatch, sumShards } from './shards.ts';
import { accumulate, newSums, TrainState, type TrainOptions, type TrainResult } from './train.ts';

export const DEFAULT_TRAIN_WORKER_URL = new URL('./grad-worker-tsx.mjs', import.meta.url);

export interface TrainParallelOptions extends TrainOptions {
  /** threads computing gradients, this one included (default 2: the 2-core target) */
  readonly threads?: number;
  /** the worker module (default: the tsx bootstrap beside this file) */
  readonly workerUrl?: URL;
}

type Msg = { type: 'ready' } | { type: 'done'; loss: number } | { type: 'error'; message: string; stack?: string };

function shared(a: Float64Array): Float64Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

function sharedData(d: SequenceData): SequenceData {
  return {
    ...d,
    inputs: shared(d.inputs),
    targets: shared(d.targets),
    dts: typeof d.dts === 'number' ? d.dts : shared(d.dts),
    masks: d.masks == null ? null : shared(d.masks),
  };
}

/** One worker thread with a promise-based request/response on top of its messages. */
class GradWorker {
  private pending: { resolve: (l: number) => void; reject: (e: Error) => void } | null = null;
  readonly ready: Promise<void>;

  constructor(readonly worker: Worker) {
    let onReady: () => void = () => {};
    this.ready = new Promise((r) => (onReady = r));
    worker.on('message', (m: Msg) => {
      if (m.type === 'ready') onReady();
      else if (m.type === 'done') this.settle(null, m.loss);
      else this.settle(Object.assign(new Error(`train worker: ${m.message}`), { stack: m.stack }), 0);
    });
    worker.on('error', (e) => this.settle(e instanceof Error ? e : new Error(String(e)), 0));
    worker.on('exit', (code) => {
      if (code !== 0) this.settle(new Error(`train worker exited with code ${code}`), 0);
    });
  }

  private settle(err: Error | null, loss: number): void {
    const p = this.pending;
    this.pending = null;
    if (p === null) return;
    if (err !== null) p.reject(err);
    else p.resolve(loss);
  }

  grad(msg: WorkerGrad): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }
}

/** trainSequences on `threads` threads (main + threads − 1 workers). */
export async function trainSequencesParallel(opts: TrainParallelOptions): Promise<TrainResult> {
  const threads = Math.max(1, opts.threads ?? 2);
  const data = sharedData(opts.data);
  const st = new TrainState({ ...opts, data, shards: threads });
  const view = st.view;
  const params = shared(new Float64Array(view.size));
  const parts = Array.from({ length: threads }, () => shared(new Float64Array(view.size)));
  const mainGrad = view.bind(parts[0] as Float64Array);
  const doc = modelJson(view.model);
  const url = opts.workerUrl ?? DEFAULT_TRAIN_WORKER_URL;
  const workers: GradWorker[] = [];
  try {
    for (let k = 1; k < threads; k++) {
      const w = new GradWorker(new Worker(url, { workerData: { lnnTrainWorker: true } }));
      workers.push(w);
      const init: WorkerInit = {
        type: 'init', doc, data, windows: st.loader.windows, seqLen: st.loader.seqLen, truncate: opts.truncate ?? 0,
        loss: opts.loss ?? {}, params, grad: parts[k] as Float64Array,
      };
      await w.ready;
      w.worker.postMessage(init);
    }
    const m = view.model;
    const H = stateWidth(m, 'h');
    const C = stateWidth(m, 'c');
    const engine = st.local.engine;
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const t0 = performance.now();
      const sums = newSums();
      for (const idx of st.loader.epoch()) {
        const batch = st.loader.gather(idx);
        const norm = engine.norm(batch);
        const ranges = shardRanges(batch.B, threads);
        params.set(view.params);
        const remote = ranges.slice(1).map(([b0, b1], k) => (workers[k] as GradWorker).grad({ type: 'grad', idx: idx.slice(b0, b1), norm }));
        // If this thread's shard throws, the workers are terminated and these reject unobserved.
        for (const r of remote) r.catch(() => {});
        (parts[0] as Float64Array).fill(0);
        const [b0, b1] = ranges[0] as [number, number];
        let loss = engine.lossAndGrad(subBatch(batch, b0, b1, m.inputSize, m.outputSize, H, C), mainGrad, norm);
        for (const l of await Promise.all(remote)) loss += l;
        sumShards(view, parts.slice(0, ranges.length), st.grads);
        accumulate(sums, loss, norm, st.apply());
      }
      if (st.endEpoch(epoch, sums, t0)) break;
    }
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
  return st.result();
}
