// exportOnnx(model): the policy step as one ONNX graph, state in and state out, so that any ONNX
// runtime can step the model (DESIGN.md §4, the `ort` peer). The graph computes exactly the
// ref backend's semantics (src/runtime/ref), in float32:
//
//   inputs   x         (N, inputSize)   float32   N is symbolic: any number of agents per run
//            dt        (N, 1)           float32   seconds since the sample's previous step
//            state     (N, stateWidth)  float32   [h | c]: h, then the LSTM cell state c when the
//                                                  cell has one (mixed memory or an LSTM cell)
//   outputs  y         (N, outputSize)
//            state_out (N, stateWidth)  the new [h | c], to feed back as `state` next step
//
// A model without a recurrent cell still has `state`/`state_out`, one column wide, passed through
// unchanged (so every exported model has the same signature). `dt` is read only by CfC and LTC.

import { VERSION } from '../../version.ts';
import { cellStateSizes, type CellStage, type Model } from '../types.ts';
import { cfc, lstm, type CellOut } from './export-cells.ts';
import { ltc } from './export-ltc.ts';
import { asMatrix, activation, clamp, conv2d, dense, normalise, readout, type Flow } from './export-stages.ts';
import { GraphBuilder } from './graph-builder.ts';
import { DataType, encodeModel } from './onnx-proto.ts';

/** ONNX IR version 8 (ONNX 1.10+) and opset 17 (ONNX 1.12): onnxruntime has run both since 1.12. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
/** The symbolic batch dimension of every input and output. */
export const BATCH_DIM = 'N';

/** The tensors of an exported step graph, and how its state columns split into h and c. */
export interface OnnxSignature {
  readonly inputSize: number;
  readonly outputSize: number;
  /** hidden-state size h (0 without a cell) */
  readonly stateSize: number;
  /** LSTM cell-state size c (0 unless mixed memory or an LSTM cell) */
  readonly cellStateSize: number;
  /** columns of `state` and `state_out`: stateSize + cellStateSize, or 1 (a dummy) when that is 0 */
  readonly stateWidth: number;
}

export function onnxSignature(model: Model): OnnxSignature {
  const sizes = model.cellIndex >= 0 ? cellStateSizes(model.stages[model.cellIndex] as CellStage) : { h: 0, c: 0 };
  return {
    inputSize: model.inputSize,
    outputSize: model.outputSize,
    stateSize: sizes.h,
    cellStateSize: sizes.c,
    stateWidth: Math.max(1, sizes.h + sizes.c),
  };
}

/** The model's step as a serialised ONNX ModelProto (the bytes of a `.onnx` file). */
export function exportOnnx(model: Model): Uint8Array {
  const sig = onnxSignature(model);
  const g = new GraphBuilder();
  const x = g.reserve('x');
  const dt = g.reserve('dt');
  const state = g.reserve('state');

  let flow: Flow = { name: x, chw: null };
  let stateOut = state;
  model.stages.forEach((s, i) => {
    const hint = `s${i}_${s.type}`;
    switch (s.type) {
      case 'normalise': flow = normalise(g, s, flow, hint); break;
      case 'conv2d': flow = conv2d(g, s, flow, hint); break;
      case 'activation': flow = { name: activation(g, s.fn, flow.name, hint), chw: flow.chw }; break;
      case 'flatten': flow = { name: asMatrix(g, flow, hint), chw: null }; break;
      case 'dense': flow = dense(g, s, flow, hint); break;
      case 'readout': flow = readout(g, s, flow, hint); break;
      case 'clamp': flow = clamp(g, s, flow, hint); break;
      case 'cfc': case 'ltc': case 'lstm': {
        const [h, c] = sig.cellStateSize > 0
          ? g.split(state, [sig.stateSize, sig.cellStateSize], 1, `${hint}_state`) as [string, string]
          : [state, null];
        const io = { x: asMatrix(g, flow, `${hint}_in`), dt, h, c };
        const out: CellOut = s.type === 'cfc' ? cfc(g, s, io, hint) : s.type === 'ltc' ? ltc(g, s, io, hint) : lstm(g, s, io, hint);
        flow = { name: out.y, chw: null };
        stateOut = out.c === null ? out.h : g.concat([out.h, out.c], 1, `${hint}_state_new`);
        break;
      }
    }
  });

  const yTensor = asMatrix(g, flow, 'y_flat');
  const graphInputs = new Set([x, dt, state]);
  g.bindOutput(yTensor, 'y', graphInputs);
  // The same tensor may be both outputs (a cell last, without c): then state_out is a copy.
  g.bindOutput(stateOut === yTensor ? 'y' : stateOut, 'state_out', new Set([...graphInputs, 'y']));

  const bytes = encodeModel({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'lnn-edge',
    producerVersion: VERSION,
    docString: `${model.name}: one policy step (state in, state out), exported by lnn-edge`,
    graph: {
      name: 'policy_step',
      node: g.nodes,
      initializer: g.initializers,
      input: [
        { name: 'x', elemType: DataType.FLOAT, dims: [BATCH_DIM, sig.inputSize], docString: 'model inputs, one row per agent' },
        { name: 'dt', elemType: DataType.FLOAT, dims: [BATCH_DIM, 1], docString: 'seconds since each agent\'s previous step' },
        { name: 'state', elemType: DataType.FLOAT, dims: [BATCH_DIM, sig.stateWidth], docString: stateDoc(sig) },
      ],
      output: [
        { name: 'y', elemType: DataType.FLOAT, dims: [BATCH_DIM, sig.outputSize], docString: 'model outputs' },
        { name: 'state_out', elemType: DataType.FLOAT, dims: [BATCH_DIM, sig.stateWidth], docString: 'the new state; feed back as state' },
      ],
    },
    metadataProps: [
      { key: 'lnn.model', value: model.name },
      { key: 'lnn.state', value: JSON.stringify({ h: sig.stateSize, c: sig.cellStateSize, width: sig.stateWidth }) },
    ],
  });
  return bytes.slice();
}

function stateDoc(sig: OnnxSignature): string {
  if (sig.stateSize === 0) return 'unused (the model has no recurrent cell): one column, passed through';
  return sig.cellStateSize === 0 ? `hidden state h (${sig.stateSize})` : `[h (${sig.stateSize}) | c (${sig.cellStateSize})]`;
}
