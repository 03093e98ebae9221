// Property-based robustness of the loaders (DESIGN.md §3, §7): whatever a document contains, the
// loader either returns a model that compiles and steps without throwing, or throws an LnnError
// with a catalogued code (never LNN_E_INTERNAL) whose one-line message names its field. Any other
// exception (TypeError, RangeError, ...) is a bug; fast-check prints the shrunk counterexample.
// Seeds are fixed so CI runs the same cases every time.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, LnnError } from '../src/errors.ts';
import { parseJsonText } from '../src/models/json-read.ts';
import { loadModel } from '../src/models/load.ts';
import { importNcps, isNcpsExport } from '../src/models/ncps-import.ts';
import { modelJson } from '../src/models/save.ts';
import type { Model } from '../src/models/types.ts';
import { compile } from '../src/runtime/compile.ts';
import { predict, readPredictInputs } from '../src/runtime/predict.ts';
import { golden } from './helpers/fixtures.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Doc = any;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

// ---------------------------------------------------------------------------------------------
// Valid documents

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weights(seed: number): { t: (shape: number[], scale?: number) => Doc; pos: (n: number) => Doc; lin: (o: number, i: number, bias?: boolean) => Doc } {
  const r = mulberry32(seed);
  const t = (shape: number[], scale = 0.3): Doc => ({
    shape,
    data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.round((r() * 2 - 1) * scale * 1e6) / 1e6),
  });
  const pos = (n: number): Doc => ({ shape: [n], data: Array.from({ length: n }, () => Math.round((0.5 + r()) * 1e6) / 1e6) });
  const lin = (o: number, i: number, bias = true): Doc => (bias ? { weight: t([o, i]), bias: t([o]) } : { weight: t([o, i]) });
  return { t, pos, lin };
}

/** normalise → conv2d → activation → flatten → dense → cfc → readout → clamp on a 2×6×6 image. */
function handPipeline(): Doc {
  const { t, pos, lin } = weights(7);
  return {
    format: 'lnn-model/1', name: 'hand-pipeline', inputSize: 72, outputSize: 2,
    outputNames: ['steer', 'throttle'], source: { kind: 'hand', returnSequences: true }, meta: { seed: 7 },
    stages: [
      { type: 'normalise', mean: t([72]), std: pos(72) },
      { type: 'conv2d', inShape: [2, 6, 6], stride: [2, 2], padding: [0, 0], weight: t([3, 2, 3, 3]), bias: t([3]) },
      { type: 'activation', fn: 'relu' },
      { type: 'flatten' },
      { type: 'dense', ...lin(8, 12), activation: 'tanh' },
      {
        type: 'cfc', mode: 'default', inputSize: 8, units: 6,
        layers: [{
          inputSize: 8, units: 6, backbone: { activation: 'lecun_tanh', layers: [lin(10, 14)] },
          ff1: lin(6, 10), ff2: lin(6, 10), timeA: lin(6, 10), timeB: lin(6, 10),
        }],
      },
      { type: 'readout', ...lin(2, 6) },
      { type: 'clamp', min: { shape: [2], data: [-1, -0.5] }, max: { shape: [2], data: [1, 0.5] } },
    ],
  };
}

/** dense → LSTM → readout → clamp with scalar bounds. */
function handLstm(): Doc {
  const { t, lin } = weights(11);
  const H = 3;
  return {
    format: 'lnn-model/1', name: 'hand-lstm', inputSize: 4, outputSize: 1, inputNames: ['a', 'b', 'c', 'd'],
    stages: [
      { type: 'dense', ...lin(5, 4), activation: 'relu' },
      { type: 'lstm', inputSize: 5, units: H, weightIh: t([4 * H, 5]), weightHh: t([4 * H, H]), biasIh: t([4 * H]), biasHh: t([4 * H]) },
      { type: 'readout', ...lin(1, H) },
      { type: 'clamp', min: -2, max: 2 },
    ],
  };
}

/** A pure-mode CfC with mixed memory and wiring metadata. */
function handPureMixed(): Doc {
  const { t, pos, lin } = weights(13);
  const S = 3;
  const U = 4;
  return {
    format: 'lnn-model/1', name: 'hand-pure-mm', inputSize: S, outputSize: U,
    source: { kind: 'lnn-train', returnSequences: false, config: { note: 'fuzz base' } },
    stages: [
      {
        type: 'cfc', mode: 'pure', inputSize: S, units: U,
        layers: [{ inputSize: S, units: U, ff1: lin(U, S + U), wTau: t([U]), A: pos(U) }],
        mixedMemory: { inputMap: lin(4 * U, S), recurrentMap: lin(4 * U, U, false) },
        wiring: { kind: 'fully-connected', config: { units: U }, layers: [[0, 1, 2, 3]] },
      },
    ],
  };
}

