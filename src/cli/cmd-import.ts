import { basename } from 'node:path';
import { readJsonFile } from '../models/load.ts';
import { importNcps } from '../models/ncps-import.ts';
import { writeJsonFile } from '../models/save.ts';
import { summarizeModel } from '../models/summary.ts';
import { getString, usage, type CommandSpec } from './args.ts';
import type { Command } from './command.ts';

const spec: CommandSpec = {
  name: 'import',
  summary: 'convert an ncps (PyTorch) export into a native lnn-model/1 file',
  usage: 'lnn import ncps <export.json> -o <model.lnn.json> [--name NAME]',
  options: [
    { name: 'out', kind: 'string', value: 'file', help: 'output model file (also -o)', required: true },
    { name: 'name', kind: 'string', value: 'name', help: 'model name stored in the file (default: from the export)' },
  ],
  notes: 'The export is the JSON written by tools/ncps_export.py (see docs/ncps-import.md).\nMasked CfC weights are multiplied by their masks; the file is validated like any model.',
};

export const importCommand: Command = {
  spec,
  run(p, io) {
    const [kind, file] = p.positional;
    if (kind !== 'ncps' || file === undefined || p.positional.length !== 2) {
      throw usage(spec, 'expected: lnn import ncps <export.json> -o <model.lnn.json>');
    }
    const out = getString(p, 'out') as string;
    const name = getString(p, 'name') ?? basename(file).replace(/\.(ncps\.)?json$/, '');
    const imp = importNcps(readJsonFile(file), file, name);
    writeJsonFile(out, imp.doc);
    const s = summarizeModel(imp.model);
    io.err(`imported ${file} -> ${out}: ${s.cell?.type.toUpperCase() ?? 'model'} with ${s.cell?.neurons ?? 0} neurons, ${s.parameters} parameters\n`);
    return 0;
  },
};
