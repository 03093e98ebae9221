// The ONNX writer and the `ort` backend: the protobuf encoder against bytes worked out by hand
// from the protobuf encoding rules, the exported graph's signature (names, shapes, symbolic batch),
// every stage type against ref, batches and per-sample Δt, and the coded error for a missing
// onnxruntime-node. Numbers on the shared cases are covered by test/parity.test.ts.
//
// Without onnxruntime-node the tests that need it skip, naming the package; in CI (CI=true) they
// fail instead, because CI must run the ort peer.
import { describe, expect, it, type TestContext } from 'vitest';
import { initCfcDoc, initLstmDoc, InitRng } from '../src/models/init.ts';
import { loadModel } from '../src/models/load.ts';
import { exportOnnx, onnxSignature, ONNX_IR_VERSION, ONNX_OPSET } from '../src/models/onnx/export.ts';
import { DataType, writeAttribute, writeOpsetId, writeTensor, writeValueInfo, float32Bytes } from '../src/models/onnx/onnx-proto.ts';
import { ProtoWriter } from '../src/models/onnx/protobuf.ts';
import { MODEL_FORMAT, type Model } from '../src/models/types.ts';
import { compileAsync } from '../src/runtime/compile.ts';
import { compileOrt, compileOrtBatch, ortBackend, ORT_PACKAGE, ORT_SESSION_OPTIONS, packageUnavailable } from '../src/runtime/ort/backend.ts';
import { loadOrt } from '../src/runtime/ort/ort-api.ts';
import type { AsyncPolicy, ConcreteBackend } from '../src/runtime/policy.ts';
import { laneCfc, laneLstm, laneLtc } from './helpers/models.ts';
import { BACKEND_TOLERANCE, withinTol } from './helpers/tolerances.ts';

const hex = (b: Uint8Array): string => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join(' ');
const bytesOf = (f: (w: ProtoWriter) => void): string => {
  const w = new ProtoWriter();
  f(w);
  return hex(w.finish());
};

const ortMissing = packageUnavailable(ORT_PACKAGE);
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** Call first in a test that needs onnxruntime-node: skips without it, fails without it in CI. */
function needOrt(ctx: TestContext): void {
  if (ortMissing === null) return;
  if (inCi) throw new Error(`${ortMissing.reason}; CI must install ${ORT_PACKAGE} to test the ort backend`);
  ctx.skip(`${ortMissing.code}: ${ortMissing.reason}`);
}

describe('protobuf encoder', () => {
  it('writes varints 7 bits a byte, low group first', () => {
    expect(bytesOf((w) => w.varint(0))).toBe('00');
    expect(bytesOf((w) => w.varint(127))).toBe('7f');
    expect(bytesOf((w) => w.varint(128))).toBe('80 01');
    expect(bytesOf((w) => w.varint(300))).toBe('ac 02');
    expect(bytesOf((w) => w.varint(2 ** 32))).toBe('80 80 80 80 10');
    expect(bytesOf((w) => w.varint(2 ** 53 - 1))).toBe('ff ff ff ff ff ff ff 0f');
  });

  it('writes negative int64 as ten-byte two\'s complement', () => {
    expect(bytesOf((w) => w.int64(-1))).toBe('ff ff ff ff ff ff ff ff ff 01');
    expect(bytesOf((w) => w.int64(-2))).toBe('fe ff ff ff ff ff ff ff ff 01');
    expect(() => new ProtoWriter().varint(-1)).toThrow(RangeError);
  });

  it('writes the fields of the protobuf encoding guide', () => {
    expect(bytesOf((w) => w.int64Field(1, 150))).toBe('08 96 01');
    expect(bytesOf((w) => w.stringField(2, 'testing'))).toBe('12 07 74 65 73 74 69 6e 67');
    expect(bytesOf((w) => w.messageField(3, (m) => m.int64Field(1, 150)))).toBe('1a 03 08 96 01');
    expect(bytesOf((w) => w.packedInt64Field(4, [3, 270, 86942]))).toBe('22 06 03 8e 02 9e a7 05');
  });

  it('writes floats as fixed 32-bit little-endian', () => {
    expect(bytesOf((w) => w.floatField(2, 1))).toBe('15 00 00 80 3f');
    expect(bytesOf((w) => w.packedFloatField(7, [1, -2]))).toBe('3a 08 00 00 80 3f 00 00 00 c0');
    expect(hex(float32Bytes([0.5, -0.25]))).toBe('00 00 00 3f 00 00 80 be');
  });

  it('grows its buffer past the initial capacity', () => {
    const w = new ProtoWriter(2);
    const data = new Uint8Array(1000).fill(7);
    w.bytesField(1, data);
    expect(w.finish().length).toBe(1 + 2 + 1000);
    expect(hex(w.finish().subarray(0, 3))).toBe('0a e8 07');
  });
});

