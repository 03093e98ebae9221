// Bit-exactness probe for tools/arm64/check.sh: the lane-sized CfC (three modes), LTC and LSTM,
// and the coverage models (every stage and activation), each compiled with the data-free default
// formats (as `compile(model, { backend: 'fixed' })` does), run over a seeded sequence in
// integers, and hashed (vectors.ts fixedHashes: formats, integer parameters, run). check.sh runs
// this bundle under the host Node and under arm64 Node (qemu-user) and compares the lines.
import { InitRng } from '../../src/models/init.ts';
import type { Model } from '../../src/models/types.ts';
import { COVERAGE_MODELS } from '../../src/runtime/fixed/coverage-models.ts';
import { fixedHashes, type FixedHashes } from '../../src/runtime/fixed/vectors.ts';
import { laneCfc, laneLstm, laneLtc } from '../../test/helpers/models.ts';

const STEPS = Number(process.env.LNN_ARM64_STEPS ?? 400);

const models: (readonly [string, () => Model])[] = [
  ['lane-cfc-default', () => laneCfc('default')],
  ['lane-cfc-no_gate', () => laneCfc('no_gate')],
  ['lane-cfc-pure', () => laneCfc('pure')],
  ['lane-ltc', () => laneLtc()],
  ['lane-lstm', () => laneLstm()],
  ...COVERAGE_MODELS,
];

const results: Record<string, FixedHashes> = {};
const t0 = Date.now();
for (const [name, make] of models) {
  const model = make();
  const x = Float64Array.from(new InitRng(2024).tensor([STEPS * model.inputSize], -1, 1).data);
  results[name] = fixedHashes(model, x, STEPS);
}
process.stdout.write(`${JSON.stringify({ arch: process.arch, node: process.version, steps: STEPS, ms: Date.now() - t0, results })}\n`);
