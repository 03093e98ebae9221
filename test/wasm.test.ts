// The wasm backend: its binary emitter (LEB128, a hand-built module that validates and
// computes), the accuracy of its vector nonlinearities, the generated modules validating on this
// Node, every stage type against ref (the parity table covers the cells; the feed-forward stages
// are checked here), the batched kernel reproducing the single-agent kernel bit for bit, zero
// allocation per step, and readout adaptation through the exposed weights.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { erf, activate } from '../src/runtime/activations.ts';
import { initCfcDoc, initLtcDoc, InitRng } from '../src/models/init.ts';
import { loadModel } from '../src/models/load.ts';
import { ACTIVATIONS, type Model, type ReadoutStage, type Stage } from '../src/models/types.ts';
import { BACKEND_TABLE } from '../src/runtime/backends.ts';
import { compile } from '../src/runtime/compile.ts';
import type { FloatArray } from '../src/runtime/policy.ts';
import { compileWasm, compileWasmBatch, simdAvailable, wasmBackend } from '../src/runtime/wasm/backend.ts';
import { ByteWriter } from '../src/runtime/wasm/emit/bytes.ts';
import { FunctionBody } from '../src/runtime/wasm/emit/code.ts';
import { readLeb128, signedLeb128, unsignedLeb128 } from '../src/runtime/wasm/emit/leb128.ts';
import { ModuleBuilder } from '../src/runtime/wasm/emit/module.ts';
import { F32, F64, I32, Op, Simd } from '../src/runtime/wasm/emit/opcodes.ts';
import { wasmCompile, wasmInstantiate, wasmValidate, type WasmMemory } from '../src/runtime/wasm/host.ts';
import { buildProgram } from '../src/runtime/wasm/program.ts';
import { emitActivation, emitErf, emitExp, emitMapInPlace } from '../src/runtime/wasm/vmath.ts';
import { laneCfc, laneLstm, laneLtc, laneWiring } from './helpers/models.ts';
import { BACKEND_TOLERANCE, withinTol } from './helpers/tolerances.ts';

type Doc = Record<string, unknown>;
const doc = (inputSize: number, outputSize: number, stages: Doc[]): Doc =>
  ({ format: 'lnn-model/1', name: 't', inputSize, outputSize, stages });
const tol = BACKEND_TOLERANCE.wasm;

// ── emitter ─────────────────────────────────────────────────────────────────────────────────

