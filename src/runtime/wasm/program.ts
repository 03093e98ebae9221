// A model → one generated module: the stages in order, each stage's output in its own buffer
// (flatten aliases its input), the recurrent state at `sp`. Two entry points, one per layout:
//
//   single  step(dt: f64)        the input vector is read from `inputAt`, the output written at
//                                `outputAt`; dt is rounded to f32 and broadcast to every lane.
//   batch   stepBatch(blocks: i32) for each block of 4 agents: gather the agents' inputs from
//                                the row-major staging area into slots, run the stages, scatter
//                                the outputs back row-major; dt per agent from `dtAt`.
//
// Weights are not baked into the code: they live in memory (written by the host after
// instantiation), so a host can rewrite them; the code depends only on shapes and sparsity.

import { stageOutSize, type Model, type Stage } from '../../models/types.ts';
import { FunctionBody } from './emit/code.ts';
import { ModuleBuilder } from './emit/module.ts';
import { F64, I32, Op, Simd, V128 } from './emit/opcodes.ts';
import { makeCellState, type CellState } from './cell-state.ts';
import { emitCfc } from './cfc.ts';
import { emitConv2d } from './conv2d.ts';
import {
  emitActivationStage, emitClamp, emitDense, emitNormalise, emitReadout,
} from './feedforward.ts';
import { emitLstm } from './gates.ts';
import { makeBuf, type Buf, type Gen } from './gen.ts';
import { Lanes, type LaneKind } from './lanes.ts';
import type { PackedLinear } from './linear.ts';
import { emitLtc } from './ltc.ts';
import { MemoryPlan } from './memory-plan.ts';

/**
 * Sweeps that unroll (LTC synapses) do so up to this many live (unit, column) pairs: the lane
 * NCP has 250 per block, a fully connected 64-neuron LTC 4,096 (≈ 160 KB of code).
 */
const UNROLL_PAIRS = 6000;
/**
 * Accumulators per tile. x86-64 has 16 vector registers and V8 keeps one for scratch; tiles of
 * 8 leave room for the loads and the broadcast column. Measured on the lane NCP (in-place step,
 * min of 1000-step chunks): single 12 → 370 ns, 8 → 320 ns, 6 → 360 ns; batch per agent
 * 12 → 390 ns, 8 → 295 ns, 4 → 330 ns.
 */
const MAX_ACCS: Readonly<Record<LaneKind, number>> = { single: 8, batch: 8 };

export interface Program {
  readonly kind: LaneKind;
  readonly lanes: Lanes;
  readonly bytes: Uint8Array;
  readonly plan: MemoryPlan;
  /** blocks of 4 agents (batch), 1 (single) */
  readonly blocks: number;
  /** single: the input and output vectors; batch: row-major (blocks·4 × size) staging */
  readonly inputAt: number;
  readonly outputAt: number;
  /** batch: Δt per agent (blocks·4 floats); single: unused (0) */
  readonly dtAt: number;
  readonly stateAt: number;
  /** state bytes per block */
  readonly stateBytes: number;
  readonly cell: CellState | null;
  /** the model's last readout stage, packed, or null */
  readonly readout: { readonly stage: number; readonly packed: PackedLinear } | null;
}

