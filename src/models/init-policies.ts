// Untrained policies with the shapes of the shipped ones (DESIGN.md §8.3), for benchmarks, tests
// and as the starting point of training: a camera conv head feeding the 19-neuron lane NCP.

import { InitRng, initWiredCfcDoc } from './init.ts';
import { MODEL_FORMAT, type CfcMode } from './types.ts';
import { makeNcp, type Wiring } from './wiring/index.ts';

type Doc = Record<string, unknown>;

/** The lane-keeping NCP of Lechner et al. 2020 in ncps terms (ncps-spec §7): 12/6/1, seed 22222. */
export function laneNcpWiring(inputDim = 32): Wiring {
  return makeNcp({ inter: 12, command: 6, motor: 1, sensoryFanout: 6, interFanout: 4, recurrentCommandSynapses: 6, motorFanin: 6, seed: 22222 }, inputDim);
}

export interface LanePolicyInit {
  readonly seed: number;
  /** camera [height, width], grayscale in [0, 1]; 16×64 by default (DESIGN.md §5) */
  readonly camera?: readonly [number, number];
  readonly mode?: CfcMode;
}

/**
 * camera (1×H×W) → normalise → conv 5×5/2 (8) → relu → conv 3×3/2 (8) → relu → flatten →
 * dense → 32 features (tanh) → NCP CfC 12/6/1 → steering. The NCP paper's head has 5 conv layers on
 * 78×200 RGB; at 16×64 grayscale two strided layers reach the same 32-feature bottleneck.
 */
export function initLanePolicyDoc(opts: LanePolicyInit): Doc {
  const [H, W] = opts.camera ?? [16, 64];
  const rng = new InitRng(opts.seed);
  const n = H * W;
  const h1 = Math.floor((H + 4 - 5) / 2) + 1;
  const w1 = Math.floor((W + 4 - 5) / 2) + 1;
  const h2 = Math.floor((h1 + 2 - 3) / 2) + 1;
  const w2 = Math.floor((w1 + 2 - 3) / 2) + 1;
  const flat = 8 * h2 * w2;
  const he = (fanIn: number): number => Math.sqrt(6 / fanIn);
  const ncp = initWiredCfcDoc(laneNcpWiring(32), { seed: opts.seed + 1, mode: opts.mode ?? 'default' }) as { stages: Doc[] };
  const stages: Doc[] = [
    { type: 'normalise', mean: { shape: [n], data: new Array<number>(n).fill(0.5) }, std: { shape: [n], data: new Array<number>(n).fill(0.25) } },
    { type: 'conv2d', inShape: [1, H, W], stride: [2, 2], padding: [2, 2], weight: rng.tensor([8, 1, 5, 5], -he(25), he(25)), bias: rng.tensor([8], -0.01, 0.01) },
    { type: 'activation', fn: 'relu' },
    { type: 'conv2d', stride: [2, 2], padding: [1, 1], weight: rng.tensor([8, 8, 3, 3], -he(72), he(72)), bias: rng.tensor([8], -0.01, 0.01) },
    { type: 'activation', fn: 'relu' },
    { type: 'flatten' },
    { type: 'dense', ...rng.linear(32, flat), activation: 'tanh' },
    ...ncp.stages,
  ];
  return {
    format: MODEL_FORMAT, name: 'lane-keeping-ncp19-untrained', inputSize: n, outputSize: 1,
    source: { kind: 'hand', returnSequences: true }, meta: { camera: [H, W] }, stages,
  };
}
