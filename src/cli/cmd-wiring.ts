import {
  makeAutoNcp, makeFullyConnected, makeNcp, makeRandom, wiringToJson, type Wiring,
} from '../models/wiring/index.ts';
import { getBool, getNumber, usage, type CommandSpec, type Parsed } from './args.ts';
import { printJson, type Command } from './command.ts';

const KINDS = {
  ncp: ['inter', 'command', 'motor', 'sensory-fanout', 'inter-fanout', 'recurrent-command', 'motor-fanin', 'seed', 'input-dim'],
  autoncp: ['units', 'outputs', 'sparsity', 'seed', 'input-dim'],
  'fully-connected': ['units', 'outputs', 'seed', 'self-connections', 'input-dim'],
  random: ['units', 'outputs', 'sparsity', 'seed', 'input-dim'],
} as const;
type Kind = keyof typeof KINDS;
const OPTIONAL = new Set(['seed', 'sparsity', 'outputs', 'self-connections']);

const spec: CommandSpec = {
  name: 'wiring',
  summary: 'build an ncps wiring (same arguments and seed give the same matrices as ncps)',
  usage: [
    'lnn wiring ncp --inter N --command N --motor N --sensory-fanout N --inter-fanout N',
    '                 --recurrent-command N --motor-fanin N [--seed S] --input-dim N [--json]',
    '       lnn wiring autoncp --units N --outputs N [--sparsity F] [--seed S] --input-dim N [--json]',
    '       lnn wiring fully-connected --units N [--outputs N] [--seed S] [--self-connections=false] --input-dim N [--json]',
    '       lnn wiring random --units N [--outputs N] [--sparsity F] [--seed S] --input-dim N [--json]',
  ].join('\n'),
  options: [
    { name: 'inter', kind: 'int', value: 'N', help: 'NCP inter neurons' },
    { name: 'command', kind: 'int', value: 'N', help: 'NCP command neurons' },
    { name: 'motor', kind: 'int', value: 'N', help: 'NCP motor neurons (outputs)' },
    { name: 'sensory-fanout', kind: 'int', value: 'N', help: 'NCP: inter neurons each input feeds' },
    { name: 'inter-fanout', kind: 'int', value: 'N', help: 'NCP: command neurons each inter neuron feeds' },
    { name: 'recurrent-command', kind: 'int', value: 'N', help: 'NCP: recurrent command synapses (draws)' },
    { name: 'motor-fanin', kind: 'int', value: 'N', help: 'NCP: command neurons feeding each motor neuron' },
    { name: 'units', kind: 'int', value: 'N', help: 'total neurons (autoncp, fully-connected, random)' },
    { name: 'outputs', kind: 'int', value: 'N', help: 'motor neurons (autoncp: required)' },
    { name: 'sparsity', kind: 'number', value: 'F', help: 'autoncp: [0.1, 1.0], default 0.5; random: [0, 1), default 0' },
    { name: 'seed', kind: 'int', value: 'S', help: 'RNG seed (ncp/autoncp default 22222, others 1111)' },
    { name: 'self-connections', kind: 'bool', help: 'fully-connected: allow self synapses (default true)' },
    { name: 'input-dim', kind: 'int', value: 'N', help: 'input features (sensory neurons)' },
    { name: 'json', kind: 'bool', help: 'print {"units","input_dim","output_dim","layers","adjacency_matrix","sensory_adjacency_matrix"}' },
  ],
};

export const wiringCommand: Command = {
  spec,
  run(p, io) {
    const kind = p.positional[0];
    if (kind === undefined || !(kind in KINDS) || p.positional.length !== 1) {
      throw usage(spec, `expected a wiring kind: ${Object.keys(KINDS).join(', ')}`);
    }
    const w = build(kind as Kind, p);
    if (getBool(p, 'json')) printJson(io, wiringToJson(w));
    else io.out(formatWiring(w));
    return 0;
  },
};

function build(kind: Kind, p: Parsed): Wiring {
  const allowed: readonly string[] = KINDS[kind];
  for (const name of p.opts.keys()) {
    if (name === 'json' || name === 'debug' || name === 'help') continue;
    if (!allowed.includes(name)) throw usage(spec, `--${name} does not apply to a ${kind} wiring`);
  }
  for (const name of allowed) {
    if (!OPTIONAL.has(name) && !p.opts.has(name)) throw usage(spec, `a ${kind} wiring needs --${name}`);
  }
  if (kind === 'autoncp' && !p.opts.has('outputs')) throw usage(spec, 'an autoncp wiring needs --outputs');
  const n = (k: string): number => getNumber(p, k) as number;
  const inputDim = n('input-dim');
  switch (kind) {
    case 'ncp':
      return makeNcp({
        inter: n('inter'), command: n('command'), motor: n('motor'), sensoryFanout: n('sensory-fanout'),
        interFanout: n('inter-fanout'), recurrentCommandSynapses: n('recurrent-command'), motorFanin: n('motor-fanin'),
        seed: getNumber(p, 'seed') ?? 22222,
      }, inputDim);
    case 'autoncp':
      return makeAutoNcp(n('units'), n('outputs'), getNumber(p, 'sparsity') ?? 0.5, getNumber(p, 'seed') ?? 22222, inputDim);
    case 'fully-connected':
      return makeFullyConnected(n('units'), getNumber(p, 'outputs'), getNumber(p, 'seed') ?? 1111, p.opts.get('self-connections') !== false, inputDim);
    case 'random':
      return makeRandom(n('units'), getNumber(p, 'outputs'), getNumber(p, 'sparsity') ?? 0, getNumber(p, 'seed') ?? 1111, inputDim);
  }
}

/** A listing like ncps-spec §7: for each source, its targets with sign (+ excitatory). */
function formatWiring(w: Wiring): string {
  const names = w.layers.length === 3 ? ['inter', 'command', 'motor'] : ['units'];
  const lines = [
    `${w.kind}: ${w.units} neurons, ${w.inputDim} inputs, ${w.outputDim} outputs; ` +
      `${w.sensorySynapseCount} sensory + ${w.synapseCount} internal synapses`,
    ...w.layers.map((l, i) => `  ${names[i]}: ${l.length > 0 ? `${l[0]}..${l[l.length - 1]}` : '-'}`),
    'sensory -> neurons:',
  ];
  const row = (m: Int8Array, r: number): string => {
    const t: string[] = [];
    for (let c = 0; c < w.units; c++) {
      const v = m[r * w.units + c] as number;
      if (v !== 0) t.push(`${v > 0 ? '+' : '-'}${c}`);
    }
    return t.join(' ');
  };
  for (let s = 0; s < w.inputDim; s++) lines.push(`  s${s}: ${row(w.sensoryAdjacency, s)}`);
  lines.push('neurons -> neurons:');
  for (let n = 0; n < w.units; n++) {
    const r = row(w.adjacency, n);
    if (r !== '') lines.push(`  n${n}: ${r}`);
  }
  return `${lines.join('\n')}\n`;
}
