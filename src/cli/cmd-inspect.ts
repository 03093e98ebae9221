import { summarizeModel, type ModelSummary } from '../models/summary.ts';
import type { CommandSpec } from './args.ts';
import { getBool, usage } from './args.ts';
import { printJson, type Command } from './command.ts';
import { loadAnyModel } from './load-any.ts';

const spec: CommandSpec = {
  name: 'inspect',
  summary: 'validate a model and show its stages, sizes, parameters and recurrent cell',
  usage: 'lnn inspect <model.lnn.json|ncps-export.json> [--json]',
  options: [{ name: 'json', kind: 'bool', help: 'print one JSON object instead of text' }],
};

export const inspectCommand: Command = {
  spec,
  run(p, io) {
    if (p.positional.length !== 1) throw usage(spec, 'expected exactly one model file');
    const loaded = loadAnyModel(p.positional[0] as string);
    const s = summarizeModel(loaded.model);
    if (getBool(p, 'json')) printJson(io, { file: p.positional[0], kind: loaded.kind, ...s });
    else io.out(formatSummary(s));
    return 0;
  },
};

function formatSummary(s: ModelSummary): string {
  const lines = [
    `${s.name} (${s.format}, source ${s.source})`,
    s.description === '' ? null : `  ${s.description}`,
    `  inputs ${s.input_size}, outputs ${s.output_size}, parameters ${s.parameters}`,
    '  stages:',
    ...s.stages.map((st) => `    ${String(st.index).padStart(2)} ${st.type.padEnd(10)} ${String(st.in).padStart(6)} -> ${String(st.out).padEnd(6)} params ${String(st.parameters).padEnd(8)} ${st.detail}`),
  ];
  const c = s.cell;
  if (c !== null) {
    lines.push(`  recurrent cell: ${c.type.toUpperCase()}, ${c.neurons} neurons, layers [${c.layers.join(', ')}]` +
      `${c.mode === null ? '' : `, mode ${c.mode}`}${c.mixed_memory ? ', mixed memory' : ''}`);
    if (c.synapses !== null) lines.push(`    synapses: ${c.sensory_synapses} sensory + ${c.synapses} between neurons${c.wiring === null ? '' : ` (wiring ${c.wiring})`}`);
    lines.push(`    state: ${c.state_size} values, ${c.state_layout}`);
  }
  return `${lines.filter((l) => l !== null).join('\n')}\n`;
}