describe('LEB128', () => {
  it('encodes unsigned values at the 7-bit boundaries', () => {
    expect(unsignedLeb128(0)).toEqual([0x00]);
    expect(unsignedLeb128(127)).toEqual([0x7f]);
    expect(unsignedLeb128(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb128(16383)).toEqual([0xff, 0x7f]);
    expect(unsignedLeb128(16384)).toEqual([0x80, 0x80, 0x01]);
    expect(unsignedLeb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb128(0x7fffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
    expect(unsignedLeb128(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(unsignedLeb128((1n << 64n) - 1n)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('encodes signed values with the sign in bit 6 of the last byte', () => {
    expect(signedLeb128(0)).toEqual([0x00]);
    expect(signedLeb128(-1)).toEqual([0x7f]);
    expect(signedLeb128(63)).toEqual([0x3f]);
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(-64)).toEqual([0x40]);
    expect(signedLeb128(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb128(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb128(-0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
    expect(signedLeb128(0x7fffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
    expect(signedLeb128(-(1n << 63n))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
    expect(signedLeb128((1n << 63n) - 1n)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]);
  });

  it('round-trips values around every power of two', () => {
    for (let k = 0n; k < 64n; k++) {
      for (const d of [-1n, 0n, 1n]) {
        const u = (1n << k) + d;
        if (u >= 0n && u < 1n << 64n) expect(readLeb128(unsignedLeb128(u), 0, false)).toEqual({ value: u, size: unsignedLeb128(u).length });
        for (const s of [u, -u]) {
          if (s >= -(1n << 63n) && s < 1n << 63n) expect(readLeb128(signedLeb128(s), 0, true).value).toBe(s);
        }
      }
    }
    // the number fast path and the BigInt path agree
    for (const v of [0, 1, 63, 64, 127, 128, 8191, 8192, 2 ** 31 - 1]) {
      expect(unsignedLeb128(v)).toEqual(unsignedLeb128(BigInt(v)));
      expect(signedLeb128(v)).toEqual(signedLeb128(BigInt(v)));
      expect(signedLeb128(-v)).toEqual(signedLeb128(BigInt(-v)));
    }
  });

  it('rejects what it cannot encode', () => {
    expect(() => unsignedLeb128(-1)).toThrow(RangeError);
    expect(() => unsignedLeb128(1n << 64n)).toThrow(RangeError);
    expect(() => signedLeb128(1n << 63n)).toThrow(RangeError);
    expect(() => unsignedLeb128(1.5)).toThrow(RangeError);
    // an i32 operand is its bits: 0xffffffff is -1
    expect(Array.from(new ByteWriter().s32(0xffffffff).finish())).toEqual([0x7f]);
  });
});

describe('a hand-built module', () => {
  function handBuilt(): Uint8Array {
    const m = new ModuleBuilder();
    const add = new FunctionBody([I32, I32], [I32]);
    add.get(0).get(1).op(Op.i32_add);
    m.exportFunction('add', m.addFunction(add));
    // dot4(p, q): Σ a[p..p+3]·b[q..q+3] with f32x4, reduced through the lanes
    const dot = new FunctionBody([I32, I32], [F32]);
    const v = dot.local(0x7b);
    dot.get(0).v128Load(0).get(1).v128Load(0).simd(Simd.f32x4_mul).set(v);
    dot.get(v).extractLane(0).get(v).extractLane(1).op(Op.f32_add).get(v).extractLane(2).op(Op.f32_add).get(v).extractLane(3).op(Op.f32_add);
    m.exportFunction('dot4', m.addFunction(dot));
    // sum(n): 1 + 2 + … + n with a counted loop; x: a splat constant read back
    const sum = new FunctionBody([I32], [I32]);
    const acc = sum.local(I32);
    const i = sum.local(I32);
    sum.i32(0).set(acc).i32(1).set(i);
    sum.block().loop().get(i).get(0).op(Op.i32_gt_s).brIf(1).get(acc).get(i).op(Op.i32_add).set(acc).bump(i, 1).br(0).end().end();
    sum.get(acc);
    m.exportFunction('sum', m.addFunction(sum));
    const half = new FunctionBody([F64], [F32]);
    half.get(0).op(Op.f32_demote_f64).simd(Simd.f32x4_splat).f32x4(0.5).simd(Simd.f32x4_mul).extractLane(3);
    m.exportFunction('half', m.addFunction(half));
    m.setMemory(1, 1);
    return m.encode();
  }

  it('validates and computes', () => {
    const bytes = handBuilt();
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    expect(wasmValidate(bytes)).toBe(true);
    const e = wasmInstantiate(wasmCompile(bytes)).exports as Record<string, (...a: number[]) => number> & { memory: WasmMemory };
    expect(e.add(2, 40)).toBe(42);
    expect(e.add(0x7fffffff, 1)).toBe(-0x80000000);
    const f = new Float32Array(e.memory.buffer);
    f.set([1, 2, 3, 4], 4);
    f.set([0.5, -1, 2, 0.25], 8);
    expect(e.dot4(16, 32)).toBe(0.5 - 2 + 6 + 1);
    expect(e.sum(100)).toBe(5050);
    expect(e.half(3)).toBe(1.5);
  });

  it('fails validation when a body is wrong, so validation means something', () => {
    const m = new ModuleBuilder();
    const bad = new FunctionBody([], [I32]);
    bad.f32(1); // an f32 where the result is an i32
    m.addFunction(bad);
    expect(wasmValidate(m.encode())).toBe(false);
  });

  it('reports SIMD available on this Node', () => {
    expect(simdAvailable()).toBe(true);
  });
});

// ── vector nonlinearities ───────────────────────────────────────────────────────────────────

describe('vector nonlinearities', () => {
  const fns: [string, (a: FunctionBody) => void, (x: number) => number, number][] = [
    ['exp', emitExp, Math.exp, 2e-7],
    ['erf', emitErf, erf, 2.5e-7],
    ...ACTIVATIONS.map((fn) => [fn, (a: FunctionBody) => emitActivation(a, fn), (x: number) => activate(fn, x), 4e-7] as [string, (a: FunctionBody) => void, (x: number) => number, number]),
  ];
  const m = new ModuleBuilder();
  for (const [name, body] of fns) {
    const f = new FunctionBody([I32, I32]);
    emitMapInPlace(f, body);
    m.exportFunction(name, m.addFunction(f));
  }
  m.setMemory(16);
  const e = wasmInstantiate(wasmCompile(m.encode())).exports as Record<string, (p: number, n: number) => void> & { memory: WasmMemory };
  const N = 200_000;

  for (const [name, , ref, bound] of fns) {
    it(`${name} is within ${bound} of float64 (relative to max(1, |f|) on exp, else to max(1, |x|))`, () => {
      const [lo, hi] = name === 'exp' ? [-87, 88] : [-20, 20];
      const f = new Float32Array(e.memory.buffer, 16, N);
      for (let i = 0; i < N; i++) f[i] = lo + ((hi - lo) * i) / (N - 1);
      const xs = Float64Array.from(f);
      (e[name] as (p: number, n: number) => void)(16, N);
      let worst = 0;
      for (let i = 0; i < N; i++) {
        const want = ref(xs[i] as number);
        const scale = name === 'exp' ? Math.max(1, want) : Math.max(1, Math.abs(xs[i] as number));
        worst = Math.max(worst, Math.abs((f[i] as number) - want) / scale);
      }
      expect(worst).toBeLessThanOrEqual(bound);
    });
  }
});

// ── generated modules against ref ───────────────────────────────────────────────────────────

/** Outputs and final state of `steps` seeded steps with irregular Δt. */
function runPolicy(p: { inputSize: number; outputSize: number; stateSize: number; cellStateSize: number;
  runSequence(x: FloatArray, n: number, dt: FloatArray, y: FloatArray): void; getState(h: FloatArray, c?: FloatArray): void }, steps: number, seed = 7) {
  const rng = new InitRng(seed);
  const x = Float64Array.from(rng.tensor([steps * p.inputSize], -1.5, 1.5).data);
  const dts = Float64Array.from({ length: steps }, (_, t) => 0.05 * (0.5 + ((t * 7) % 10) / 10));
  const y = new Float64Array(steps * p.outputSize);
  p.runSequence(x, steps, dts, y);
  const h = new Float64Array(p.stateSize);
  const c = new Float64Array(p.cellStateSize);
  p.getState(h, c);
  return { y, h, c };
}

function expectParity(model: Model, steps: number): void {
  const want = runPolicy(compile(model, { backend: 'ref' }), steps);
  const got = runPolicy(compileWasm(model), steps);
  for (const k of ['y', 'h', 'c'] as const) {
    const r = withinTol(got[k], want[k], tol);
    expect(r.ok, `${k}: worst |Δ| ${r.worst}`).toBe(true);
  }
}

/** normalise → conv2d → act → conv2d → flatten → dense(act) → cfc(backbone act) → readout → clamp */
function pipelineModel(act: (typeof ACTIVATIONS)[number], C = 2, H = 8, W = 8): Model {
  const rng = new InitRng(5);
  const n = C * H * W;
  const ho = Math.floor((H + 2 - 3) / 2) + 1;
  const wo = Math.floor((W + 2 - 3) / 2) + 1;
  const flat = 3 * ho * wo; // the second conv (1×3, padding [0, 1]) keeps the size
  return loadModel(doc(n, 2, [
    { type: 'normalise', mean: rng.tensor([n], -0.1, 0.1), std: rng.tensor([n], 0.5, 2) },
    { type: 'conv2d', inShape: [C, H, W], stride: [2, 2], padding: [1, 1], weight: rng.tensor([5, C, 3, 3], -0.5, 0.5), bias: rng.tensor([5], -0.1, 0.1) },
    { type: 'activation', fn: act },
    { type: 'conv2d', stride: [1, 1], padding: [0, 1], weight: rng.tensor([3, 5, 1, 3], -0.5, 0.5) },
    { type: 'flatten' },
    { type: 'dense', weight: rng.tensor([7, flat], -0.3, 0.3), bias: rng.tensor([7], -0.5, 0.5), activation: act },
    { type: 'cfc', mode: 'default', inputSize: 7, units: 5, layers: [{ inputSize: 7, units: 5,
      backbone: { activation: act, layers: [rng.linear(9, 12)] },
      ff1: rng.linear(5, 9), ff2: rng.linear(5, 9), timeA: rng.linear(5, 9), timeB: rng.linear(5, 9) }] },
    { type: 'readout', weight: rng.tensor([2, 5], -3, 3), bias: rng.tensor([2], -1, 1) },
    { type: 'clamp', min: -0.8, max: 0.8 },
  ]));
}

describe('every stage type against ref', () => {
  for (const act of ACTIVATIONS) {
    it(`conv head → dense → CfC → readout → clamp, activation ${act}`, () => expectParity(pipelineModel(act), 20));
  }
  it('camera-sized conv input (3×16×24: loops over pixels and slots)', () => expectParity(pipelineModel('relu', 3, 16, 24), 6));

  it('conv2d alone: unpadded, strided, several channel counts', () => {
    const rng = new InitRng(3);
    for (const [C, H, W, K, kh, kw, s, p] of [[1, 5, 7, 2, 3, 3, 1, 0], [3, 16, 20, 4, 5, 5, 2, 2], [2, 6, 9, 6, 2, 4, 3, 1]] as const) {
      const Ho = Math.floor((H + 2 * p - kh) / s) + 1;
      const Wo = Math.floor((W + 2 * p - kw) / s) + 1;
      expectParity(loadModel(doc(C * H * W, K * Ho * Wo, [
        { type: 'conv2d', inShape: [C, H, W], stride: [s, s], padding: [p, p], weight: rng.tensor([K, C, kh, kw], -1, 1), bias: rng.tensor([K], -1, 1) },
      ])), 3);
    }
  });

  it('clamp sends NaN to the neutral command as ref does, and bounds ±Infinity', () => {
    const m = loadModel(doc(3, 3, [{ type: 'clamp', min: { shape: [3], data: [-1, 0.5, -2] }, max: { shape: [3], data: [1, 2, -1] } }]));
    const y = new Float64Array(3);
    const want = new Float64Array(3);
    for (const x of [[NaN, NaN, NaN], [Infinity, -Infinity, 5], [0.3, 1, -1.5]]) {
      compileWasm(m).step(Float64Array.from(x), 1, y);
      compile(m, { backend: 'ref' }).step(Float64Array.from(x), 1, want);
      expect(Array.from(y)).toEqual(Array.from(want, Math.fround));
    }
  });

  it('LTC without mappings or constraints, and an LSTM behind dense layers', () => {
    const raw = initLtcDoc(laneWiring(), { seed: 3, implicitConstraints: false });
    const ltc = ((raw.stages as Doc[])[0]) as Doc;
    for (const k of ['inputW', 'inputB', 'outputW', 'outputB']) delete ltc[k];
    ltc.inputMapping = 'none';
    ltc.outputMapping = 'none';
    expectParity(loadModel(raw), 15);
    const rng = new InitRng(9);
    expectParity(loadModel(doc(6, 2, [
      { type: 'dense', weight: rng.tensor([10, 6], -1, 1), bias: rng.tensor([10], -1, 1), activation: 'silu' },
      { type: 'lstm', inputSize: 10, units: 7, weightIh: rng.tensor([28, 10], -0.4, 0.4), weightHh: rng.tensor([28, 7], -0.4, 0.4),
        biasIh: rng.tensor([28], -0.4, 0.4), biasHh: rng.tensor([28], -0.4, 0.4) },
      { type: 'readout', weight: rng.tensor([2, 7], -1, 1) },
    ])), 25);
  });

  it('the generated modules validate on this Node, single and batch', () => {
    const models = [laneCfc('default'), laneCfc('pure'), laneLtc(), laneLstm(), pipelineModel('gelu'), loadModel(initCfcDoc(8, 6, { seed: 2 }))];
    for (const m of models) {
      expect(wasmBackend.unsupported(m)).toBeNull();
      for (const kind of ['single', 'batch'] as const) expect(wasmValidate(buildProgram(m, kind, 9).bytes)).toBe(true);
    }
  });

  it('is the registered wasm backend and says so', () => {
    expect(BACKEND_TABLE.wasm).toBe(wasmBackend);
    expect(compile(laneCfc(), { backend: 'wasm' }).backend).toBe('wasm');
  });
});

// ── batch ───────────────────────────────────────────────────────────────────────────────────

describe('the batched kernel', () => {
  const models: [string, () => Model][] = [
    ['lane NCP CfC default', () => laneCfc('default')],
    ['lane NCP CfC no_gate', () => laneCfc('no_gate')],
    ['lane NCP CfC pure', () => laneCfc('pure')],
    ['lane NCP LTC', () => laneLtc()],
    ['LSTM', () => laneLstm()],
    ['conv pipeline', () => pipelineModel('gelu')],
  ];
  for (const [name, make] of models) {
    it(`${name}: 7 agents give exactly what 7 single-agent policies give`, () => {
      const model = make();
      const agents = 7; // not a multiple of 4: the last block is part padding
      const steps = 12;
      const bp = compileWasmBatch(model, agents);
      const singles = Array.from({ length: agents }, () => compileWasm(model));
      const I = model.inputSize;
      const O = model.outputSize;
      const rng = new InitRng(21);
      const xs = Float64Array.from(rng.tensor([steps * agents * I], -1.5, 1.5).data);
      const dts = Float64Array.from({ length: agents }, (_, a) => 0.02 + 0.013 * a);
      const yb = new Float64Array(agents * O);
      const ys = new Float64Array(O);
      for (let t = 0; t < steps; t++) {
        const x = xs.subarray(t * agents * I, (t + 1) * agents * I);
        bp.stepBatch(x, t % 2 === 0 ? dts : 0.05, yb);
        for (let a = 0; a < agents; a++) {
          singles[a]!.step(x.subarray(a * I, (a + 1) * I), t % 2 === 0 ? dts[a]! : 0.05, ys);
          for (let o = 0; o < O; o++) expect(yb[a * O + o] === ys[o], `agent ${a} step ${t} output ${o}: ${yb[a * O + o]} vs ${ys[o]}`).toBe(true);
        }
      }
      const hb = new Float64Array(bp.stateSize);
      const hs = new Float64Array(bp.stateSize);
      const cb = new Float64Array(bp.cellStateSize);
      const cs = new Float64Array(bp.cellStateSize);
      for (let a = 0; a < agents; a++) {
        bp.getState(a, hb, cb);
        singles[a]!.getState(hs, cs);
        expect(Array.from(hb)).toEqual(Array.from(hs));
        expect(Array.from(cb)).toEqual(Array.from(cs));
      }
    });
  }

  it('resets one agent, or all, and sets state per agent', () => {
    const bp = compileWasmBatch(laneCfc(), 6);
    const x = new Float64Array(6 * 32).fill(0.5);
    const y = new Float64Array(6);
    for (let t = 0; t < 5; t++) bp.stepBatch(x, 0.05, y);
    const h = new Float64Array(19);
    bp.reset(4);
    bp.getState(4, h);
    expect(h.every((v) => v === 0)).toBe(true);
    bp.getState(3, h);
    expect(h.some((v) => v !== 0)).toBe(true);
    const want = Float64Array.from({ length: 19 }, (_, i) => i / 19 - 0.5);
    bp.setState(5, want);
    bp.getState(5, h);
    expect(Array.from(h)).toEqual(Array.from(Float32Array.from(want)));
    bp.reset();
    for (let a = 0; a < 6; a++) { bp.getState(a, h); expect(h.every((v) => v === 0)).toBe(true); }
  });
});

// ── allocation ──────────────────────────────────────────────────────────────────────────────

function isScavenge(e: PerformanceEntry): boolean {
  return (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
}

/** Scavenges and heap growth over `n` calls of `f` (after a warm-up), as test/alloc.test.ts. */
async function allocations(f: (i: number) => void, n: number): Promise<{ gcs: number; heapDelta: number }> {
  for (let i = 0; i < 20_000; i++) f(i);
  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().filter(isScavenge).length; });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 10));
  gcs = 0;
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) f(i);
  const after = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 10));
  obs.disconnect();
  return { gcs, heapDelta: after - before };
}

describe('no allocation per step', () => {
  it('single step of the lane NCP: 10^6 steps, no scavenge, no heap growth', async () => {
    const p = compileWasm(laneCfc('default'));
    const x = new Float64Array(32).map((_, i) => Math.sin(i));
    const y = new Float64Array(1);
    const r = await allocations((i) => { x[i & 31] = (i & 1023) / 1024; p.step(x, 0.05, y); }, 1_000_000);
    expect(Number.isFinite(y[0])).toBe(true);
    expect(r.gcs).toBe(0);
    expect(r.heapDelta).toBeLessThan(256 * 1024);
  });

  // 4·10^5 calls: a single 16-byte object per call would be 6.4 MB, past the young generation.
  it('stepBatch (Float64Array and Float32Array callers, scalar and per-agent Δt): 4·10^5 calls', async () => {
    const bp = compileWasmBatch(laneCfc('default'), 4);
    const x64 = new Float64Array(4 * 32).fill(0.25);
    const x32 = new Float32Array(4 * 32).fill(0.25);
    const dts = new Float64Array(4).fill(0.05);
    const y64 = new Float64Array(4);
    const y32 = new Float32Array(4);
    const r = await allocations((i) => {
      if ((i & 1) === 0) bp.stepBatch(x64, 0.05, y64);
      else bp.stepBatch(x32, dts, y32);
    }, 400_000);
    expect(Number.isFinite(y64[0]) && Number.isFinite(y32[0])).toBe(true);
    expect(r.gcs).toBe(0);
    expect(r.heapDelta).toBeLessThan(256 * 1024);
  });
});

// ── adaptation ──────────────────────────────────────────────────────────────────────────────

/** The model with its readout replaced by these (float32) weights, for ref. */
function withReadout(m: Model, stage: number, w: Float32Array, b: Float32Array): Model {
  const stages = m.stages.map((s, i): Stage => (i === stage ? { ...(s as ReadoutStage), weight: Float64Array.from(w), bias: Float64Array.from(b) } : s));
  return { ...m, stages };
}

describe('readout adaptation through the exposed weights', () => {
  const base = (): Model => pipelineModel('tanh');

  it('changes outputs exactly as ref does with the same weights', () => {
    const m = base();
    const p = compileWasm(m);
    const ro = p.readout!;
    expect(ro.stage).toBe(m.stages.findIndex((s) => s.type === 'readout'));
    expect([ro.outSize, ro.inSize]).toEqual([2, 5]);
    const before = runPolicy(compileWasm(m), 10);
    for (let k = 0; k < ro.weight.length; k++) ro.weight[k] = (ro.weight[k] as number) * 0.5 + 0.3 * Math.sin(k);
    ro.bias[1] = -0.25;
    ro.upload();
    const got = runPolicy(p, 10);
    const want = runPolicy(compile(withReadout(m, ro.stage, ro.weight, ro.bias), { backend: 'ref' }), 10);
    const r = withinTol(got.y, want.y, tol);
    expect(r.ok, `worst |Δ| ${r.worst}`).toBe(true);
    expect(withinTol(got.y, before.y, tol).ok).toBe(false); // the edit took effect
  });

  it('makes a zero weight nonzero (the readout loop skips nothing)', () => {
    const rng = new InitRng(4);
    const m = loadModel(doc(3, 2, [{ type: 'readout', weight: { shape: [2, 3], data: [0, 0, 0, 1, 0, 0] } }]));
    const p = compileWasm(m);
    const y = new Float64Array(2);
    const x = Float64Array.from(rng.tensor([3], 1, 2).data);
    p.step(x, 1, y);
    expect(y[0]).toBe(0);
    p.readout!.weight[2] = 2;
    p.readout!.upload();
    p.step(x, 1, y);
    expect(y[0]).toBe(Math.fround(2 * Math.fround(x[2]!)));
  });

  it('download undoes edits not uploaded; a batch policy adapts all agents at once', () => {
    const m = base();
    const p = compileWasm(m);
    const w0 = Float32Array.from(p.readout!.weight);
    p.readout!.weight.fill(9);
    p.readout!.download();
    expect(Array.from(p.readout!.weight)).toEqual(Array.from(w0));
    const bp = compileWasmBatch(m, 5);
    bp.readout!.weight.fill(0);
    bp.readout!.bias.set([0.125, -0.5]);
    bp.readout!.upload();
    const x = new Float64Array(5 * m.inputSize).fill(0.3);
    const y = new Float64Array(5 * 2);
    bp.stepBatch(x, 0.05, y);
    for (let a = 0; a < 5; a++) expect([y[2 * a], y[2 * a + 1]]).toEqual([0.125, -0.5]);
  });
});
