// Wirings against ncps itself (ncps-golden.json, made by real ncps), against the lane-keeping
// listing of ncps-spec.md §7, and against test/fixtures/wirings-numpy.json (ncps's algorithms
// re-run in Python on the REAL numpy RNGs by tools/gen_wiring_fixtures.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLnnError } from '../src/errors.ts';
import {
  autoNcpSizes,
  makeAutoNcp,
  makeFullyConnected,
  makeNcp,
  makeRandom,
  wiringFromConfig,
  wiringToJson,
  type Wiring,
} from '../src/models/wiring/index.ts';
import { FIXTURES, golden } from './helpers/fixtures.ts';

interface WiringCase {
  args: (number | boolean | null)[];
  units: number;
  input_dim: number;
  synapse_count: number;
  sensory_synapse_count: number;
  adjacency: string;
  sensory: string;
  layers?: number[][];
  sizes?: number[];
}
interface WiringFixture {
  numpy: string;
  ncp: WiringCase[];
  autoncp: WiringCase[];
  autoncp_errors: { args: number[]; error: string }[];
  fully_connected: WiringCase[];
  random: WiringCase[];
}

const fx = JSON.parse(readFileSync(`${FIXTURES}wirings-numpy.json`, 'utf8')) as WiringFixture;

/** The fixture packing: one char per entry, '+' = 1, '-' = −1, '0' = 0. */
function pack(m: Int8Array): string {
  let s = '';
  for (const v of m) s += v === 1 ? '+' : v === -1 ? '-' : '0';
  return s;
}

function expectCase(w: Wiring, c: WiringCase): void {
  expect(w.units).toBe(c.units);
  expect(w.inputDim).toBe(c.input_dim);
  expect(pack(w.adjacency)).toBe(c.adjacency);
  expect(pack(w.sensoryAdjacency)).toBe(c.sensory);
  expect(w.synapseCount).toBe(c.synapse_count);
  expect(w.sensorySynapseCount).toBe(c.sensory_synapse_count);
  if (c.layers) expect(w.layers).toEqual(c.layers);
}

function expectError(f: () => unknown, code = 'LNN_E_WIRING', field?: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(isLnnError(caught)).toBe(true);
  if (!isLnnError(caught)) return;
  expect(caught.code).toBe(code);
  if (field !== undefined) expect(caught.where.field).toBe(field);
}

const num = (v: number | boolean | null): number => v as number;
const opt = (v: number | boolean | null): number | undefined => (v === null ? undefined : (v as number));

describe('golden wirings produced by real ncps', () => {
  for (const [name, g] of Object.entries(golden().wirings)) {
    it(name, () => {
      const [kind, ...p] = g.ctor;
      const args = p as number[];
      const w =
        kind === 'ncp'
          ? makeNcp(
              {
                inter: args[0], command: args[1], motor: args[2], sensoryFanout: args[3],
                interFanout: args[4], recurrentCommandSynapses: args[5], motorFanin: args[6], seed: args[7],
              },
              g.input_dim,
            )
          : makeAutoNcp(args[0], args[1], args[2], args[3], g.input_dim);
      const json = wiringToJson(w);
      expect(json.units).toBe(g.units);
      expect(json.input_dim).toBe(g.input_dim);
      expect(json.output_dim).toBe(g.output_dim);
      expect(json.layers).toEqual(g.layers);
      expect(json.adjacency_matrix).toEqual(g.adjacency_matrix);
      expect(json.sensory_adjacency_matrix).toEqual(g.sensory_adjacency_matrix);
      expect(w.synapseCount).toBe(g.synapse_count);
      expect(w.sensorySynapseCount).toBe(g.sensory_synapse_count);
    });
  }
});