/** A small raw-parameter LTC (no implicit constraints, linear input mapping, no output mapping). */
function handLtc(): Doc {
  const { t, pos } = weights(17);
  const S = 3;
  const N = 4;
  const mask = (n: number): Doc => ({ shape: [n, N], data: Array.from({ length: n * N }, (_, i) => (i % 3 === 0 ? 0 : 1)) });
  return {
    format: 'lnn-model/1', name: 'hand-ltc', inputSize: S, outputSize: 2,
    stages: [
      {
        type: 'ltc', inputSize: S, units: N, motorSize: 2, odeUnfolds: 3, epsilon: 1e-8, implicitConstraints: false,
        inputMapping: 'linear', outputMapping: 'none',
        gleak: pos(N), vleak: t([N]), cm: pos(N),
        sigma: t([N, N], 5), mu: t([N, N]), w: { shape: [N, N], data: pos(N * N).data }, erev: t([N, N], 1),
        sensorySigma: t([S, N], 5), sensoryMu: t([S, N]), sensoryW: t([S, N]), sensoryErev: t([S, N], 1),
        mask: mask(N), sensoryMask: mask(S), inputW: t([S]),
      },
    ],
  };
}

/** The ncps part of a golden case (config, state_dict, name): an export as tools/ncps_export.py writes it. */
function exportOf(name: string): Doc {
  const c = golden().cases.find((x) => x.name === name);
  if (c === undefined) throw new Error(name);
  return clone({ name: c.name, config: c.config, state_dict: c.state_dict });
}

const GOLDEN = golden().cases.map((c) => c.name);

const NATIVE_BASES: Record<string, Doc> = {
  ...Object.fromEntries(GOLDEN.map((n) => [n, clone(modelJson(importNcps(exportOf(n)).model))])),
  'hand-pipeline': handPipeline(),
  'hand-lstm': handLstm(),
  'hand-pure-mm': handPureMixed(),
  'hand-ltc': handLtc(),
};

const EXPORT_BASES: Record<string, Doc> = Object.fromEntries(GOLDEN.map((n) => [n, exportOf(n)]));

// ---------------------------------------------------------------------------------------------
// The property

