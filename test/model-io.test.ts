// Model documents: save/load round trip, masks built from wirings equal ncps's, init determinism,
// and the activation functions against known values.
import { describe, expect, it } from 'vitest';
import { erf, gelu, lecunTanh, softplus } from '../src/runtime/activations.ts';
import { initWiredCfcDoc, wiredLayerMasks } from '../src/models/init.ts';
import { loadModel } from '../src/models/load.ts';
import { importNcps } from '../src/models/ncps-import.ts';
import { modelJson } from '../src/models/save.ts';
import { makeAutoNcp } from '../src/models/wiring/index.ts';
import { compile } from '../src/runtime/compile.ts';
import { golden, type GoldenCase } from './helpers/fixtures.ts';
import { laneCfc, laneWiring } from './helpers/models.ts';

describe('save/load', () => {
  it.each(golden().cases.map((c) => [c.name, c] as const))('%s round-trips bit for bit', (_n, c) => {
    const m = importNcps(c).model;
    const doc = JSON.parse(JSON.stringify(modelJson(m)));
    expect(modelJson(loadModel(doc))).toEqual(modelJson(m));
  });
  it('a loaded model is frozen', () => {
    const m = laneCfc();
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(m.stages)).toBe(true);
    expect(Object.isFrozen(m.stages[0])).toBe(true);
  });
});

describe('wired CfC masks from wirings', () => {
  it('equal the sparsity masks ncps stored for AutoNCP(19, 1) with 8 inputs', () => {
    const c = golden().cases.find((x) => x.name === 'cfc_wired_autoncp19_default') as GoldenCase;
    const masks = wiredLayerMasks(makeAutoNcp(19, 1, 0.5, 22222, 8));
    expect(masks.length).toBe(3);
    masks.forEach((m, l) => {
      const want = c.state_dict[`rnn_cell.layer_${l}.sparsity_mask`];
      expect(m.mask.shape).toEqual(want?.shape);
      expect(m.mask.data).toEqual(want?.data);
    });
  });
  it('the lane NCP gives layers 12/6/1 with 32 → 12 → 6 → 1 inputs', () => {
    const masks = wiredLayerMasks(laneWiring());
    expect(masks.map((m) => [m.inSize, m.units])).toEqual([[32, 12], [12, 6], [6, 1]]);
    // 192 sensory synapses = the ones in layer 0's input block.
    const l0 = masks[0]!;
    let sensory = 0;
    for (let r = 0; r < 12; r++) for (let col = 0; col < 32; col++) sensory += l0.mask.data[r * 44 + col]!;
    expect(sensory).toBe(192);
  });
});

describe('seeded init', () => {
  it('same seed, same weights; other seed, other weights', () => {
    const w = laneWiring();
    const a = JSON.stringify(initWiredCfcDoc(w, { seed: 7 }));
    expect(JSON.stringify(initWiredCfcDoc(w, { seed: 7 }))).toBe(a);
    expect(JSON.stringify(initWiredCfcDoc(w, { seed: 8 }))).not.toBe(a);
  });
  it('a policy is deterministic and reset() restores the zero state', () => {
    const p = compile(laneCfc(), { backend: 'ref' });
    const x = Float64Array.from({ length: 32 }, (_, i) => Math.cos(i));
    const run = (): number[] => {
      p.reset();
      const y = new Float64Array(1);
      const out: number[] = [];
      for (let t = 0; t < 50; t++) { p.step(x, 0.05, y); out.push(y[0]!); }
      return out;
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(10); // the state really evolves
  });
});

describe('activations', () => {
  it('erf matches reference values to 1e-14', () => {
    // Reference values from scipy.special.erf (float64).
    const table: [number, number][] = [
      [0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497148],
      [2, 0.9953222650189527], [2.9, 0.9999589021219005], [3, 0.9999779095030014], [3.5, 0.9999992569016276],
      [4, 0.9999999845827421], [-1.5, -0.9661051464753108], [6.5, 1],
    ];
    for (const [x, v] of table) expect(Math.abs(erf(x) - v)).toBeLessThan(1e-14);
  });
  it('gelu, lecun_tanh and softplus follow torch', () => {
    expect(gelu(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(gelu(-2)).toBeCloseTo(-0.04550026389635842, 14);
    expect(lecunTanh(1)).toBeCloseTo(1.7159 * Math.tanh(0.666), 15);
    expect(softplus(25)).toBe(25); // above torch's threshold 20 the input passes through
    expect(softplus(0)).toBeCloseTo(Math.LN2, 15);
  });
});