// ncps-spec.md §7, verbatim: "+j"/"−j" = excitatory/inhibitory synapse onto neuron j.
const LANE_KEEPING_LISTING = `
s0: +10 -12 -13 -14 -16 -17     s16: +7 -10 +11 +12 -14 +16
s1: +7 -11 +12 -14 -16 -17      s17: +11 -12 +13 +14 +15 +17
s2: +7 -10 -14 +15 -16 +17      s18: +7 -9 +12 -13 +15 -16
s3: -11 -12 +14 -15 +17 +18     s19: +8 -12 +13 -15 -17 +18
s4: -8 +12 +13 -14 -16 +18      s20: +8 +9 +10 -11 +12 -18
s5: +8 +9 +10 +11 +12 -15       s21: +9 -10 +12 -13 -16 -18
s6: +7 +8 +13 +14 +16 -18       s22: +7 -13 -15 +16 -17 +18
s7: -8 -10 +11 -13 +15 +16      s23: -8 +10 +12 +13 -14 -16
s8: +8 -9 +10 +12 -13 -15       s24: +8 +9 +10 +15 -17 -18
s9: +7 -9 +13 -14 +15 +18       s25: -7 +8 -9 -11 -15 -16
s10: +8 -9 +11 +13 -15 +17      s26: -7 -8 +10 +12 +13 +14
s11: -9 +10 +13 +16 +17 -18     s27: +9 -11 -14 +15 -17 -18
s12: -8 +10 -13 +16 -17 -18     s28: +7 -8 +9 -12 -14 -18
s13: +8 -9 -11 -15 -17 +18      s29: +7 -8 -10 -14 -16 -18
s14: -7 -10 +13 -14 +15 -18     s30: -7 -9 -11 -14 +15 -18
s15: +9 -10 -12 -13 -14 +18     s31: +8 +9 +12 +16 -17 +18
n1: -0 +1        n7: -1 -2 +5 +6     n13: +1 -3 +5 +6
n2: +0           n8: -3 +4 +5 +6     n14: +1 -2 +3 +6
n3: +0           n9: -1 -3 -4 -6     n15: +1 +3 -4 +6
n4: +0           n10: +2 +3 +4 -6    n16: -1 +3 -4 +6
n5: +0 -1 +3     n11: -1 -3 -4 +6    n17: -1 -2 +4 +6
n6: +0 +1        n12: -1 -2 +3 -4    n18: +2 +4 -5 -6
`;

describe('the 19-neuron lane-keeping NCP (12/6/1, fanouts 6/4/6/6, seed 22222, 32 inputs)', () => {
  const w = makeNcp(
    { inter: 12, command: 6, motor: 1, sensoryFanout: 6, interFanout: 4, recurrentCommandSynapses: 6, motorFanin: 6 },
    32,
  );

  it('has 192 sensory + 58 internal synapses and motor/command/inter ids 0 / 1-6 / 7-18', () => {
    expect(w.sensorySynapseCount).toBe(192);
    expect(w.synapseCount).toBe(58);
    expect(w.layers).toEqual([range(7, 12), range(1, 6), [0]]);
    expect(w.outputDim).toBe(1);
    expect(w.config).toMatchObject({ kind: 'ncp', seed: 22222 });
  });

  it('reproduces the published listing synapse for synapse', () => {
    const sens = new Int8Array(32 * 19);
    const adj = new Int8Array(19 * 19);
    for (const m of LANE_KEEPING_LISTING.matchAll(/([sn])(\d+):((?:\s+[+-]\d+)+)/g)) {
      const src = Number(m[2]);
      for (const t of m[3].trim().split(/\s+/)) {
        const dest = Number(t.slice(1));
        (m[1] === 's' ? sens : adj)[src * 19 + dest] = t[0] === '+' ? 1 : -1;
      }
    }
    expect(pack(w.sensoryAdjacency)).toBe(pack(sens));
    expect(pack(w.adjacency)).toBe(pack(adj));
  });
});