describe('ONNX messages', () => {
  it('OperatorSetIdProto: no domain for the default one, version = field 2', () => {
    expect(bytesOf((w) => writeOpsetId(w, { domain: '', version: 17 }))).toBe('10 11');
    expect(bytesOf((w) => writeOpsetId(w, { domain: 'ai', version: 1 }))).toBe('0a 02 61 69 10 01');
  });

  it('TensorProto: dims 1, data_type 2, name 8, raw_data 9', () => {
    const t = { name: 'w', dims: [2], dataType: DataType.FLOAT, rawData: float32Bytes([1, 2]) };
    expect(bytesOf((w) => writeTensor(w, t))).toBe('08 02 10 01 42 01 77 4a 08 00 00 80 3f 00 00 00 40');
  });

  it('ValueInfoProto: a symbolic batch dimension and a fixed one', () => {
    // dim "N" = Dimension{dim_param} 12 01 4e; dim 3 = Dimension{dim_value} 08 03;
    // shape = 0a 03 <N> 0a 02 <3>; tensor = 08 01 12 09 <shape>; type = 0a 0d <tensor>
    expect(bytesOf((w) => writeValueInfo(w, { name: 'x', elemType: DataType.FLOAT, dims: ['N', 3] })))
      .toBe('0a 01 78 12 0f 0a 0d 08 01 12 09 0a 03 12 01 4e 0a 02 08 03');
  });

  it('AttributeProto: type = field 20, ints unpacked as proto2 declares', () => {
    expect(bytesOf((w) => writeAttribute(w, { name: 'axis', type: 'INT', i: -1 })))
      .toBe('0a 04 61 78 69 73 a0 01 02 18 ff ff ff ff ff ff ff ff ff 01');
    expect(bytesOf((w) => writeAttribute(w, { name: 'p', type: 'INTS', ints: [1, 2] })))
      .toBe('0a 01 70 a0 01 07 40 01 40 02');
    expect(bytesOf((w) => writeAttribute(w, { name: 'a', type: 'FLOAT', f: 1 })))
      .toBe('0a 01 61 a0 01 01 15 00 00 80 3f');
  });
});

// ── a minimal reader, to check the exported bytes without onnxruntime ────────────────────────

type Field = { field: number; value: number | Uint8Array };
function readFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = (): number => {
    let v = 0;
    for (let scale = 1; ; scale *= 128) {
      const byte = b[p++] as number;
      v += (byte & 0x7f) * scale;
      if (byte < 0x80) return v;
    }
  };
  while (p < b.length) {
    const key = varint();
    const wire = key & 7;
    if (wire === 0) out.push({ field: key >>> 3, value: varint() });
    else if (wire === 2) {
      const n = varint();
      out.push({ field: key >>> 3, value: b.subarray(p, p + n) });
      p += n;
    } else if (wire === 5) { out.push({ field: key >>> 3, value: b.subarray(p, p + 4) }); p += 4; }
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}
const sub = (fs: Field[], n: number): Uint8Array[] => fs.filter((f) => f.field === n).map((f) => f.value as Uint8Array);
const num = (fs: Field[], n: number): number[] => fs.filter((f) => f.field === n).map((f) => f.value as number);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);
function valueInfo(b: Uint8Array): { name: string; dims: (number | string)[] } {
  const fs = readFields(b);
  const tensor = readFields(sub(readFields(sub(fs, 2)[0] as Uint8Array), 1)[0] as Uint8Array);
  const shape = readFields(sub(tensor, 2)[0] as Uint8Array);
  const dims = sub(shape, 1).map((d) => {
    const df = readFields(d);
    return df[0]?.field === 1 ? (df[0].value as number) : str(df[0]?.value as Uint8Array);
  });
  return { name: str(sub(fs, 1)[0] as Uint8Array), dims };
}

// ── models that exercise every stage type ───────────────────────────────────────────────────

/** normalise → conv2d → gelu → conv2d (no bias) → lecun_tanh → flatten → dense (silu, relu,
 *  tanh, sigmoid, none) → CfC (pure, gelu backbone) → readout → clamp. */
