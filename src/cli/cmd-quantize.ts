import { readJsonFile } from '../models/load.ts';
import { quantizeModel } from '../models/quantize/quantize.ts';
import { writeJsonFile } from '../models/save.ts';
import { getNumber, getString, usage, type CommandSpec } from './args.ts';
import type { Command } from './command.ts';
import { readSequence } from './fixed-glue.ts';
import { loadAnyModel } from './load-any.ts';

const spec: CommandSpec = {
  name: 'quantize',
  summary: 'derive fixed-point formats from calibration data (for the fixed backend and the firmware)',
  usage: 'lnn quantize --model <model> --calib <inputs.json> --dt <seconds> [--weight-bits 8..16|auto] [--headroom F] -o <model.q.lnn.json>',
  options: [
    { name: 'model', kind: 'string', value: 'file', help: 'model to quantise', required: true },
    { name: 'calib', kind: 'string', value: 'file', help: 'calibration sequence, {"input": {"shape": [1,T,I], "data": [...]}, "timespans"?}', required: true },
    { name: 'out', kind: 'string', value: 'file', help: 'output model (also -o): the same model with meta.quant', required: true },
    { name: 'dt', kind: 'number', value: 'S', help: 'nominal control period in seconds (default 1, ncps\'s timespan; pass your loop period)' },
    { name: 'weight-bits', kind: 'string', value: 'N|auto', help: '8..16, or auto: int8 when within 0.02 of ref on the calibration data, else int16' },
    { name: 'headroom', kind: 'number', value: 'F', help: 'factor on observed ranges (default 2)' },
  ],
  notes: 'The formats are specified in docs/fixed-point.md; `lnn predict --backend fixed` and the firmware use them.',
};

export const quantizeCommand: Command = {
  spec,
  run(p, io) {
    if (p.positional.length > 0) throw usage(spec, `unexpected argument "${p.positional[0]}"`);
    const { model } = loadAnyModel(getString(p, 'model') as string);
    const calibFile = getString(p, 'calib') as string;
    const seq = readSequence(model, readJsonFile(calibFile), calibFile);
    const wb = getString(p, 'weight-bits') ?? 'auto';
    const weightBits = wb === 'auto' ? 'auto' : Number(wb);
    if (weightBits !== 'auto' && !(Number.isInteger(weightBits) && weightBits >= 8 && weightBits <= 16)) throw usage(spec, '--weight-bits must be 8..16 or auto');
    const dt = getNumber(p, 'dt');
    const headroom = getNumber(p, 'headroom');
    const doc = quantizeModel(model, seq.x, {
      weightBits,
      ...(dt !== undefined ? { dtS: dt } : {}),
      ...(seq.dt !== null ? { dtPerStepS: seq.dt } : {}),
      ...(headroom !== undefined ? { headroom } : {}),
    });
    const out = getString(p, 'out') as string;
    writeJsonFile(out, doc);
    io.err(`wrote ${out} (${seq.x.length / model.inputSize} calibration steps)\n`);
    return 0;
  },
};
