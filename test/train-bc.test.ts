// Behaviour-cloning data and training for the lane task: recording is deterministic, the
// on-disk dataset format round-trips, and a short training run on a few episodes lowers the loss.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDataset, encodeDataset, laneDatasetCached, planLaneDataset, readDataset, recordLaneDataset, toSequenceData, writeDataset } from '../src/train/bc/dataset.ts';
import { initLaneDoc } from '../src/train/bc/lane-train.ts';
import { recordLaneEpisode } from '../src/train/bc/record.ts';
import { paramView } from '../src/train/params.ts';
import { evaluateLoss, trainSequences } from '../src/train/train.ts';
import { loadModel } from '../src/models/load.ts';
import { compile } from '../src/runtime/compile.ts';

describe('lane behaviour-cloning data', () => {
  it('records the same frames and labels for the same seed, different ones for another', () => {
    const a = recordLaneEpisode(4242, { mode: 'noise', durationS: 2 });
    const b = recordLaneEpisode(4242, { mode: 'noise', durationS: 2 });
    const c = recordLaneEpisode(4243, { mode: 'noise', durationS: 2 });
    expect(a.steps).toBe(60);
    expect(a.pixels).toBe(16 * 64);
    expect(a.frames.length).toBe(a.steps * a.pixels);
    expect(Buffer.from(a.frames.buffer).equals(Buffer.from(b.frames.buffer))).toBe(true);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.labels)).not.toEqual(Array.from(c.labels));
    for (const v of a.frames) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('labels stay the clean expert command under noise injection', () => {
    // the expert drives the same track in both runs; noise changes where the car goes, so the
    // frames differ, but every label is still a steering angle the clean expert would command
    const clean = recordLaneEpisode(77, { mode: 'expert', durationS: 2 });
    const noisy = recordLaneEpisode(77, { mode: 'noise', durationS: 2, noiseRad: 0.15 });
    expect(clean.labels[0]).toBe(noisy.labels[0]);
    expect(Buffer.from(clean.frames.buffer).equals(Buffer.from(noisy.frames.buffer))).toBe(false);
  });

  it('round-trips through the binary format and the cache', () => {
    const spec = { episodes: 3, seed: 31000, durationS: 1 };
    const ds = recordLaneDataset(spec);
    expect(planLaneDataset(spec).map((p) => p.opts.mode)).toEqual(['expert', 'noise', 'noise']);
    const back = decodeDataset(encodeDataset(ds));
    expect(back.episodes).toEqual(ds.episodes);
    expect(back.pixels).toBe(ds.pixels);
    expect(back.dtS).toBe(ds.dtS);
    back.frames.forEach((f, k) => expect(Buffer.from(f.buffer).equals(Buffer.from(ds.frames[k]!.buffer))).toBe(true));
    back.labels.forEach((l, k) => expect(Array.from(l)).toEqual(Array.from(ds.labels[k]!)));
    const dir = mkdtempSync(join(tmpdir(), 'lnn-bc-test-'));
    try {
      const file = join(dir, 'd.lnbc');
      writeDataset(file, ds);
      expect(readDataset(file).labels[2]).toEqual(ds.labels[2]);
      const first = laneDatasetCached(dir, spec);
      expect(first.cached).toBe(false);
      const second = laneDatasetCached(dir, spec);
      expect(second.cached).toBe(true);
      expect(second.ds.labels[1]).toEqual(first.ds.labels[1]);
      expect(() => decodeDataset(Buffer.from('nope'))).toThrow(/magic/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a short training run on a few episodes lowers the loss and saves a runnable model', () => {
    const ds = recordLaneDataset({ episodes: 3, seed: 32000, durationS: 2 });
    const data = toSequenceData(ds);
    const doc = initLaneDoc('cfc', 5);
    const before = evaluateLoss(paramView(doc), data, { seqLen: 16, batch: 4 });
    const res = trainSequences({ modelDoc: doc, data, epochs: 6, batch: 4, seqLen: 16, lr: 3e-3, seed: 1 });
    const after = evaluateLoss(res.view, data, { seqLen: 16, batch: 4 });
    expect(after).toBeLessThan(before);
    const model = loadModel(res.doc);
    const p = compile(model, { backend: 'ref' });
    const out = new Float64Array(1);
    p.step(Float64Array.from(ds.frames[0]!.subarray(0, ds.pixels)), ds.dtS, out);
    expect(Number.isFinite(out[0])).toBe(true);
  }, 30000);
});
