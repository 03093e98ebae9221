// Policies over an instantiated program. A policy owns one instance (its memory: weights, state,
// buffers); the compiled module is cached per model and layout, so many policies of one model
// compile once. Views on the memory are made once: the memory never grows.

import { LnnError } from '../../errors.ts';
import type { Model, ReadoutStage } from '../../models/types.ts';
import type { BatchPolicy, FloatArray, Policy } from '../policy.ts';
import { wasmCompile, wasmInstantiate, type WasmMemory, type WasmModule } from './host.ts';
import type { LaneKind } from './lanes.ts';
import { buildProgram, type Program } from './program.ts';
import { makeReadout, type WasmReadout } from './readout-handle.ts';

export interface WasmPolicy extends Policy {
  readonly backend: 'wasm';
  /** the readout's weights for on-device adaptation, or null when the model has no readout */
  readonly readout: WasmReadout | null;
  /** the kernel's input vector (inputSize floats) in wasm memory: write features in place… */
  readonly inputView: Float32Array;
  /** …call stepInPlace, and read outputSize floats here (valid until the next step) */
  readonly outputView: Float32Array;
  stepInPlace(dtS: number): void;
}

export interface WasmBatchPolicy extends BatchPolicy {
  readonly backend: 'wasm';
  readonly readout: WasmReadout | null;
  /** (agents, inputSize) row-major in wasm memory */
  readonly inputView: Float32Array;
  /** (agents, outputSize) row-major */
  readonly outputView: Float32Array;
  /** (agents) Δt in seconds */
  readonly dtView: Float32Array;
  stepInPlace(): void;
}

const cache = new WeakMap<Model, Map<string, { program: Program; module: WasmModule }>>();

function compiled(model: Model, kind: LaneKind, agents: number): { program: Program; module: WasmModule } {
  let perModel = cache.get(model);
  if (perModel === undefined) cache.set(model, (perModel = new Map()));
  const key = kind === 'single' ? kind : `${kind}:${Math.ceil(agents / 4)}`;
  let hit = perModel.get(key);
  if (hit === undefined) {
    const program = buildProgram(model, kind, agents);
    if (program.plan.pages > 65536) {
      throw new LnnError('LNN_E_LIMIT', `the wasm kernel needs ${program.plan.bytes} bytes of memory, beyond 4 GiB`);
    }
    hit = { program, module: wasmCompile(program.bytes) };
    perModel.set(key, hit);
  }
  return hit;
}

interface Instance {
  readonly program: Program;
  readonly f32: Float32Array;
  readonly run: (arg: number) => void;
  readonly readout: WasmReadout | null;
}

function instantiate(model: Model, kind: LaneKind, agents: number): Instance {
  const { program, module } = compiled(model, kind, agents);
  const inst = wasmInstantiate(module);
  const mem = inst.exports.memory as WasmMemory;
  program.plan.writeInto(mem.buffer);
  const f32 = new Float32Array(mem.buffer);
  const run = inst.exports[kind === 'single' ? 'step' : 'stepBatch'] as (arg: number) => void;
  const r = program.readout;
  const readout = r === null ? null : makeReadout(r.stage, model.stages[r.stage] as ReadoutStage, r.packed, program.lanes, () => f32);
  return { program, f32, run, readout };
}

/** Float index of every logical h (and c) element of lane 0 of block 0, relative to the state. */
function stateIndex(p: Program): { h: Int32Array; c: Int32Array | null } {
  const cell = p.cell;
  if (cell === null) return { h: new Int32Array(0), c: null };
  const E = p.lanes.E;
  const h = Int32Array.from({ length: cell.map.n }, (_, i) => (p.stateAt + cell.hOff + cell.map.padOf(i) * E) / 4);
  const cOff = cell.cOff;
  const c = cOff === null ? null : Int32Array.from({ length: cell.map.n }, (_, i) => (p.stateAt + cOff + cell.map.padOf(i) * E) / 4);
  return { h, c };
}