/** The error is a user-facing LnnError: catalogued code, not INTERNAL, a message naming its field. */
function checkCodedError(e: unknown): void {
  if (!(e instanceof LnnError)) {
    throw new Error(`expected an LnnError, got ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  }
  if (!Object.prototype.hasOwnProperty.call(ERROR_CODES, e.code)) throw new Error(`uncatalogued code ${e.code}: ${e.message}`);
  if (e.code === 'LNN_E_INTERNAL') throw new Error(`LNN_E_INTERNAL: ${e.message}`);
  if (!e.message.startsWith(`${e.code}: `)) throw new Error(`message does not start with its code: ${e.message}`);
  if (e.where.field !== undefined) {
    const raw = e.where.index === undefined ? e.where.field : `${e.where.field}[${e.where.index}]`;
    // Messages are one line: control characters from the document are escaped as in JSON.
    // eslint-disable-next-line no-control-regex
    const loc = raw.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
    if (!e.message.includes(`: ${loc}: `)) throw new Error(`message does not name ${loc}: ${e.message}`);
  }
  // One-line messages are checked deterministically in loader-errors.test.ts (malformed JSON and
  // strings with newlines echoed into messages); here the property is about crashes and codes.
}

/** Either a model that compiles and steps once on zeros without throwing, or a coded error. */
function checkOutcome(load: () => Model): 'model' | 'error' {
  let model: Model;
  try {
    model = load();
  } catch (e) {
    checkCodedError(e);
    return 'error';
  }
  const policy = compile(model, { backend: 'ref' });
  const out = new Float64Array(policy.outputSize);
  policy.step(new Float64Array(policy.inputSize), 1.0, out);
  policy.step(new Float64Array(policy.inputSize), 0.05, out);
  return 'model';
}

// ---------------------------------------------------------------------------------------------
// Structural mutations of parsed documents

interface Slot { readonly parent: Doc; readonly key: string | number; readonly inData: boolean }

/** Every value position in the document; elements of `data` arrays are marked. */
function slots(root: Doc): Slot[] {
  const out: Slot[] = [];
  const walk = (v: Doc, inData: boolean): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push({ parent: v, key: i, inData });
        if (!inData) walk(x, false);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        const isData = k === 'data' && Array.isArray(v[k]);
        out.push({ parent: v, key: k, inData: false });
        walk(v[k], isData);
      }
    }
  };
  walk(root, false);
  return out;
}

/** Objects that look like tensors: {shape: [...], data: [...]}. */
function tensors(root: Doc): Doc[] {
  const out: Doc[] = [];
  const walk = (v: Doc): void => {
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') walk(x);
    } else if (v !== null && typeof v === 'object') {
      if (Array.isArray(v.shape) && Array.isArray(v.data)) out.push(v);
      for (const k of Object.keys(v)) if (k !== 'data') walk(v[k]);
    }
  };
  walk(root);
  return out;
}

function pickSlot(doc: Doc, target: number, zone: number, keysOnly = false): Slot | null {
  const all = slots(doc).filter((s) => !keysOnly || typeof s.key === 'string');
  const data = all.filter((s) => s.inData);
  const structural = all.filter((s) => !s.inData);
  const pool = zone < 2 && data.length > 0 ? data : structural.length > 0 ? structural : all;
  if (pool.length === 0) return null;
  return pool[target % pool.length] as Slot;
}

/** Random JSON values, weighted to what breaks loaders: wrong types, edge numbers, huge sizes. */
const junk: fc.Arbitrary<Doc> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('cfc', 'ltc', 'lstm', 'dense', 'relu', 'pure', 'no_gate', 'affine', 'none', 'lnn-model/1', 'CfC', 'LTC', '', 'a\nb', '\u0000'),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -1000, max: -1 }),
  fc.constantFrom(0, 1, 2, 3, -1, 0.5, -0, 1e-300, 1e6, 1e6 + 1, 1e7, 1e9, 1e300, -1e300, 4096, 4097, 65536, 1 << 20, 16777217, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, 5e-324),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e7, max: 1e7 }),
  fc.constant({}),
  fc.constant([]),
  fc.constant([[]]),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer({ min: -2, max: 30 }), { maxKeys: 3 }),
  fc.array(fc.integer({ min: -3, max: 30 }), { maxLength: 5 }),
  fc.record({
    shape: fc.array(fc.integer({ min: -1, max: 20 }), { maxLength: 4 }),
    data: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { maxLength: 40 }),
  }),
  fc.jsonValue({ maxDepth: 2 }),
);

const shapeEntry = fc.oneof(
  fc.integer({ min: -2, max: 40 }),
  fc.constantFrom(0, 2.5, 4096, 4097, 1 << 20, 16777217, 1e9, 1e18, -1e9),
);

type Mut =
  | { op: 'delete'; target: number; zone: number }
  | { op: 'replace'; target: number; zone: number; value: Doc }
  | { op: 'rename'; target: number; suffix: string }
  | { op: 'addKey'; target: number; key: string; value: Doc }
  | { op: 'shape'; target: number; dim: number; value: number; mode: 'set' | 'push' | 'pop' }
  | { op: 'resize'; target: number; delta: number; fill: number }
  | { op: 'dupStage'; from: number; to: number }
  | { op: 'swapStages'; a: number; b: number }
  | { op: 'removeStage'; i: number }
  | { op: 'swapKeys'; a: number; b: number };

const nat = fc.nat({ max: 1_000_000 });
const mutation: fc.Arbitrary<Mut> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), target: nat, zone: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ op: fc.constant('replace' as const), target: nat, zone: fc.integer({ min: 0, max: 9 }), value: junk }),
  fc.record({ op: fc.constant('rename' as const), target: nat, suffix: fc.constantFrom('s', '_', 'X', ' ', '.weight', '') }),
  fc.record({ op: fc.constant('addKey' as const), target: nat, key: fc.constantFrom('extra', 'units', 'type', 'shape', 'data', 'bias', '__proto__', 'constructor', 'mask'), value: junk }),
  fc.record({ op: fc.constant('shape' as const), target: nat, dim: fc.nat({ max: 4 }), value: shapeEntry, mode: fc.constantFrom('set' as const, 'push' as const, 'pop' as const) }),
  fc.record({ op: fc.constant('resize' as const), target: nat, delta: fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0), fill: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }),
  fc.record({ op: fc.constant('dupStage' as const), from: nat, to: nat }),
  fc.record({ op: fc.constant('swapStages' as const), a: nat, b: nat }),
  fc.record({ op: fc.constant('removeStage' as const), i: nat }),
  fc.record({ op: fc.constant('swapKeys' as const), a: nat, b: nat }),
);

function applyMutation(doc: Doc, m: Mut): Doc {
  switch (m.op) {
    case 'delete': {
      const s = pickSlot(doc, m.target, m.zone);
      if (s === null) return doc;
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
      else delete s.parent[s.key];
      return doc;
    }
    case 'replace': {
      const s = pickSlot(doc, m.target, m.zone);
      if (s === null) return clone(m.value);
      s.parent[s.key] = clone(m.value);
      return doc;
    }
    case 'rename': {
      const s = pickSlot(doc, m.target, 5, true);
      if (s === null || typeof s.key !== 'string') return doc;
      const k = m.suffix === '' ? s.key.slice(0, -1) : s.key + m.suffix;
      const v = s.parent[s.key];
      delete s.parent[s.key];
      s.parent[k] = v;
      return doc;
    }
    case 'addKey': {
      const objs = slots(doc).map((s) => s.parent).filter((p) => !Array.isArray(p));
      const o = objs.length === 0 ? doc : objs[m.target % objs.length];
      if (o === null || typeof o !== 'object' || Array.isArray(o)) return doc;
      Object.defineProperty(o, m.key, { value: clone(m.value), enumerable: true, writable: true, configurable: true });
      return doc;
    }
    case 'shape': {
      const ts = tensors(doc);
      if (ts.length === 0) return doc;
      const t = ts[m.target % ts.length];
      if (m.mode === 'push') t.shape.push(m.value);
      else if (m.mode === 'pop') t.shape.pop();
      else if (t.shape.length > 0) t.shape[m.dim % t.shape.length] = m.value;
      return doc;
    }
    case 'resize': {
      const ts = tensors(doc);
      if (ts.length === 0) return doc;
      const t = ts[m.target % ts.length];
      if (m.delta < 0) t.data.splice(Math.max(0, t.data.length + m.delta));
      else for (let i = 0; i < m.delta; i++) t.data.push(m.fill);
      return doc;
    }
    case 'dupStage': {
      const st = doc?.stages;
      if (!Array.isArray(st) || st.length === 0) return doc;
      st.splice(m.to % (st.length + 1), 0, clone(st[m.from % st.length]));
      return doc;
    }
    case 'swapStages': {
      const st = doc?.stages;
      if (!Array.isArray(st) || st.length === 0) return doc;
      const a = m.a % st.length;
      const b = m.b % st.length;
      [st[a], st[b]] = [st[b], st[a]];
      return doc;
    }
    case 'removeStage': {
      const st = doc?.stages;
      if (!Array.isArray(st) || st.length === 0) return doc;
      st.splice(m.i % st.length, 1);
      return doc;
    }
    case 'swapKeys': {
      // Swap the values of two keys of one object (state_dict entries, stage fields...).
      const objs = slots(doc).map((s) => s.parent).filter((p) => !Array.isArray(p) && Object.keys(p).length >= 2);
      if (objs.length === 0) return doc;
      const o = objs[(m.a + m.b) % objs.length];
      const ks = Object.keys(o);
      const ka = ks[m.a % ks.length] as string;
      const kb = ks[m.b % ks.length] as string;
      [o[ka], o[kb]] = [o[kb], o[ka]];
      return doc;
    }
  }
}

function mutate(base: Doc, muts: readonly Mut[]): Doc {
  let d = clone(base);
  for (const m of muts) d = applyMutation(d, m);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Byte-level corruption of the serialized text

type ByteMut =
  | { op: 'truncate'; at: number }
  | { op: 'set'; at: number; ch: string }
  | { op: 'delete'; at: number; len: number }
  | { op: 'insert'; at: number; s: string }
  | { op: 'dupSlice'; at: number; len: number; to: number };

const jsonChars = fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '0', '1', '9', '-', '+', '.', 'e', 'E', ' ', '\n', '\\', 'n', 'u', 'l', 't', 'x', '\u0000', 'é');
const byteMutation: fc.Arbitrary<ByteMut> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: nat }),
  fc.record({ op: fc.constant('set' as const), at: nat, ch: jsonChars }),
  fc.record({ op: fc.constant('set' as const), at: nat, ch: fc.constantFrom('0', '1', '2', '5', '9', '-', 'e', '.') }),
  fc.record({ op: fc.constant('delete' as const), at: nat, len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('insert' as const), at: nat, s: fc.oneof(jsonChars, fc.constantFrom('999', 'e999', '-0', '1e6', '1e-400', 'null', '[]', '{}', '""', ',', '9999999999')) }),
  fc.record({ op: fc.constant('dupSlice' as const), at: nat, len: fc.integer({ min: 1, max: 64 }), to: nat }),
);

function corrupt(text: string, muts: readonly ByteMut[]): string {
  let t = text;
  for (const m of muts) {
    const n = Math.max(1, t.length);
    const at = m.at % n;
    switch (m.op) {
      case 'truncate': t = t.slice(0, at); break;
      case 'set': t = t.slice(0, at) + m.ch + t.slice(at + 1); break;
      case 'delete': t = t.slice(0, at) + t.slice(at + m.len); break;
      case 'insert': t = t.slice(0, at) + m.s + t.slice(at); break;
      case 'dupSlice': {
        const piece = t.slice(at, at + m.len);
        const to = m.to % n;
        t = t.slice(0, to) + piece + t.slice(to);
        break;
      }
    }
  }
  return t;
}

function loadAny(doc: unknown, file: string): Model {
  return isNcpsExport(doc) ? importNcps(doc, file).model : loadModel(doc, file);
}

// ---------------------------------------------------------------------------------------------

describe('fuzz bases are valid models', () => {
  for (const [name, doc] of Object.entries(NATIVE_BASES)) {
    it(name, () => {
      expect(checkOutcome(() => loadModel(clone(doc), `${name}.lnn.json`))).toBe('model');
    });
  }
  for (const [name, doc] of Object.entries(EXPORT_BASES)) {
    it(`${name} (ncps export)`, () => {
      expect(checkOutcome(() => importNcps(clone(doc), `${name}.json`).model)).toBe('model');
    });
  }
});

// About 3 s in total on a 2-core machine; FUZZ_RUNS=5000 for a longer local hunt.
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('(a) structural mutations of native models', () => {
  Object.entries(NATIVE_BASES).forEach(([name, base], k) => {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (muts) => {
          checkOutcome(() => loadModel(mutate(base, muts), 'fuzz.lnn.json'));
        }),
        { seed: 42 + k, numRuns: RUNS },
      );
    });
  });
});

describe('(b) structural mutations of ncps exports', () => {
  Object.entries(EXPORT_BASES).forEach(([name, base], k) => {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (muts) => {
          checkOutcome(() => importNcps(mutate(base, muts), 'fuzz.json').model);
        }),
        { seed: 142 + k, numRuns: RUNS },
      );
    });
  });
});

describe('(c) byte-level truncation and corruption of the JSON text', () => {
  const texts: [string, string][] = [
    ...Object.entries(NATIVE_BASES).map(([n, d]): [string, string] => [`${n}.lnn.json`, JSON.stringify(d)]),
    ...Object.entries(EXPORT_BASES).map(([n, d]): [string, string] => [`${n}.ncps.json`, JSON.stringify(d, null, 1)]),
  ];
  texts.forEach(([name, text], k) => {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(byteMutation, { minLength: 1, maxLength: 3 }), (muts) => {
          const t = corrupt(text, muts);
          checkOutcome(() => loadAny(parseJsonText(t, 'fuzz.json'), 'fuzz.json'));
        }),
        { seed: 242 + k, numRuns: RUNS },
      );
    });
  });
});

describe('(d) structural mutations of predict inputs', () => {
  golden().cases.forEach((c, k) => {
    it(c.name, async () => {
      const imp = importNcps(exportOf(c.name));
      const policy = compile(imp.model, { backend: 'ref' });
      const base = clone({ input: c.input, timespans: c.timespans, h0: c.h0 });
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (muts) => {
          let inputs: ReturnType<typeof readPredictInputs>;
          try {
            inputs = readPredictInputs(mutate(base, muts), policy, imp.batchFirst, 'inputs.json');
          } catch (e) {
            checkCodedError(e);
            return;
          }
          await predict(policy, inputs, imp.model.source.returnSequences);
        }),
        { seed: 342 + k, numRuns: RUNS },
      );
    });
  });
});
