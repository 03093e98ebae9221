// A BatchPolicy made of one single-agent policy per agent: what the JS backends use (their step
// is already allocation-free; the wasm backend has a real batched kernel instead).

import type { BatchPolicy, FloatArray, Policy } from './policy.ts';

export function batchOf(make: () => Policy, agents: number): BatchPolicy {
  const ps: Policy[] = [];
  for (let i = 0; i < agents; i++) ps.push(make());
  const p0 = ps[0] as Policy;
  const I = p0.inputSize;
  const O = p0.outputSize;
  // Per-agent views into the caller's arrays would allocate per step; copy through scratch instead.
  const x = new Float64Array(I);
  const y = new Float64Array(O);
  return {
    backend: p0.backend, model: p0.model, agents, inputSize: I, outputSize: O,
    stateSize: p0.stateSize, cellStateSize: p0.cellStateSize,
    stepBatch(inputs: FloatArray, dtS: number | FloatArray, outputs: FloatArray): void {
      for (let a = 0; a < agents; a++) {
        for (let i = 0; i < I; i++) x[i] = inputs[a * I + i] as number;
        (ps[a] as Policy).step(x, typeof dtS === 'number' ? dtS : (dtS[a] as number), y);
        for (let i = 0; i < O; i++) outputs[a * O + i] = y[i] as number;
      }
    },
    reset(agent?: number): void {
      if (agent === undefined) for (const p of ps) p.reset();
      else ps[agent]?.reset();
    },
    getState(agent, h, c) { ps[agent]?.getState(h, c); },
    setState(agent, h, c) { ps[agent]?.setState(h, c); },
  };
}