export function compileWasm(model: Model): WasmPolicy {
  const { program: p, f32, run, readout } = instantiate(model, 'single', 1);
  const I = model.inputSize;
  const O = model.outputSize;
  const inputView = f32.subarray(p.inputAt / 4, p.inputAt / 4 + I);
  const outputView = f32.subarray(p.outputAt / 4, p.outputAt / 4 + O);
  const idx = stateIndex(p);
  const stateSize = idx.h.length;
  const cellStateSize = idx.c === null ? 0 : idx.c.length;
  const stateEnd = (p.stateAt + p.stateBytes) / 4;

  return {
    backend: 'wasm', model, inputSize: I, outputSize: O, stateSize, cellStateSize, readout, inputView, outputView,
    step(x: FloatArray, dtS: number, out: FloatArray): void {
      for (let i = 0; i < I; i++) inputView[i] = x[i] as number;
      run(dtS);
      for (let i = 0; i < O; i++) out[i] = outputView[i] as number;
    },
    stepInPlace(dtS: number): void {
      run(dtS);
    },
    reset(): void {
      f32.fill(0, p.stateAt / 4, stateEnd);
    },
    getState(h, c) {
      for (let i = 0; i < stateSize; i++) h[i] = f32[idx.h[i] as number] as number;
      if (c !== undefined && idx.c !== null) for (let i = 0; i < cellStateSize; i++) c[i] = f32[idx.c[i] as number] as number;
    },
    setState(h, c) {
      for (let i = 0; i < stateSize; i++) f32[idx.h[i] as number] = h[i] as number;
      if (idx.c !== null) for (let i = 0; i < cellStateSize; i++) f32[idx.c[i] as number] = c === undefined ? 0 : (c[i] as number);
    },
    runSequence(inputs, steps, dtS, outputs) {
      for (let t = 0; t < steps; t++) {
        for (let i = 0; i < I; i++) inputView[i] = inputs[t * I + i] as number;
        run(typeof dtS === 'number' ? dtS : (dtS[t] as number));
        for (let i = 0; i < O; i++) outputs[t * O + i] = outputView[i] as number;
      }
    },
  };
}

export function compileWasmBatch(model: Model, agents: number): WasmBatchPolicy {
  if (!Number.isInteger(agents) || agents < 1) throw new LnnError('LNN_E_RANGE', `agents must be a positive integer, got ${agents}`);
  const { program: p, f32, run, readout } = instantiate(model, 'batch', agents);
  const I = model.inputSize;
  const O = model.outputSize;
  const blocks = p.blocks;
  const inputView = f32.subarray(p.inputAt / 4, p.inputAt / 4 + agents * I);
  const outputView = f32.subarray(p.outputAt / 4, p.outputAt / 4 + agents * O);
  const dtAll = f32.subarray(p.dtAt / 4, p.dtAt / 4 + blocks * 4);
  const dtView = dtAll.subarray(0, agents);
  dtAll.fill(1); // the padding agents of the last block keep a finite Δt (LTC divides by it)
  const idx = stateIndex(p);
  const stateSize = idx.h.length;
  const cellStateSize = idx.c === null ? 0 : idx.c.length;
  // agent a lives in block a >> 2, lane a & 3
  const agentBase = (a: number): number => (a >> 2) * (p.stateBytes / 4) + (a & 3);
  const zeroAgent = (a: number): void => {
    const b = agentBase(a);
    for (let i = 0; i < stateSize; i++) f32[(idx.h[i] as number) + b] = 0;
    if (idx.c !== null) for (let i = 0; i < cellStateSize; i++) f32[(idx.c[i] as number) + b] = 0;
  };

  return {
    backend: 'wasm', model, agents, inputSize: I, outputSize: O, stateSize, cellStateSize,
    readout, inputView, outputView, dtView,
    stepBatch(inputs: FloatArray, dtS: number | FloatArray, outputs: FloatArray): void {
      // TypedArray.set copies (and converts float64) in C++: 1.2 ns/element against 2.5 for a loop
      if (inputs.length === inputView.length) inputView.set(inputs);
      else for (let k = 0; k < inputView.length; k++) inputView[k] = inputs[k] as number;
      if (typeof dtS === 'number') dtAll.fill(dtS);
      else for (let k = 0; k < agents; k++) dtView[k] = dtS[k] as number;
      run(blocks);
      if (outputs.length === outputView.length) outputs.set(outputView);
      else for (let k = 0; k < outputView.length; k++) outputs[k] = outputView[k] as number;
    },
    stepInPlace(): void {
      run(blocks);
    },
    reset(agent?: number): void {
      if (agent === undefined) f32.fill(0, p.stateAt / 4, (p.stateAt + p.stateBytes * blocks) / 4);
      else if (agent >= 0 && agent < agents) zeroAgent(agent);
    },
    getState(agent, h, c) {
      const b = agentBase(agent);
      for (let i = 0; i < stateSize; i++) h[i] = f32[(idx.h[i] as number) + b] as number;
      if (c !== undefined && idx.c !== null) for (let i = 0; i < cellStateSize; i++) c[i] = f32[(idx.c[i] as number) + b] as number;
    },
    setState(agent, h, c) {
      const b = agentBase(agent);
      for (let i = 0; i < stateSize; i++) f32[(idx.h[i] as number) + b] = h[i] as number;
      if (idx.c !== null) for (let i = 0; i < cellStateSize; i++) f32[(idx.c[i] as number) + b] = c === undefined ? 0 : (c[i] as number);
    },
  };
}
