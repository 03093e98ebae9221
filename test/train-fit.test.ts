// End to end: trainSequences fits a task that needs memory. A wired CfC NCP learns to output a
// low-pass-filtered copy of one input channel (y_t = 0.6·y_{t−1} + 0.4·x_t) and its held-out
// loss drops by at least 10×; the trained document reloads and the ref backend reproduces the
// trainer's outputs.

import { describe, expect, it } from 'vitest';
import { initLstmDoc, initWiredCfcDoc } from '../src/models/init.ts';
import { loadModel } from '../src/models/load.ts';
import { makeNcp } from '../src/models/wiring/index.ts';
import { paramView } from '../src/train/params.ts';
import { filterTask } from '../src/train/synthetic.ts';
import { evaluateLoss, trainSequences, type EpochRecord } from '../src/train/train.ts';

const wiring = makeNcp({ inter: 6, command: 4, motor: 1, sensoryFanout: 3, interFanout: 3, recurrentCommandSynapses: 3, motorFanin: 3, seed: 1 }, 3);

describe('trainSequences', () => {
  it('a CfC NCP learns a filtered copy of an input channel (held-out loss ÷ ≥ 10)', () => {
    const data = filterTask({ sequences: 32, length: 64, inputs: 3, seed: 5 });
    const validation = filterTask({ sequences: 8, length: 64, inputs: 3, seed: 6 });
    const modelDoc = initWiredCfcDoc(wiring, { seed: 3 });
    const before = evaluateLoss(paramView(modelDoc), validation);
    const seen: EpochRecord[] = [];
    const r = trainSequences({
      modelDoc, data, validation, epochs: 30, batch: 8, seqLen: 16, lr: 0.01, seed: 1,
      schedule: { kind: 'cosine', total: 30 * 8, minLr: 0.001 }, onEpoch: (e) => void seen.push(e),
    });
    const after = r.history[r.history.length - 1]!.valLoss!;
    expect(seen.length).toBe(30);
    expect(before / after).toBeGreaterThan(10);
    expect(after).toBeCloseTo(evaluateLoss(paramView(loadModel(r.doc)), validation), 12);
  });

  it('onEpoch can stop training early; an LSTM baseline trains through the same loop', () => {
    const data = filterTask({ sequences: 8, length: 32, inputs: 3, seed: 2 });
    const lstm = initLstmDoc(3, 1, { seed: 4 });
    const r = trainSequences({ modelDoc: lstm, data, epochs: 50, batch: 4, lr: 0.01, onEpoch: (e) => (e.epoch === 4 ? 'stop' : undefined) });
    expect(r.history.length).toBe(5);
    expect(r.history[4]!.loss).toBeLessThan(r.history[0]!.loss);
  });
});