export function buildProgram(model: Model, kind: LaneKind, agents = 1): Program {
  const lanes = new Lanes(kind);
  const plan = new MemoryPlan();
  const blocks = kind === 'single' ? 1 : Math.ceil(agents / 4);
  const I = model.inputSize;
  const O = model.outputSize;
  const cellStage = model.cellIndex >= 0 ? (model.stages[model.cellIndex] as Stage) : null;
  const cell = cellStage !== null && (cellStage.type === 'cfc' || cellStage.type === 'ltc' || cellStage.type === 'lstm')
    ? makeCellState(lanes, cellStage) : null;
  const stateBytes = cell === null ? 16 : cell.bytes;
  const stateAt = plan.alloc(stateBytes * blocks);
  const inStage = kind === 'batch' ? plan.alloc(blocks * 4 * I * 4) : 0;
  const outStage = kind === 'batch' ? plan.alloc(blocks * 4 * O * 4) : 0;
  const dtAt = kind === 'batch' ? plan.alloc(blocks * 16) : 0;

  const a = new FunctionBody(kind === 'single' ? [F64] : [I32]);
  const sp = a.local(I32);
  const ts = a.local(V128);
  const g: Gen = { a, lanes, plan, sp, ts, unrollPairs: UNROLL_PAIRS, maxAccs: MAX_ACCS[kind] };

  const bufs: Buf[] = [makeBuf(g, I)];
  model.stages.forEach((s, i) => {
    const x = bufs[i] as Buf;
    bufs.push(s.type === 'flatten' ? x : makeBuf(g, stageOutSize(s)));
  });
  const X = bufs[0] as Buf;
  const Y = bufs[bufs.length - 1] as Buf;
  let readout: Program['readout'] = null;
  const emitStages = (): void => {
    model.stages.forEach((s, i) => {
      const packed = emitStage(g, s, bufs[i] as Buf, bufs[i + 1] as Buf, cell);
      if (packed !== null) readout = { stage: i, packed };
    });
  };

  if (kind === 'single') {
    a.i32(stateAt).set(sp);
    a.get(0).op(Op.f32_demote_f64).simd(Simd.f32x4_splat).set(ts);
    emitStages();
  } else {
    const nb = 0;
    const pIn = a.local(I32);
    const pOut = a.local(I32);
    const pDt = a.local(I32);
    a.i32(stateAt).set(sp).i32(inStage).set(pIn).i32(outStage).set(pOut).i32(dtAt).set(pDt);
    a.block().get(nb).op(Op.i32_eqz).brIf(0).loop();
    a.get(pDt).v128Load(0).set(ts);
    emitGather(g, pIn, I, X);
    emitStages();
    emitScatter(g, Y, O, pOut);
    a.bump(sp, stateBytes).bump(pIn, 16 * I).bump(pOut, 16 * O).bump(pDt, 16);
    a.get(nb).i32(1).op(Op.i32_sub).tee(nb).brIf(0);
    a.end().end();
  }

  const mb = new ModuleBuilder();
  mb.exportFunction(kind === 'single' ? 'step' : 'stepBatch', mb.addFunction(a));
  mb.setMemory(plan.pages, plan.pages);
  return {
    kind, lanes, bytes: mb.encode(), plan, blocks,
    inputAt: kind === 'single' ? X.off : inStage,
    outputAt: kind === 'single' ? Y.off : outStage,
    dtAt, stateAt, stateBytes, cell, readout,
  };
}

/** Emits one stage; returns the packed weights when the stage is a readout. */
function emitStage(g: Gen, s: Stage, x: Buf, y: Buf, cell: CellState | null): PackedLinear | null {
  switch (s.type) {
    case 'normalise': emitNormalise(g, s, x, y); return null;
    case 'conv2d': emitConv2d(g, s, x, y); return null;
    case 'activation': emitActivationStage(g, s, x, y); return null;
    case 'flatten': return null;
    case 'dense': emitDense(g, s, x, y); return null;
    case 'readout': return emitReadout(g, s, x, y);
    case 'clamp': emitClamp(g, s, x, y); return null;
    case 'cfc': emitCfc(g, s, x, y, cell as CellState); return null;
    case 'ltc': emitLtc(g, s, x, y, cell as CellState); return null;
    case 'lstm': emitLstm(g, s, x, y, cell as CellState); return null;
  }
}

/** Agents 4b .. 4b+3, row-major at pIn, into the slots of X: lane l = agent 4b + l. */
function emitGather(g: Gen, pIn: number, I: number, X: Buf): void {
  const { a } = g;
  const pi = a.temp(I32);
  const px = a.temp(I32);
  a.get(pIn).set(pi).i32(X.off).set(px);
  a.repeat(I, () => {
    a.get(px).get(pi).f32Load(0).simd(Simd.f32x4_splat);
    for (let l = 1; l < 4; l++) a.get(pi).f32Load(l * I * 4).replaceLane(l);
    a.v128Store(0).bump(px, 16).bump(pi, 4);
  });
  a.release(pi, px);
}

function emitScatter(g: Gen, Y: Buf, O: number, pOut: number): void {
  const { a } = g;
  const po = a.temp(I32);
  const py = a.temp(I32);
  const v = a.temp(V128);
  a.get(pOut).set(po).i32(Y.off).set(py);
  a.repeat(O, () => {
    a.get(py).v128Load(0).set(v);
    for (let l = 0; l < 4; l++) a.get(po).get(v).extractLane(l).f32Store(l * O * 4);
    a.bump(py, 16).bump(po, 4);
  });
  a.release(po, py, v);
}
