import { readJsonFile } from '../models/load.ts';
import { compileAsync, parseBackend } from '../runtime/compile.ts';
import { predict, readPredictInputs } from '../runtime/predict.ts';
import { getBool, getString, usage, type CommandSpec } from './args.ts';
import { printJson, type Command } from './command.ts';
import { loadAnyModel } from './load-any.ts';

const spec: CommandSpec = {
  name: 'predict',
  summary: 'run a model over an input sequence, with ncps shapes and return_sequences semantics',
  usage: 'lnn predict --model <model|ncps-export> --inputs <file.json> [--backend B] [--json]',
  options: [
    { name: 'model', kind: 'string', value: 'file', help: 'lnn-model/1 file or ncps export', required: true },
    { name: 'inputs', kind: 'string', value: 'file', help: '{"input": {"shape": [1,T,I], "data": [...]}, "timespans"?, "h0"?}', required: true },
    { name: 'backend', kind: 'string', value: 'name', help: 'ref | f32 | fixed | wasm | ort | auto (default auto)' },
    { name: 'json', kind: 'bool', help: 'print {"backend", "output", "final_state"} as one JSON object' },
  ],
};

export const predictCommand: Command = {
  spec,
  async run(p, io) {
    if (p.positional.length > 0) throw usage(spec, `unexpected argument "${p.positional[0]}"`);
    const loaded = loadAnyModel(getString(p, 'model') as string);
    const policy = await compileAsync(loaded.model, { backend: parseBackend(getString(p, 'backend') ?? 'auto') });
    const inputsFile = getString(p, 'inputs') as string;
    const inputs = readPredictInputs(readJsonFile(inputsFile), policy, loaded.batchFirst, inputsFile);
    const r = await predict(policy, inputs, loaded.model.source.returnSequences);
    await policy.dispose();
    if (getBool(p, 'json')) {
      printJson(io, { backend: policy.backend, output: r.output, final_state: r.final_state });
      return 0;
    }
    const O = policy.outputSize;
    io.out(`backend ${policy.backend}; output shape [${r.output.shape.join(', ')}]\n`);
    for (let i = 0; i < r.output.data.length; i += O) {
      io.out(`  ${r.output.data.slice(i, i + O).map((v) => v.toFixed(6)).join(' ')}\n`);
    }
    return 0;
  },
};