function everyStageModel(): Model {
  const rng = new InitRng(5);
  const n = 2 * 6 * 7;
  const cell = initCfcDoc(8, 5, { seed: 3, mode: 'pure', backboneUnits: 9, backboneLayers: 1, activation: 'gelu' }) as { stages: object[] };
  const stages = [
    { type: 'normalise', mean: rng.tensor([n], -0.2, 0.2), std: rng.tensor([n], 0.5, 2) },
    { type: 'conv2d', inShape: [2, 6, 7], stride: [2, 1], padding: [1, 2], weight: rng.tensor([3, 2, 3, 3], -0.5, 0.5), bias: rng.tensor([3], -0.1, 0.1) },
    { type: 'activation', fn: 'gelu' },
    { type: 'conv2d', stride: [1, 1], padding: [0, 0], weight: rng.tensor([2, 3, 2, 3], -0.5, 0.5) },
    { type: 'activation', fn: 'lecun_tanh' },
    { type: 'flatten' },
    { type: 'dense', ...rng.linear(12, 28), activation: 'silu' },
    { type: 'dense', ...rng.linear(12, 12), activation: 'relu' },
    { type: 'dense', ...rng.linear(12, 12), activation: 'tanh' },
    { type: 'dense', ...rng.linear(12, 12), activation: 'sigmoid' },
    { type: 'dense', ...rng.linear(8, 12) },
    ...cell.stages,
    { type: 'readout', ...rng.linear(2, 5) },
    { type: 'clamp', min: { shape: [2], data: [-0.32, -1.47] }, max: { shape: [2], data: [0.3, 0] } },
  ];
  return loadModel({ format: MODEL_FORMAT, name: 'every-stage', inputSize: n, outputSize: 2, source: { kind: 'hand', returnSequences: true }, meta: {}, stages });
}

/** No recurrent cell: the state is a one-column dummy. */
function feedForwardModel(): Model {
  const rng = new InitRng(8);
  const stages = [
    { type: 'normalise', mean: rng.tensor([4], -1, 1), std: rng.tensor([4], 0.5, 2) },
    { type: 'dense', ...rng.linear(3, 4), activation: 'lecun_tanh' },
    { type: 'clamp', min: -0.5, max: 0.5 },
  ];
  return loadModel({ format: MODEL_FORMAT, name: 'feed-forward', inputSize: 4, outputSize: 3, source: { kind: 'hand', returnSequences: true }, meta: {}, stages });
}

async function runSeq(model: Model, backend: ConcreteBackend, x: Float64Array, steps: number, dts: Float64Array): Promise<{ y: Float64Array; h: Float64Array; c: Float64Array }> {
  const p = await compileAsync(model, { backend });
  const y = new Float64Array(steps * p.outputSize);
  await p.runSequenceAsync(x, steps, dts, y);
  const h = new Float64Array(p.stateSize);
  const c = new Float64Array(p.cellStateSize);
  p.getState(h, c);
  await p.dispose();
  return { y, h, c };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  const tol = BACKEND_TOLERANCE.ort;
  const r = withinTol(got, want, tol);
  expect(r.ok, `${what}: worst |Δ| ${r.worst} beyond atol ${tol.atol} + rtol ${tol.rtol}`).toBe(true);
}

describe('exportOnnx', () => {
  it('writes IR 8, opset 17, and the x/dt/state → y/state_out signature with batch N', () => {
    const m = laneCfc('default');
    const fs = readFields(exportOnnx(m));
    expect(num(fs, 1)).toEqual([ONNX_IR_VERSION]);
    const opset = readFields(sub(fs, 8)[0] as Uint8Array);
    expect(num(opset, 2)).toEqual([ONNX_OPSET]);
    expect(str(sub(fs, 2)[0] as Uint8Array)).toBe('lnn-edge');
    const graph = readFields(sub(fs, 7)[0] as Uint8Array);
    expect(sub(graph, 11).map(valueInfo)).toEqual([
      { name: 'x', dims: ['N', 32] }, { name: 'dt', dims: ['N', 1] }, { name: 'state', dims: ['N', 19] },
    ]);
    expect(sub(graph, 12).map(valueInfo)).toEqual([{ name: 'y', dims: ['N', 1] }, { name: 'state_out', dims: ['N', 19] }]);
  });

  it('lays the state out as [h | c] and gives a cell-less model a one-column dummy', () => {
    expect(onnxSignature(laneLstm())).toMatchObject({ stateSize: 19, cellStateSize: 19, stateWidth: 38 });
    expect(onnxSignature(laneLtc())).toMatchObject({ stateSize: 19, cellStateSize: 0, stateWidth: 19 });
    expect(onnxSignature(feedForwardModel())).toMatchObject({ stateSize: 0, cellStateSize: 0, stateWidth: 1 });
  });

  it('is deterministic: the same model gives the same bytes', () => {
    expect(hex(exportOnnx(everyStageModel()))).toBe(hex(exportOnnx(everyStageModel())));
  });
});

