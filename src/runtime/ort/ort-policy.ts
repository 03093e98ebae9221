// Policies that step an exported ONNX graph (src/models/onnx/export.ts) with onnxruntime-node.
// One session per policy; the input tensors are made once over Float32Arrays that each step
// overwrites in place, and the state lives in the `state` tensor's array: state_out is copied
// back into it after every run. onnxruntime-node reads the inputs when the run starts, after the
// call has returned, so steps are queued: one runs at a time, in call order, and the caller
// leaves `input` unchanged until the step's promise settles.

import { LnnError } from '../../errors.ts';
import { exportOnnx, onnxSignature, type OnnxSignature } from '../../models/onnx/export.ts';
import type { Model } from '../../models/types.ts';
import type { AsyncPolicy, FloatArray } from '../policy.ts';
import { loadOrt, ORT_SESSION_OPTIONS, type OrtModule, type OrtSession, type OrtTensor } from './ort-api.ts';

/** Many agents in one session run: row a of inputs, outputs and state belongs to agent a. */
export interface AsyncBatchPolicy {
  readonly backend: 'ort';
  readonly model: Model;
  readonly agents: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly stateSize: number;
  readonly cellStateSize: number;
  /** inputs (agents × inputSize), outputs (agents × outputSize); dtS for all agents or one each */
  stepBatchAsync(inputs: FloatArray, dtS: number | FloatArray, outputs: FloatArray): Promise<void>;
  reset(agent?: number): void;
  getState(agent: number, h: FloatArray, c?: FloatArray): void;
  setState(agent: number, h: ArrayLike<number>, c?: ArrayLike<number>): void;
  dispose(): Promise<void>;
}

/** The session and its buffers for `agents` rows; what both policy faces are built on. */
class OrtStepper {
  /** (agents, inputSize) */ readonly x: Float32Array;
  /** (agents) seconds */ readonly dt: Float32Array;
  /** (agents, stateWidth): [h | c] per agent */ readonly state: Float32Array;
  /** (agents, outputSize), the last step's outputs */ readonly y: Float32Array;
  private readonly feeds: Readonly<Record<string, OrtTensor>>;
  private queue: Promise<unknown> = Promise.resolve();
  private session: OrtSession | null;

  constructor(ort: OrtModule, session: OrtSession, readonly sig: OnnxSignature, readonly agents: number) {
    this.session = session;
    this.x = new Float32Array(agents * sig.inputSize);
    this.dt = new Float32Array(agents);
    this.state = new Float32Array(agents * sig.stateWidth);
    this.y = new Float32Array(agents * sig.outputSize);
    this.feeds = {
      x: new ort.Tensor('float32', this.x, [agents, sig.inputSize]),
      dt: new ort.Tensor('float32', this.dt, [agents, 1]),
      state: new ort.Tensor('float32', this.state, [agents, sig.stateWidth]),
    };
  }

  /** Runs `task` after every task queued before it; a failed task does not block later ones. */
  enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One graph run over the current x, dt and state; y and state are updated. */
  async run(): Promise<void> {
    if (this.session === null) throw new LnnError('LNN_E_BACKEND_UNAVAILABLE', 'this ort policy has been disposed');
    const r = await this.session.run(this.feeds);
    this.y.set((r.y as OrtTensor).data as Float32Array);
    this.state.set((r.state_out as OrtTensor).data as Float32Array);
  }

  getState(agent: number, h: FloatArray, c?: FloatArray): void {
    const { stateSize: H, cellStateSize: C, stateWidth: W } = this.sig;
    for (let i = 0; i < H; i++) h[i] = this.state[agent * W + i] as number;
    if (c !== undefined) for (let i = 0; i < C; i++) c[i] = this.state[agent * W + H + i] as number;
  }

  setState(agent: number, h: ArrayLike<number>, c?: ArrayLike<number>): void {
    const { stateSize: H, cellStateSize: C, stateWidth: W } = this.sig;
    for (let i = 0; i < H; i++) this.state[agent * W + i] = h[i] as number;
    for (let i = 0; i < C; i++) this.state[agent * W + H + i] = c === undefined ? 0 : (c[i] as number);
  }

  reset(agent?: number): void {
    const W = this.sig.stateWidth;
    if (agent === undefined) this.state.fill(0);
    else this.state.fill(0, agent * W, (agent + 1) * W);
  }

  dispose(): Promise<void> {
    return this.enqueue(async () => {
      const s = this.session;
      this.session = null;
      await s?.release();
    });
  }
}

async function makeStepper(model: Model, agents: number): Promise<OrtStepper> {
  const ort = await loadOrt();
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(exportOnnx(model), ORT_SESSION_OPTIONS);
  } catch (e) {
    // The graph is ours: onnxruntime refusing it is a bug in the exporter, not in the model.
    throw new LnnError('LNN_E_INTERNAL', `onnxruntime rejected the exported graph of "${model.name}": ${(e as Error).message}`);
  }
  return new OrtStepper(ort, session, onnxSignature(model), agents);
}

/** One agent: the AsyncPolicy of the `ort` backend. */
export async function compileOrt(model: Model): Promise<AsyncPolicy> {
  const st = await makeStepper(model, 1);
  const { inputSize: I, outputSize: O } = st.sig;
  const stepOnce = async (input: FloatArray, inOff: number, dtS: number, out: FloatArray, outOff: number): Promise<void> => {
    for (let i = 0; i < I; i++) st.x[i] = input[inOff + i] as number;
    st.dt[0] = dtS;
    await st.run();
    for (let i = 0; i < O; i++) out[outOff + i] = st.y[i] as number;
  };
  return {
    backend: 'ort', model, inputSize: I, outputSize: O,
    stateSize: st.sig.stateSize, cellStateSize: st.sig.cellStateSize,
    stepAsync: (input, dtS, out) => st.enqueue(() => stepOnce(input, 0, dtS, out, 0)),
    runSequenceAsync: (inputs, steps, dtS, outputs) => st.enqueue(async () => {
      for (let t = 0; t < steps; t++) {
        await stepOnce(inputs, t * I, typeof dtS === 'number' ? dtS : (dtS[t] as number), outputs, t * O);
      }
    }),
    reset: () => st.reset(),
    getState: (h, c) => st.getState(0, h, c),
    setState: (h, c) => st.setState(0, h, c),
    dispose: () => st.dispose(),
  };
}

/** `agents` agents stepped by one session run each step (the batch is the graph's N). */
export async function compileOrtBatch(model: Model, agents: number): Promise<AsyncBatchPolicy> {
  if (!Number.isInteger(agents) || agents < 1) throw new LnnError('LNN_E_RANGE', `agents must be a positive integer, got ${agents}`);
  const st = await makeStepper(model, agents);
  const { inputSize: I, outputSize: O } = st.sig;
  return {
    backend: 'ort', model, agents, inputSize: I, outputSize: O,
    stateSize: st.sig.stateSize, cellStateSize: st.sig.cellStateSize,
    stepBatchAsync: (inputs, dtS, outputs) => st.enqueue(async () => {
      for (let i = 0; i < agents * I; i++) st.x[i] = inputs[i] as number;
      for (let a = 0; a < agents; a++) st.dt[a] = typeof dtS === 'number' ? dtS : (dtS[a] as number);
      await st.run();
      for (let i = 0; i < agents * O; i++) outputs[i] = st.y[i] as number;
    }),
    reset: (agent) => st.reset(agent),
    getState: (agent, h, c) => st.getState(agent, h, c),
    setState: (agent, h, c) => st.setState(agent, h, c),
    dispose: () => st.dispose(),
  };
}
