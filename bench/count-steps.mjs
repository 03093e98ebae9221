// Runs N steps of the lane NCP on one backend, for callgrind (bench/run.ts runs it under valgrind
// twice and takes the difference, so start-up and compilation cancel out). Plain JS over the
// built bundle: no TypeScript loader inside valgrind.
import { compile, initWiredCfcDoc, laneNcpWiring, loadModel } from '../dist/index.mjs';

const [backend, n] = process.argv.slice(2);
const model = loadModel(initWiredCfcDoc(laneNcpWiring(32), { seed: 1 }));
const p = compile(model, { backend });
const x = new Float64Array(p.inputSize);
const y = new Float64Array(p.outputSize);
for (let i = 0; i < Number(n); i++) {
  x[i & 31] = (i & 255) / 256;
  p.step(x, 0.05, y);
}
process.stdout.write(`${y[0]}\n`);