describe('ort backend', () => {
  it(`${ORT_PACKAGE} is installed (required in CI)`, (ctx) => {
    needOrt(ctx);
    expect(ortBackend.unsupported(laneCfc())).toBeNull();
  });

  it('names the missing package with a coded reason', () => {
    const bogus = 'lnn-edge-no-such-package';
    expect(packageUnavailable(bogus)).toEqual({
      code: 'LNN_E_BACKEND_UNAVAILABLE',
      reason: `${bogus} is not installed (npm install ${bogus} with ONNXRUNTIME_NODE_INSTALL=skip)`,
    });
    expect(ortBackend.compile).toBeUndefined();
  });

  it('loads the exported graph with the documented names and symbolic shapes', async (ctx) => {
    needOrt(ctx);
    const ort = await loadOrt();
    for (const [model, S] of [[laneCfc('pure'), 19], [laneLstm(), 38], [feedForwardModel(), 1]] as const) {
      const session = await ort.InferenceSession.create(exportOnnx(model), ORT_SESSION_OPTIONS);
      const meta = session as unknown as { inputMetadata: { name: string; shape: unknown[] }[]; outputMetadata: { name: string; shape: unknown[] }[] };
      expect(session.inputNames).toEqual(['x', 'dt', 'state']);
      expect(session.outputNames).toEqual(['y', 'state_out']);
      expect(meta.inputMetadata.map((v) => [v.name, v.shape])).toEqual([['x', ['N', model.inputSize]], ['dt', ['N', 1]], ['state', ['N', S]]]);
      expect(meta.outputMetadata.map((v) => [v.name, v.shape])).toEqual([['y', ['N', model.outputSize]], ['state_out', ['N', S]]]);
      await session.release();
    }
  });

  it('computes every stage type as ref does', async (ctx) => {
    needOrt(ctx);
    for (const model of [everyStageModel(), feedForwardModel()]) {
      const steps = 8;
      const x = Float64Array.from(new InitRng(21).tensor([steps * model.inputSize], -1.5, 1.5).data);
      const dts = Float64Array.from({ length: steps }, (_, t) => 0.02 + 0.1 * t);
      const want = await runSeq(model, 'ref', x, steps, dts);
      const got = await runSeq(model, 'ort', x, steps, dts);
      for (const k of ['y', 'h', 'c'] as const) expectClose(got[k], want[k], `${model.name} ${k}`);
    }
  });

  it('clamps NaN as ref does (to 0, then the bounds)', async (ctx) => {
    needOrt(ctx);
    const model = feedForwardModel();
    const x = Float64Array.of(NaN, 0.1, 0.2, 0.3);
    const dts = Float64Array.of(0.1);
    const want = await runSeq(model, 'ref', x, 1, dts);
    const got = await runSeq(model, 'ort', x, 1, dts);
    expect(Array.from(got.y)).toEqual(Array.from(want.y));
  });

  it('passes a cell-less model\'s dummy state through', async (ctx) => {
    needOrt(ctx);
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(exportOnnx(feedForwardModel()), ORT_SESSION_OPTIONS);
    const r = await session.run({
      x: new ort.Tensor('float32', new Float32Array(8), [2, 4]),
      dt: new ort.Tensor('float32', Float32Array.of(0.1, 0.1), [2, 1]),
      state: new ort.Tensor('float32', Float32Array.of(3, -4), [2, 1]),
    });
    expect(Array.from(r.state_out?.data as Float32Array)).toEqual([3, -4]);
    expect(r.y?.dims).toEqual([2, 3]);
    await session.release();
  });

  it('steps N agents in one run, each as a single policy with its own Δt would', async (ctx) => {
    needOrt(ctx);
    for (const model of [laneCfc('default'), laneCfc('pure'), laneLtc(), laneLstm(), everyStageModel()]) {
      const agents = 4;
      const dts = Float64Array.of(0.01, 0.05, 0.2, 1.0);
      const batch = await compileOrtBatch(model, agents);
      const singles: AsyncPolicy[] = [];
      for (let a = 0; a < agents; a++) singles.push(await compileOrt(model));
      const refs: AsyncPolicy[] = [];
      for (let a = 0; a < agents; a++) refs.push(await compileAsync(model, { backend: 'ref' }));
      const I = model.inputSize;
      const O = model.outputSize;
      const rng = new InitRng(77);
      const yb = new Float64Array(agents * O);
      const y1 = new Float64Array(O);
      const yr = new Float64Array(O);
      for (let t = 0; t < 6; t++) {
        // The same input for agents 0 and 1, so only Δt tells them apart.
        const x = Float64Array.from(rng.tensor([agents * I], -1, 1).data);
        x.copyWithin(I, 0, I);
        await batch.stepBatchAsync(x, dts, yb);
        for (let a = 0; a < agents; a++) {
          const xa = x.subarray(a * I, (a + 1) * I);
          await (singles[a] as AsyncPolicy).stepAsync(xa, dts[a] as number, y1);
          await (refs[a] as AsyncPolicy).stepAsync(xa, dts[a] as number, yr);
          const ya = yb.subarray(a * O, (a + 1) * O);
          for (let k = 0; k < O; k++) expect(Math.abs((ya[k] as number) - (y1[k] as number))).toBeLessThanOrEqual(1e-6);
          expectClose(ya, yr, `${model.name} agent ${a} step ${t}`);
        }
      }
      const H = batch.stateSize;
      const C = batch.cellStateSize;
      const hb = new Float64Array(H);
      const cb = new Float64Array(C);
      const hr = new Float64Array(H);
      const cr = new Float64Array(C);
      for (let a = 0; a < agents; a++) {
        batch.getState(a, hb, cb);
        (refs[a] as AsyncPolicy).getState(hr, cr);
        expectClose(hb, hr, `${model.name} agent ${a} h`);
        expectClose(cb, cr, `${model.name} agent ${a} c`);
      }
      if (model.stages.some((s) => s.type === 'cfc' || s.type === 'ltc')) {
        const h0 = new Float64Array(H);
        const h1 = new Float64Array(H);
        batch.getState(0, h0);
        batch.getState(1, h1);
        expect(Array.from(h0)).not.toEqual(Array.from(h1));
      }
      // reset(agent) zeroes one agent only
      batch.reset(2);
      batch.getState(2, hb);
      expect(hb.every((v) => v === 0)).toBe(true);
      batch.getState(3, hb);
      expect(hb.some((v) => v !== 0)).toBe(true);
      await batch.dispose();
      for (const p of [...singles, ...refs]) await p.dispose();
    }
  });

  it('runs overlapping steps one at a time, in call order', async (ctx) => {
    needOrt(ctx);
    const model = laneCfc('no_gate');
    const x = Float64Array.from(new InitRng(4).tensor([3 * model.inputSize], -1, 1).data);
    const I = model.inputSize;
    const seq = await compileOrt(model);
    const want = new Float64Array(3);
    await seq.runSequenceAsync(x, 3, 0.1, want);
    const p = await compileOrt(model);
    const got = new Float64Array(3);
    // Three calls without awaiting in between, each with its own input rows.
    await Promise.all([0, 1, 2].map((t) => p.stepAsync(x.subarray(t * I, (t + 1) * I), 0.1, got.subarray(t, t + 1))));
    expect(Array.from(got)).toEqual(Array.from(want));
    await seq.dispose();
    await p.dispose();
  });

  it('keeps state across steps, and set/get/reset it as [h | c]', async (ctx) => {
    needOrt(ctx);
    const p = await compileAsync(laneLstm(), { backend: 'ort' });
    expect(p.backend).toBe('ort');
    const h = Float64Array.from({ length: 19 }, (_, i) => i / 19);
    const c = Float64Array.from({ length: 19 }, (_, i) => -i / 19);
    p.setState(h, c);
    const h2 = new Float64Array(19);
    const c2 = new Float64Array(19);
    p.getState(h2, c2);
    expect(Array.from(h2)).toEqual(Array.from(Float32Array.from(h)));
    expect(Array.from(c2)).toEqual(Array.from(Float32Array.from(c)));
    const y = new Float64Array(19);
    await p.stepAsync(new Float64Array(32), 0.1, y);
    p.getState(h2);
    expect(Array.from(y)).toEqual(Array.from(h2));
    p.reset();
    p.getState(h2, c2);
    expect(h2.every((v) => v === 0) && c2.every((v) => v === 0)).toBe(true);
    await p.dispose();
    await expect(p.stepAsync(new Float64Array(32), 0.1, y)).rejects.toMatchObject({ code: 'LNN_E_BACKEND_UNAVAILABLE' });
  });
});
