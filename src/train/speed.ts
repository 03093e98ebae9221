// Training-speed probe: forward and forward+backward time per sequence-step of a model on a
// random batch, best of several repetitions (a busy machine only ever makes a run slower).
// For sizing training runs and for bench/, never for timed assertions in tests.

import type { Model } from '../models/types.ts';
import { randomBatch } from './gradcheck.ts';
import { paramView } from './params.ts';
import { GradEngine } from './seq-tape.ts';

export interface StepTime {
  readonly B: number;
  readonly T: number;
  /** microseconds per sequence-step (one frame of one sequence), best repetition */
  readonly forwardUs: number;
  readonly forwardBackwardUs: number;
}

export function measureStepTime(model: Model | Record<string, unknown>, opts: { B?: number; T?: number; reps?: number } = {}): StepTime {
  const B = opts.B ?? 20;
  const T = opts.T ?? 16;
  const reps = opts.reps ?? 7;
  const view = paramView(model);
  const batch = randomBatch(view.model, B, T, 1, 0, 1);
  const engine = new GradEngine(view.model);
  const grad = view.bind(new Float64Array(view.size));
  const best = (f: () => void): number => {
    f(); // warm-up: JIT and the tape allocation
    let t = Infinity;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      f();
      t = Math.min(t, performance.now() - t0);
    }
    return (t * 1000) / (B * T);
  };
  return {
    B, T,
    forwardUs: best(() => void engine.forward(batch)),
    forwardBackwardUs: best(() => void engine.lossAndGrad(batch, grad)),
  };
}
