// What `lnn inspect` reports: sizes, parameter counts, and the recurrent cell's neurons, layers
// and synapses, computed from the frozen model.

import { stageOutSize, type CfcStage, type Linear, type LtcStage, type Model, type Stage } from './types.ts';

export interface StageSummary {
  readonly index: number;
  readonly type: Stage['type'];
  readonly in: number;
  readonly out: number;
  /** stored numbers (weights, biases), masks excluded */
  readonly parameters: number;
  readonly detail: string;
}

export interface CellSummary {
  readonly type: 'cfc' | 'ltc' | 'lstm';
  readonly neurons: number;
  /** neurons per layer in state order (wired CfC: [inter, command, motor]) */
  readonly layers: readonly number[];
  readonly mode: string | null;
  readonly mixed_memory: boolean;
  /** existing synapses (mask entries = 1) between neurons and from inputs, null when dense */
  readonly synapses: number | null;
  readonly sensory_synapses: number | null;
  readonly state_size: number;
  readonly state_layout: string;
  readonly wiring: string | null;
}

export interface ModelSummary {
  readonly name: string;
  readonly format: string;
  readonly description: string;
  readonly input_size: number;
  readonly output_size: number;
  readonly parameters: number;
  readonly source: string;
  readonly stages: readonly StageSummary[];
  readonly cell: CellSummary | null;
}

function linCount(l: Linear | null): number {
  return l === null ? 0 : l.weight.length + (l.bias?.length ?? 0);
}

function ones(m: Uint8Array | null): number {
  if (m === null) return 0;
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i] as number;
  return n;
}

function stageParams(s: Stage): number {
  switch (s.type) {
    case 'normalise': return s.mean.length + s.std.length;
    case 'conv2d': return s.weight.length + (s.bias?.length ?? 0);
    case 'activation': case 'flatten': return 0;
    case 'clamp': return s.min.length + s.max.length;
    case 'dense': case 'readout': return linCount(s);
    case 'cfc': {
      let n = s.mixedMemory === null ? 0 : linCount(s.mixedMemory.inputMap) + linCount(s.mixedMemory.recurrentMap);
      for (const l of s.layers) {
        n += l.backbone.reduce((a, b) => a + linCount(b), 0);
        n += linCount(l.ff1) + linCount(l.ff2) + linCount(l.timeA) + linCount(l.timeB);
        n += (l.wTau?.length ?? 0) + (l.A?.length ?? 0);
      }
      return n;
    }
    case 'ltc': {
      const mm = s.mixedMemory === null ? 0 : linCount(s.mixedMemory.inputMap) + linCount(s.mixedMemory.recurrentMap);
      return 3 * s.units + 4 * s.units * s.units + 4 * s.inSize * s.units +
        (s.inputW?.length ?? 0) + (s.inputB?.length ?? 0) + (s.outputW?.length ?? 0) + (s.outputB?.length ?? 0) + mm;
    }
    case 'lstm': return s.weightIh.length + s.weightHh.length + s.biasIh.length + s.biasHh.length;
  }
}

function stageDetail(s: Stage): string {
  switch (s.type) {
    case 'conv2d': return `${s.inShape.join('x')} -> ${s.outShape.join('x')}, kernel ${s.kernel.join('x')}, stride ${s.stride.join('x')}, padding ${s.padding.join('x')}`;
    case 'activation': return s.fn;
    case 'dense': return `activation ${s.activation}`;
    case 'cfc': return `mode ${s.mode}, layers [${s.layers.map((l) => l.units).join(', ')}]${s.mixedMemory === null ? '' : ', mixed memory'}`;
    case 'ltc': return `${s.odeUnfolds} ODE unfolds, implicit constraints ${s.implicitConstraints ? 'on' : 'off'}, mapping ${s.inputMapping}/${s.outputMapping}`;
    case 'lstm': return `${s.units} units`;
    default: return '';
  }
}

function cfcCell(s: CfcStage): CellSummary {
  const wired = s.layers.some((l) => l.mask !== null);
  // Synapses between neurons: the mask rows from the previous layer (excluding the dense
  // intra-layer block, which ncps always adds); sensory synapses: layer 0's input rows.
  let synapses = 0;
  let sensory = 0;
  s.layers.forEach((l, i) => {
    if (l.mask === null) return;
    for (let r = 0; r < l.units; r++) {
      for (let c = 0; c < l.inSize; c++) {
        const on = l.mask[r * (l.inSize + l.units) + c] as number;
        if (i === 0) sensory += on; else synapses += on;
      }
    }
  });
  return {
    type: 'cfc', neurons: s.units, layers: s.layers.map((l) => l.units), mode: s.mode, mixed_memory: s.mixedMemory !== null,
    synapses: wired ? synapses : null, sensory_synapses: wired ? sensory : null, state_size: s.units,
    state_layout: s.layers.length === 3 ? 'layer order [inter | command | motor]' : 'unit order',
    wiring: s.wiring?.kind ?? null,
  };
}

function ltcCell(s: LtcStage): CellSummary {
  return {
    type: 'ltc', neurons: s.units, layers: [s.units], mode: null, mixed_memory: s.mixedMemory !== null,
    synapses: ones(s.mask), sensory_synapses: ones(s.sensoryMask), state_size: s.units,
    state_layout: `neuron-id order (motor neurons 0..${s.motorSize - 1} first)`, wiring: s.wiring?.kind ?? null,
  };
}

export function summarizeModel(m: Model): ModelSummary {
  let width = m.inputSize;
  const stages = m.stages.map((s, index) => {
    const out = stageOutSize(s);
    const r: StageSummary = { index, type: s.type, in: width, out, parameters: stageParams(s), detail: stageDetail(s) };
    width = out;
    return r;
  });
  const c = m.cellIndex >= 0 ? (m.stages[m.cellIndex] as Stage) : null;
  let cell: CellSummary | null = null;
  if (c?.type === 'cfc') cell = cfcCell(c);
  else if (c?.type === 'ltc') cell = ltcCell(c);
  else if (c?.type === 'lstm') {
    cell = {
      type: 'lstm', neurons: c.units, layers: [c.units], mode: null, mixed_memory: false, synapses: null, sensory_synapses: null,
      state_size: c.units, state_layout: 'h and c', wiring: null,
    };
  }
  return {
    name: m.name, format: m.format, description: m.description, input_size: m.inputSize, output_size: m.outputSize,
    parameters: stages.reduce((a, s) => a + s.parameters, 0), source: m.source.kind, stages, cell,
  };
}
