// Step latency and throughput measurement for `lnn bench` and `npm run bench`. Single steps are
// timed with process.hrtime() in its array form, read at once: V8's escape analysis removes the
// array, whereas hrtime.bigint() and performance.now() box their results and cause hundreds of
// GCs a second in a tight loop (deploy.md §2.2), which would pollute p99.9. The timer's own cost
// is measured in the same run and subtracted. Never used for assertions in tests (DESIGN.md §9).

import type { CfcStage, Linear, Model, Stage } from '../models/types.ts';
import type { AsyncPolicy, BatchPolicy, ConcreteBackend, Policy } from './policy.ts';

export interface StepStats {
  readonly backend: ConcreteBackend;
  readonly median_ns: number;
  readonly p99_ns: number;
  readonly p999_ns: number;
  readonly steps: number;
}

function quantile(sorted: Float64Array, q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i] as number;
}

/** Monotonic time in ns as a double (exact to the ns for 104 days of uptime). */
export function nowNs(): number {
  const t = process.hrtime();
  return (t[0] as number) * 1e9 + (t[1] as number);
}

/** Median cost of an empty timer pair, in ns. */
export function timerOverheadNs(samples = 20_000): number {
  const d = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = nowNs();
    d[i] = nowNs() - t0;
  }
  d.sort();
  return quantile(d, 0.5);
}

function stats(backend: ConcreteBackend, samplesNs: Float64Array, overheadNs: number): StepStats {
  const ns = samplesNs.map((v) => Math.max(0, v - overheadNs));
  ns.sort();
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { backend, median_ns: r(quantile(ns, 0.5)), p99_ns: r(quantile(ns, 0.99)), p999_ns: r(quantile(ns, 0.999)), steps: ns.length };
}

/** A seeded, varying input sequence (so branches and caches see realistic data). */
export function benchInputs(inputSize: number, frames = 64): Float64Array {
  const x = new Float64Array(frames * inputSize);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = (s / 4294967296) * 2 - 1;
  }
  return x;
}

export function benchSync(p: Policy, steps: number, overheadNs: number, dtS = 0.05): StepStats {
  const frames = 64;
  const xs = benchInputs(p.inputSize, frames);
  const x = new Float64Array(p.inputSize);
  const y = new Float64Array(p.outputSize);
  const warm = Math.min(20_000, Math.max(2_000, steps >> 2));
  for (let i = 0; i < warm; i++) p.step(xs.subarray(0, p.inputSize), dtS, y);
  const t = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const f = (i % frames) * p.inputSize;
    for (let k = 0; k < p.inputSize; k++) x[k] = xs[f + k] as number;
    const t0 = nowNs();
    p.step(x, dtS, y);
    t[i] = nowNs() - t0;
  }
  return stats(p.backend, t, overheadNs);
}

export async function benchAsync(p: AsyncPolicy, steps: number, overheadNs: number, dtS = 0.05): Promise<StepStats> {
  const x = benchInputs(p.inputSize, 1);
  const y = new Float64Array(p.outputSize);
  for (let i = 0; i < Math.min(1000, steps); i++) await p.stepAsync(x, dtS, y);
  const t = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const t0 = nowNs();
    await p.stepAsync(x, dtS, y);
    t[i] = nowNs() - t0;
  }
  return stats(p.backend, t, overheadNs);
}

/** Agent-steps per second of a batch policy (best of 3 timed rounds after a warm-up). */
export function benchBatch(bp: BatchPolicy, rounds: number, dtS = 0.05): number {
  const xs = benchInputs(bp.inputSize * bp.agents, 1);
  const ys = new Float64Array(bp.outputSize * bp.agents);
  for (let i = 0; i < Math.max(3, rounds >> 2); i++) bp.stepBatch(xs, dtS, ys);
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = nowNs();
    for (let i = 0; i < rounds; i++) bp.stepBatch(xs, dtS, ys);
    best = Math.min(best, nowNs() - t0);
  }
  return Math.round((rounds * bp.agents) / (best / 1e9));
}

function linMacs(l: Linear | null): number {
  return l === null ? 0 : l.inSize * l.outSize;
}

function cfcMacs(s: CfcStage): number {
  let n = s.mixedMemory === null ? 0 : linMacs(s.mixedMemory.inputMap) + linMacs(s.mixedMemory.recurrentMap);
  for (const l of s.layers) {
    n += l.backbone.reduce((a, b) => a + linMacs(b), 0);
    // ff1/ff2 count only existing synapses (masked ones are zero); time heads are dense in ncps.
    let ff = linMacs(l.ff1);
    if (l.mask !== null) ff = l.mask.reduce((a, b) => a + b, 0);
    n += ff * (l.ff2 === null ? 1 : 2) + linMacs(l.timeA) + linMacs(l.timeB);
  }
  return n;
}

/** Multiply-accumulates per step as ncps computes the model (perf-adapt §4.1: 2,140 for the lane NCP). */
export function macsPerStep(m: Model): number {
  const one = (s: Stage): number => {
    switch (s.type) {
      case 'conv2d': return s.outShape[0] * s.outShape[1] * s.outShape[2] * s.inShape[0] * s.kernel[0] * s.kernel[1];
      case 'dense': case 'readout': return linMacs(s);
      case 'cfc': return cfcMacs(s);
      case 'ltc': {
        const syn = s.mask.reduce((a, b) => a + b, 0);
        const sens = s.sensoryMask.reduce((a, b) => a + b, 0);
        return sens + s.odeUnfolds * syn;
      }
      case 'lstm': return 4 * s.units * (s.inSize + s.units);
      default: return 0;
    }
  };
  return m.stages.reduce((a, s) => a + one(s), 0);
}