function range(start: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

describe(`NCP against numpy ${fx.numpy} RandomState (${fx.ncp.length} configurations)`, () => {
  it.each(fx.ncp)('NCP$args in=$input_dim', (c) => {
    const [inter, command, motor, sensoryFanout, interFanout, recurrentCommandSynapses, motorFanin, seed] =
      c.args.map(num);
    const w = makeNcp(
      { inter, command, motor, sensoryFanout, interFanout, recurrentCommandSynapses, motorFanin, seed },
      c.input_dim,
    );
    expectCase(w, c);
    expect(w.outputDim).toBe(motor);
  });
});

describe(`AutoNCP against numpy RandomState (${fx.autoncp.length} configurations)`, () => {
  it.each(fx.autoncp)('AutoNCP$args in=$input_dim', (c) => {
    const [units, outputSize, sparsity, seed] = c.args.map(num);
    const s = autoNcpSizes(units, outputSize, sparsity);
    expect([s.inter, s.command, s.motor, s.sensoryFanout, s.interFanout, s.recurrentCommandSynapses, s.motorFanin])
      .toEqual(c.sizes);
    const w = makeAutoNcp(units, outputSize, sparsity, seed, c.input_dim);
    expectCase(w, c);
    expect(w.kind).toBe('autoncp');
    expect(w.outputDim).toBe(outputSize);
  });

  it.each(fx.autoncp_errors)('AutoNCP$args is refused, as ncps refuses it', ({ args }) => {
    expectError(() => makeAutoNcp(args[0], args[1], args[2], 22222, 8));
  });

  it('sizes as the ncps-spec §6.5 table says', () => {
    const row = (u: number, o: number, sp: number): number[] => {
      const s = autoNcpSizes(u, o, sp);
      return [s.inter, s.command, s.motor, s.sensoryFanout, s.interFanout, s.recurrentCommandSynapses, s.motorFanin];
    };
    expect(row(8, 1, 0.5)).toEqual([5, 2, 1, 2, 1, 2, 1]);
    expect(row(19, 1, 0.9)).toEqual([11, 7, 1, 1, 1, 1, 1]);
    expect(row(32, 8, 0.5)).toEqual([15, 9, 8, 7, 4, 9, 4]);
    expect(row(64, 2, 0.5)).toEqual([38, 24, 2, 19, 12, 24, 12]);
  });
});

describe(`FullyConnected against numpy default_rng (${fx.fully_connected.length} configurations)`, () => {
  it.each(fx.fully_connected)('FullyConnected$args in=$input_dim', (c) => {
    const [units, out, seed, self] = c.args;
    const w = makeFullyConnected(num(units), opt(out), num(seed), self as boolean, c.input_dim);
    expectCase(w, c);
    expect(w.outputDim).toBe(opt(out) ?? num(units));
    expect(w.layers).toEqual([range(0, num(units))]);
  });
});

describe(`Random against numpy default_rng (${fx.random.length} configurations)`, () => {
  it.each(fx.random)('Random$args in=$input_dim', (c) => {
    const [units, out, sparsity, seed] = c.args;
    expectCase(makeRandom(num(units), opt(out), num(sparsity), num(seed), c.input_dim), c);
  });
});

describe('invalid arguments', () => {
  const lane = {
    inter: 12, command: 6, motor: 1, sensoryFanout: 6, interFanout: 4, recurrentCommandSynapses: 6, motorFanin: 6,
  };
  it.each([
    ['motor_fanin', { motorFanin: 7 }],
    ['sensory_fanout', { sensoryFanout: 13 }],
    ['inter_fanout', { interFanout: 7 }],
    ['motor_fanin', { motorFanin: 0 }],
    ['inter_neurons', { inter: -1 }],
    ['command_neurons', { command: 2.5 }],
    ['motor_neurons', { motor: 0 }],
    ['recurrent_command_synapses', { recurrentCommandSynapses: -1 }],
    ['recurrent_command_synapses', { recurrentCommandSynapses: Number.NaN }],
    ['seed', { seed: 2 ** 32 }],
    ['seed', { seed: -1 }],
    ['seed', { seed: 0.5 }],
  ] as const)('NCP %s %o → LNN_E_WIRING', (field, patch) => {
    expectError(() => makeNcp({ ...lane, ...patch }, 32), 'LNN_E_WIRING', field);
  });

  it('names the limit in ncps words', () => {
    expect(() => makeNcp({ ...lane, motorFanin: 7 }, 32)).toThrow(
      'motor_fanin is 7 but there are only 6 command neurons (allowed 1..6)',
    );
    expect(() => makeAutoNcp(19, 17, 0.5, 22222, 8)).toThrow('output_size must be less than units - 2');
    expect(() => makeAutoNcp(19, 1, 0.05, 22222, 8)).toThrow('sparsity_level must be a number in [0.1, 1]');
  });

  it.each([0, -3, 1.5, Number.NaN])('input_dim %s → LNN_E_WIRING', (inputDim) => {
    expectError(() => makeNcp(lane, inputDim), 'LNN_E_WIRING', 'input_dim');
    expectError(() => makeFullyConnected(4, undefined, 1111, true, inputDim), 'LNN_E_WIRING', 'input_dim');
  });

  it('AutoNCP: output_size >= units − 2, sparsity outside [0.1, 1.0], bad counts and seeds', () => {
    expectError(() => makeAutoNcp(19, 17, 0.5, 22222, 8), 'LNN_E_WIRING', 'output_size');
    expectError(() => makeAutoNcp(19, 0, 0.5, 22222, 8), 'LNN_E_WIRING', 'output_size');
    expectError(() => makeAutoNcp(19, 1, 0.0999, 22222, 8), 'LNN_E_WIRING', 'sparsity_level');
    expectError(() => makeAutoNcp(19, 1, 1.0001, 22222, 8), 'LNN_E_WIRING', 'sparsity_level');
    expectError(() => makeAutoNcp(19, 1, Number.NaN, 22222, 8), 'LNN_E_WIRING', 'sparsity_level');
    expectError(() => makeAutoNcp(19.5, 1, 0.5, 22222, 8), 'LNN_E_WIRING', 'units');
    expectError(() => makeAutoNcp(-19, 1, 0.5, 22222, 8), 'LNN_E_WIRING', 'units');
    expectError(() => makeAutoNcp(19, 1, 0.5, 2 ** 32, 8), 'LNN_E_WIRING', 'seed');
    expectError(() => makeAutoNcp(19, 1, 0.5, -5, 8), 'LNN_E_WIRING', 'seed');
  });

  it('FullyConnected and Random: output_dim, sparsity and seeds', () => {
    expectError(() => makeFullyConnected(4, 5, 1111, true, 2), 'LNN_E_WIRING', 'output_dim');
    expectError(() => makeFullyConnected(0, undefined, 1111, true, 2), 'LNN_E_WIRING', 'units');
    expectError(() => makeFullyConnected(4, undefined, -1, true, 2), 'LNN_E_WIRING', 'erev_init_seed');
    expectError(() => makeRandom(4, undefined, 1.0, 1111, 2), 'LNN_E_WIRING', 'sparsity_level');
    expectError(() => makeRandom(4, undefined, -0.1, 1111, 2), 'LNN_E_WIRING', 'sparsity_level');
    expectError(() => makeRandom(4, undefined, 0.5, 1.5, 2), 'LNN_E_WIRING', 'random_seed');
  });

  it('sizes past the sane limits are LNN_E_LIMIT', () => {
    expectError(() => makeFullyConnected(100_000, undefined, 1111, true, 2), 'LNN_E_LIMIT', 'units');
    expectError(() => makeNcp({ ...lane, inter: 5000 }, 32), 'LNN_E_LIMIT', 'inter_neurons');
    expectError(() => makeNcp(lane, 10_000_000), 'LNN_E_LIMIT', 'input_dim');
  });

  it('rejects an unknown kind in a config', () => {
    const bad = { kind: 'mystery', units: 4 } as unknown as Parameters<typeof wiringFromConfig>[0];
    expectError(() => wiringFromConfig(bad, 3), 'LNN_E_WIRING', 'kind');
  });
});

describe('determinism, round trip and frozen data', () => {
  const builds: [string, () => Wiring][] = [
    ['lane-keeping NCP', () => makeNcp({ inter: 12, command: 6, motor: 1, sensoryFanout: 6, interFanout: 4,
      recurrentCommandSynapses: 6, motorFanin: 6, seed: 22222 }, 32)],
    ['NCP seed 2^32-1', () => makeNcp({ inter: 7, command: 5, motor: 3, sensoryFanout: 2, interFanout: 5,
      recurrentCommandSynapses: 0, motorFanin: 1, seed: 2 ** 32 - 1 }, 9)],
    ['AutoNCP(28, 4, 0.5)', () => makeAutoNcp(28, 4, 0.5, 22222, 16)],
    ['AutoNCP(64, 8, 1.0, seed 0)', () => makeAutoNcp(64, 8, 1.0, 0, 64)],
    ['FullyConnected(12, 2, no self)', () => makeFullyConnected(12, 2, 5, false, 7)],
    ['Random(30, 4, 0.3)', () => makeRandom(30, 4, 0.3, 99, 11)],
  ];

  it.each(builds)('%s: two builds are identical and config rebuilds it bit for bit', (_name, build) => {
    const a = build();
    const b = build();
    expect(pack(b.adjacency)).toBe(pack(a.adjacency));
    expect(pack(b.sensoryAdjacency)).toBe(pack(a.sensoryAdjacency));
    const c = wiringFromConfig(a.config, a.inputDim);
    expect(c.kind).toBe(a.kind);
    expect(Array.from(c.adjacency)).toEqual(Array.from(a.adjacency));
    expect(Array.from(c.sensoryAdjacency)).toEqual(Array.from(a.sensoryAdjacency));
    expect(c.config).toEqual(a.config);
    expect(JSON.stringify(wiringToJson(c))).toBe(JSON.stringify(wiringToJson(a)));
    // The config survives a JSON round trip too (plain numbers and strings only).
    const d = wiringFromConfig(JSON.parse(JSON.stringify(a.config)), a.inputDim);
    expect(JSON.stringify(wiringToJson(d))).toBe(JSON.stringify(wiringToJson(a)));
  });

  it.each(builds)('%s: wiring, layers and config are frozen', (_name, build) => {
    const w = build();
    expect(Object.isFrozen(w)).toBe(true);
    expect(Object.isFrozen(w.layers)).toBe(true);
    expect(w.layers.every((l) => Object.isFrozen(l))).toBe(true);
    expect(Object.isFrozen(w.config)).toBe(true);
  });

  it('wiringToJson has exactly the ncps keys, with nested number arrays', () => {
    const json = wiringToJson(makeAutoNcp(8, 1, 0.5, 22222, 3));
    expect(Object.keys(json).sort()).toEqual(
      ['adjacency_matrix', 'input_dim', 'layers', 'output_dim', 'sensory_adjacency_matrix', 'units'],
    );
    expect(json.adjacency_matrix).toHaveLength(8);
    expect(json.adjacency_matrix[0]).toHaveLength(8);
    expect(json.sensory_adjacency_matrix).toHaveLength(3);
    expect(json.sensory_adjacency_matrix[2]).toHaveLength(8);
    expect(json.layers).toEqual([[3, 4, 5, 6, 7], [1, 2], [0]]);
  });

  it('AutoNCP config keeps the AutoNCP arguments, not the derived NCP counts', () => {
    expect(makeAutoNcp(19, 1, 0.5, 22222, 32).config).toEqual({
      kind: 'autoncp', units: 19, outputSize: 1, sparsityLevel: 0.5, seed: 22222,
    });
  });
});
