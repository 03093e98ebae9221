import { writeFileSync } from 'node:fs';
import { LnnError } from '../errors.ts';
import { exportOnnx } from '../models/onnx/export.ts';
import { readJsonFile } from '../models/load.ts';
import { writeJsonFile } from '../models/save.ts';
import { getString, usage, type CommandSpec } from './args.ts';
import type { Command } from './command.ts';
import { loadAnyModel } from './load-any.ts';
import { fixedVectorsDoc } from './fixed-glue.ts';

const TARGETS = ['onnx', 'fixed-vectors'] as const;

const spec: CommandSpec = {
  name: 'export',
  summary: 'write a model for another runtime: an ONNX graph of the policy step, or integer golden vectors for firmware',
  usage: 'lnn export --to onnx <model> -o <model.onnx>\n       lnn export --to fixed-vectors <model> [--inputs <file.json>] -o <vectors.json>',
  options: [
    { name: 'to', kind: 'string', value: 'target', help: `${TARGETS.join(' | ')}`, required: true },
    { name: 'out', kind: 'string', value: 'file', help: 'output file (also -o)', required: true },
    { name: 'inputs', kind: 'string', value: 'file', help: 'fixed-vectors: input sequence {"input": {"shape": [1,T,I], "data"}} (default: 64 seeded steps)' },
  ],
  notes: 'ONNX graph: inputs x [N, inputs], dt [N, 1], state [N, S]; outputs y [N, outputs], state_out [N, S] (state = [h | c]).',
};

export const exportCommand: Command = {
  spec,
  run(p, io) {
    const to = getString(p, 'to') as string;
    if (!(TARGETS as readonly string[]).includes(to)) throw usage(spec, `--to must be one of: ${TARGETS.join(', ')}`);
    if (p.positional.length !== 1) throw usage(spec, 'expected exactly one model file');
    const file = p.positional[0] as string;
    const out = getString(p, 'out') as string;
    const { model } = loadAnyModel(file);
    if (to === 'onnx') {
      const bytes = exportOnnx(model);
      try {
        writeFileSync(out, bytes);
      } catch (e) {
        throw new LnnError('LNN_E_FILE_WRITE', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: out });
      }
      io.err(`wrote ${out}: ${bytes.length} bytes, opset 17, inputs x/dt/state, outputs y/state_out\n`);
      return 0;
    }
    const inputsFile = getString(p, 'inputs');
    writeJsonFile(out, fixedVectorsDoc(model, inputsFile === undefined ? null : readJsonFile(inputsFile), inputsFile));
    io.err(`wrote ${out}\n`);
    return 0;
  },
};
