// Parallel training over worker threads gives bit-identical parameters to the same number of
// gradient shards computed on one thread: shard gradients are summed in shard order, whatever
// the thread timing.

import { describe, expect, it } from 'vitest';
import { initWiredCfcDoc } from '../src/models/init.ts';
import { makeNcp } from '../src/models/wiring/index.ts';
import { trainSequencesParallel } from '../src/train/parallel.ts';
import { filterTask } from '../src/train/synthetic.ts';
import { trainSequences } from '../src/train/train.ts';

describe('trainSequencesParallel', () => {
  it('2 threads ≡ 2 shards on one thread, bit for bit', async () => {
    const w = makeNcp({ inter: 6, command: 4, motor: 1, sensoryFanout: 3, interFanout: 3, recurrentCommandSynapses: 3, motorFanin: 3, seed: 1 }, 3);
    // 21 windows in batches of 8: the last batch (5) splits unevenly, 2 + 3.
    const data = filterTask({ sequences: 7, length: 48, inputs: 3, seed: 5 });
    const opts = { modelDoc: initWiredCfcDoc(w, { seed: 3 }), data, epochs: 3, batch: 8, seqLen: 16, lr: 0.01, seed: 1 };
    const one = trainSequences({ ...opts, shards: 2 });
    const two = await trainSequencesParallel({ ...opts, threads: 2 });
    expect(two.history.map((h) => h.loss)).toEqual(one.history.map((h) => h.loss));
    expect(Array.from(two.view.params)).toEqual(Array.from(one.view.params));
  });
});
