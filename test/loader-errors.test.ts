// Hand-made malformed documents through the loaders and the CLI: every one must fail with the
// exact LNN_E_* code, a message naming the field (and the element index where there is one),
// and, through `lnn`, exit code 2 with exactly one `lnn: LNN_E_...` line and no stack trace
// (DESIGN.md §7). Malformed documents are deep clones of valid ones with one thing broken.

import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LnnError, type ErrorCode } from '../src/errors.ts';
import { parseJsonText } from '../src/models/json-read.ts';
import { loadModel, loadModelFile, readJsonFile } from '../src/models/load.ts';
import { importNcps } from '../src/models/ncps-import.ts';
import { modelJson } from '../src/models/save.ts';
import { compile } from '../src/runtime/compile.ts';
import { readPredictInputs } from '../src/runtime/predict.ts';
import { main } from '../src/cli/main.ts';
import { golden, type GoldenCase } from './helpers/fixtures.ts';

// ---------------------------------------------------------------------------------------------
// Valid documents to break

/* eslint-disable @typescript-eslint/no-explicit-any */
type Doc = any;

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function goldenCase(name: string): GoldenCase {
  const c = golden().cases.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no golden case ${name}`);
  return c;
}

const CFC = 'cfc_fc_default';
const WIRED = 'cfc_wired_autoncp19_default';
const LTC = 'ltc_autoncp19_implicit_True';

/** mulberry32: small seeded generator for the hand-built model's weights. */
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

/**
 * normalise → conv2d → activation → flatten → dense → cfc → readout → clamp, on a 2×6×6 image.
 * Stage indices: 0 normalise, 1 conv2d, 2 activation, 3 flatten, 4 dense, 5 cfc, 6 readout, 7 clamp.
 */
function handModelDoc(seed = 7): Doc {
  const r = mulberry32(seed);
  const t = (shape: number[], scale = 0.3): Doc => ({
    shape,
    data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.round((r() * 2 - 1) * scale * 1e6) / 1e6),
  });
  const pos = (n: number): Doc => ({ shape: [n], data: Array.from({ length: n }, () => Math.round((0.5 + r()) * 1e6) / 1e6) });
  const lin = (out: number, inp: number): Doc => ({ weight: t([out, inp]), bias: t([out]) });
  return {
    format: 'lnn-model/1',
    name: 'hand-pipeline',
    description: 'hand-built test pipeline',
    inputSize: 72,
    outputSize: 2,
    outputNames: ['steer', 'throttle'],
    source: { kind: 'hand', returnSequences: true },
    meta: { seed },
    stages: [
      { type: 'normalise', mean: t([72]), std: pos(72) },
      { type: 'conv2d', inShape: [2, 6, 6], stride: [2, 2], padding: [0, 0], weight: t([3, 2, 3, 3]), bias: t([3]) },
      { type: 'activation', fn: 'relu' },
      { type: 'flatten' },
      { type: 'dense', ...lin(8, 12), activation: 'tanh' },
      {
        type: 'cfc', mode: 'default', inputSize: 8, units: 6,
        layers: [{
          inputSize: 8, units: 6,
          backbone: { activation: 'lecun_tanh', layers: [lin(10, 14)] },
          ff1: lin(6, 10), ff2: lin(6, 10), timeA: lin(6, 10), timeB: lin(6, 10),
        }],
      },
      { type: 'readout', ...lin(2, 6) },
      { type: 'clamp', min: { shape: [2], data: [-1, -0.5] }, max: { shape: [2], data: [1, 0.5] } },
    ],
  };
}

type Base = 'hand' | 'cfc' | 'wired' | 'ltc';

const nativeCache = new Map<Base, Doc>();
function native(base: Base): Doc {
  let d = nativeCache.get(base);
  if (d === undefined) {
    d = base === 'hand' ? handModelDoc()
      : clone(modelJson(importNcps(goldenCase(base === 'cfc' ? CFC : base === 'wired' ? WIRED : LTC)).model));
    nativeCache.set(base, d);
  }
  return clone(d);
}

function exportDoc(name: string): Doc {
  return clone(goldenCase(name));
}

// ---------------------------------------------------------------------------------------------
// Assertions

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/**
 * The call throws an LnnError with this code; `field` is the exact field path (null: none), and
 * the message is `CODE: [file: ]field[index]: detail`.
 */
function expectLnnError(fn: () => unknown, code: ErrorCode, field: string | null, index?: number, file?: string): LnnError {
  const e = caught(fn);
  if (!(e instanceof LnnError)) {
    throw new Error(`expected LnnError ${code}, got ${e === undefined ? 'no error' : e instanceof Error ? e.stack : String(e)}`);
  }
  expect(e.code, e.message).toBe(code);
  expect(e.where.field ?? null, e.message).toBe(field);
  expect(e.where.index, e.message).toBe(index);
  const loc = field === null ? (index === undefined ? '' : `[${index}]`) : index === undefined ? field : `${field}[${index}]`;
  const prefix = [code, file, loc === '' ? undefined : loc].filter((s) => s !== undefined).join(': ');
  expect(e.message.startsWith(`${prefix}: `), `message "${e.message}" should start with "${prefix}: "`).toBe(true);
  expect(e.message).not.toContain('\n');
  return e;
}

interface CliResult { code: number; out: string; err: string }

async function runCli(argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

/** exit 2, nothing on stdout, exactly one stderr line `lnn: CODE: file: field...`, no stack. */
function expectCliError(r: CliResult, code: ErrorCode, file: string | null, field: string | null, index?: number): void {
  expect(r.code, r.err).toBe(2);
  expect(r.out).toBe('');
  expect(r.err.endsWith('\n'), r.err).toBe(true);
  const lines = r.err.slice(0, -1).split('\n');
  expect(lines.length, r.err).toBe(1);
  expect(r.err).not.toContain('    at ');
  expect(r.err).not.toContain('LNN_E_INTERNAL');
  let prefix = `lnn: ${code}: `;
  if (file !== null) prefix += `${file}: `;
  if (field !== null) prefix += index === undefined ? `${field}: ` : `${field}[${index}]: `;
  expect(r.err.startsWith(prefix), `stderr "${r.err.trim()}" should start with "${prefix}"`).toBe(true);
}

let dir = '';
let fileNo = 0;
function tmpFile(text: string, ext = '.lnn.json'): string {
  const f = join(dir, `case-${fileNo++}${ext}`);
  writeFileSync(f, text);
  return f;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lnn-loader-errors-'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The table of malformed native documents

interface Case {
  readonly name: string;
  readonly base: Base;
  /** Breaks the clone in place, or returns a replacement document. */
  readonly mutate: (d: Doc) => Doc | void;
  readonly code: ErrorCode;
  readonly field: string | null;
  readonly index?: number;
}

const tensorOf = (n: number, v = 0.1): Doc => ({ shape: [n], data: new Array<number>(n).fill(v) });

const NATIVE_CASES: readonly Case[] = [
  // documents and format
  { name: 'document is an array', base: 'cfc', mutate: (d) => [d], code: 'LNN_E_TYPE', field: null },
  { name: 'document is null', base: 'cfc', mutate: () => null, code: 'LNN_E_TYPE', field: null },
  { name: 'document is a number', base: 'cfc', mutate: () => 42, code: 'LNN_E_TYPE', field: null },
  { name: 'wrong format string', base: 'cfc', mutate: (d) => { d.format = 'lnn-model/2'; }, code: 'LNN_E_FORMAT', field: 'format' },
  { name: 'format of another tool', base: 'hand', mutate: (d) => { d.format = 'onnx'; }, code: 'LNN_E_FORMAT', field: 'format' },
  { name: 'format is a number', base: 'cfc', mutate: (d) => { d.format = 1; }, code: 'LNN_E_TYPE', field: 'format' },
  { name: 'format missing', base: 'cfc', mutate: (d) => { delete d.format; }, code: 'LNN_E_MISSING_KEY', field: 'format' },
  // The message must stay one line even when it quotes a value that holds a newline.
  { name: 'format string with a newline', base: 'cfc', mutate: (d) => { d.format = 'lnn-model/1\nx'; }, code: 'LNN_E_FORMAT', field: 'format' },
  { name: 'stage type with a newline', base: 'hand', mutate: (d) => { d.stages[3].type = 'flat\nten'; }, code: 'LNN_E_UNKNOWN_STAGE', field: 'stages[3].type' },

  // missing keys
  { name: 'top-level stages missing', base: 'cfc', mutate: (d) => { delete d.stages; }, code: 'LNN_E_MISSING_KEY', field: 'stages' },
  { name: 'inputSize missing', base: 'hand', mutate: (d) => { delete d.inputSize; }, code: 'LNN_E_MISSING_KEY', field: 'inputSize' },
  { name: 'outputSize missing', base: 'ltc', mutate: (d) => { delete d.outputSize; }, code: 'LNN_E_MISSING_KEY', field: 'outputSize' },
  {
    name: 'cfc layer ff1 missing', base: 'cfc', mutate: (d) => { delete d.stages[0].layers[0].ff1; },
    code: 'LNN_E_MISSING_KEY', field: 'stages[0].layers[0].ff1',
  },
  {
    name: 'wired cfc layer timeB missing', base: 'wired', mutate: (d) => { delete d.stages[0].layers[2].timeB; },
    code: 'LNN_E_MISSING_KEY', field: 'stages[0].layers[2].timeB',
  },
  { name: 'LTC gleak missing', base: 'ltc', mutate: (d) => { delete d.stages[0].gleak; }, code: 'LNN_E_MISSING_KEY', field: 'stages[0].gleak' },
  { name: 'LTC sensoryMask missing', base: 'ltc', mutate: (d) => { delete d.stages[0].sensoryMask; }, code: 'LNN_E_MISSING_KEY', field: 'stages[0].sensoryMask' },
  { name: 'stage type missing', base: 'hand', mutate: (d) => { delete d.stages[2].type; }, code: 'LNN_E_MISSING_KEY', field: 'stages[2].type' },
  { name: 'conv2d weight missing', base: 'hand', mutate: (d) => { delete d.stages[1].weight; }, code: 'LNN_E_MISSING_KEY', field: 'stages[1].weight' },
  { name: 'tensor data missing', base: 'ltc', mutate: (d) => { delete d.stages[0].cm.data; }, code: 'LNN_E_MISSING_KEY', field: 'stages[0].cm.data' },
  { name: 'tensor shape missing', base: 'ltc', mutate: (d) => { delete d.stages[0].cm.shape; }, code: 'LNN_E_MISSING_KEY', field: 'stages[0].cm.shape' },
  {
    name: 'cfc bias missing (required in a cell head)', base: 'cfc', mutate: (d) => { delete d.stages[0].layers[0].ff2.bias; },
    code: 'LNN_E_MISSING_KEY', field: 'stages[0].layers[0].ff2.bias',
  },
  { name: 'clamp max missing', base: 'hand', mutate: (d) => { delete d.stages[7].max; }, code: 'LNN_E_MISSING_KEY', field: 'stages[7].max' },
  { name: 'cfc mode missing', base: 'hand', mutate: (d) => { delete d.stages[5].mode; }, code: 'LNN_E_MISSING_KEY', field: 'stages[5].mode' },

  // tensor shapes and element counts
  {
    name: 'LTC gleak of rank 2', base: 'ltc', mutate: (d) => { d.stages[0].gleak.shape = [19, 1]; },
    code: 'LNN_E_SHAPE', field: 'stages[0].gleak.shape',
  },
  {
    name: 'LTC sigma of rank 3', base: 'ltc', mutate: (d) => { d.stages[0].sigma.shape = [19, 19, 1]; },
    code: 'LNN_E_SHAPE', field: 'stages[0].sigma.shape',
  },
  {
    name: 'cfc ff1 weight with a wrong dim', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].ff1.weight.shape = [6, 15]; },
    code: 'LNN_E_SHAPE', field: 'stages[0].layers[0].ff1.weight.shape',
  },
  {
    name: 'cfc ff1 weight transposed', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].ff1.weight.shape = [16, 6]; },
    code: 'LNN_E_SHAPE', field: 'stages[0].layers[0].ff1.weight.shape',
  },
  {
    name: 'wired mask with a wrong dim', base: 'wired', mutate: (d) => { d.stages[0].layers[1].mask.shape = [7, 19]; },
    code: 'LNN_E_SHAPE', field: 'stages[0].layers[1].mask.shape',
  },
  {
    name: 'conv2d weight of rank 3', base: 'hand', mutate: (d) => { d.stages[1].weight.shape = [3, 2, 9]; },
    code: 'LNN_E_SHAPE', field: 'stages[1].weight.shape',
  },
  {
    name: 'conv2d weight with the wrong channel count', base: 'hand', mutate: (d) => { d.stages[1].weight.shape = [2, 3, 3, 3]; },
    code: 'LNN_E_SHAPE', field: 'stages[1].weight.shape',
  },
  {
    name: 'conv2d kernel larger than the image', base: 'hand',
    mutate: (d) => { d.stages[1].weight = { shape: [3, 2, 7, 7], data: new Array<number>(294).fill(0.01) }; },
    code: 'LNN_E_SHAPE', field: 'stages[1]',
  },
  { name: 'conv2d inShape with 2 entries', base: 'hand', mutate: (d) => { d.stages[1].inShape = [2, 36]; }, code: 'LNN_E_SHAPE', field: 'stages[1].inShape' },
  {
    name: 'LTC gleak data one short', base: 'ltc', mutate: (d) => { d.stages[0].gleak.data.pop(); },
    code: 'LNN_E_COUNT', field: 'stages[0].gleak.data',
  },
  {
    name: 'cfc ff2 weight data one too many', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].ff2.weight.data.push(0.5); },
    code: 'LNN_E_COUNT', field: 'stages[0].layers[0].ff2.weight.data',
  },
  { name: 'normalise mean data empty', base: 'hand', mutate: (d) => { d.stages[0].mean.data = []; }, code: 'LNN_E_COUNT', field: 'stages[0].mean.data' },
  {
    name: 'shape entry 0', base: 'ltc', mutate: (d) => { d.stages[0].vleak.shape = [0]; },
    code: 'LNN_E_RANGE', field: 'stages[0].vleak.shape[0]',
  },
  {
    name: 'shape entry negative', base: 'hand', mutate: (d) => { d.stages[6].weight.shape = [2, -6]; },
    code: 'LNN_E_RANGE', field: 'stages[6].weight.shape[1]',
  },
  {
    name: 'shape entry fractional', base: 'hand', mutate: (d) => { d.stages[6].weight.shape = [2, 6.5]; },
    code: 'LNN_E_TYPE', field: 'stages[6].weight.shape[1]',
  },
  {
    name: 'inputNames of the wrong length', base: 'hand', mutate: (d) => { d.inputNames = ['a', 'b']; },
    code: 'LNN_E_SHAPE', field: 'inputNames',
  },
  {
    name: 'cfc units disagree with the layers', base: 'wired', mutate: (d) => { d.stages[0].units = 20; },
    code: 'LNN_E_SHAPE', field: 'stages[0].units',
  },
  { name: 'cfc with no layers', base: 'cfc', mutate: (d) => { d.stages[0].layers = []; }, code: 'LNN_E_SHAPE', field: 'stages[0].layers' },

  // wrong JSON types
  { name: 'inputSize is a string', base: 'cfc', mutate: (d) => { d.inputSize = '8'; }, code: 'LNN_E_TYPE', field: 'inputSize' },
  { name: 'inputSize is fractional', base: 'cfc', mutate: (d) => { d.inputSize = 8.5; }, code: 'LNN_E_TYPE', field: 'inputSize' },
  { name: 'name is a number', base: 'cfc', mutate: (d) => { d.name = 5; }, code: 'LNN_E_TYPE', field: 'name' },
  { name: 'stages is an object', base: 'cfc', mutate: (d) => { d.stages = { 0: d.stages[0] }; }, code: 'LNN_E_TYPE', field: 'stages' },
  { name: 'a stage is an array', base: 'hand', mutate: (d) => { d.stages[3] = ['flatten']; }, code: 'LNN_E_TYPE', field: 'stages[3]' },
  { name: 'a stage is null', base: 'hand', mutate: (d) => { d.stages[3] = null; }, code: 'LNN_E_TYPE', field: 'stages[3]' },
  {
    name: 'a weight is a string', base: 'ltc', mutate: (d) => { d.stages[0].gleak.data[3] = '0.5'; },
    code: 'LNN_E_TYPE', field: 'stages[0].gleak.data', index: 3,
  },
  {
    name: 'a weight is null', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].timeA.weight.data[17] = null; },
    code: 'LNN_E_TYPE', field: 'stages[0].layers[0].timeA.weight.data', index: 17,
  },
  {
    name: 'a weight is a nested array', base: 'hand', mutate: (d) => { d.stages[4].weight.data[0] = [1]; },
    code: 'LNN_E_TYPE', field: 'stages[4].weight.data', index: 0,
  },
  {
    name: 'data is an object instead of an array', base: 'ltc', mutate: (d) => { d.stages[0].cm.data = { 0: 1 }; },
    code: 'LNN_E_TYPE', field: 'stages[0].cm.data',
  },
  {
    name: 'shape is an object instead of an array', base: 'ltc', mutate: (d) => { d.stages[0].cm.shape = { rows: 19 }; },
    code: 'LNN_E_TYPE', field: 'stages[0].cm.shape',
  },
  {
    name: 'a shape entry is a string', base: 'ltc', mutate: (d) => { d.stages[0].cm.shape = ['19']; },
    code: 'LNN_E_TYPE', field: 'stages[0].cm.shape[0]',
  },
  { name: 'a tensor is a bare array', base: 'ltc', mutate: (d) => { d.stages[0].cm = d.stages[0].cm.data; }, code: 'LNN_E_TYPE', field: 'stages[0].cm' },
  {
    name: 'implicitConstraints is a string', base: 'ltc', mutate: (d) => { d.stages[0].implicitConstraints = 'true'; },
    code: 'LNN_E_TYPE', field: 'stages[0].implicitConstraints',
  },
  { name: 'cfc layers is an object', base: 'cfc', mutate: (d) => { d.stages[0].layers = d.stages[0].layers[0]; }, code: 'LNN_E_TYPE', field: 'stages[0].layers' },
  { name: 'stage type is a number', base: 'hand', mutate: (d) => { d.stages[3].type = 3; }, code: 'LNN_E_TYPE', field: 'stages[3].type' },
  { name: 'meta is an array', base: 'hand', mutate: (d) => { d.meta = [1, 2]; }, code: 'LNN_E_TYPE', field: 'meta' },
  { name: 'returnSequences is a number', base: 'cfc', mutate: (d) => { d.source.returnSequences = 1; }, code: 'LNN_E_TYPE', field: 'source.returnSequences' },

  // absurd values
  {
    name: 'a weight beyond 1e6', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].ff1.weight.data[5] = 1.5e6; },
    code: 'LNN_E_RANGE', field: 'stages[0].layers[0].ff1.weight.data', index: 5,
  },
  {
    name: 'a weight below -1e6', base: 'ltc', mutate: (d) => { d.stages[0].sensoryW.data[100] = -1e300; },
    code: 'LNN_E_RANGE', field: 'stages[0].sensoryW.data', index: 100,
  },
  {
    name: 'an LTC mask entry 2', base: 'ltc', mutate: (d) => { d.stages[0].mask.data[20] = 2; },
    code: 'LNN_E_RANGE', field: 'stages[0].mask.data', index: 20,
  },
  {
    name: 'an LTC sensory mask entry -1 (signed adjacency)', base: 'ltc', mutate: (d) => { d.stages[0].sensoryMask.data[7] = -1; },
    code: 'LNN_E_RANGE', field: 'stages[0].sensoryMask.data', index: 7,
  },
  {
    name: 'a wired cfc mask entry 0.5', base: 'wired', mutate: (d) => { d.stages[0].layers[0].mask.data[3] = 0.5; },
    code: 'LNN_E_RANGE', field: 'stages[0].layers[0].mask.data', index: 3,
  },
  {
    name: 'normalise std 0', base: 'hand', mutate: (d) => { d.stages[0].std.data[9] = 0; },
    code: 'LNN_E_RANGE', field: 'stages[0].std.data', index: 9,
  },
  {
    name: 'normalise std negative', base: 'hand', mutate: (d) => { d.stages[0].std.data[71] = -1; },
    code: 'LNN_E_RANGE', field: 'stages[0].std.data', index: 71,
  },
  { name: 'conv2d negative stride', base: 'hand', mutate: (d) => { d.stages[1].stride = [-2, 2]; }, code: 'LNN_E_RANGE', field: 'stages[1].stride[0]' },
  { name: 'conv2d zero stride', base: 'hand', mutate: (d) => { d.stages[1].stride = [2, 0]; }, code: 'LNN_E_RANGE', field: 'stages[1].stride[1]' },
  { name: 'conv2d stride 1000', base: 'hand', mutate: (d) => { d.stages[1].stride = [1000, 2]; }, code: 'LNN_E_RANGE', field: 'stages[1].stride[0]' },
  { name: 'conv2d negative padding', base: 'hand', mutate: (d) => { d.stages[1].padding = [0, -1]; }, code: 'LNN_E_RANGE', field: 'stages[1].padding[1]' },
  {
    name: 'clamp max below min', base: 'hand', mutate: (d) => { d.stages[7].max.data[1] = -0.75; },
    code: 'LNN_E_RANGE', field: 'stages[7].max', index: 1,
  },
  { name: 'LTC epsilon 2', base: 'ltc', mutate: (d) => { d.stages[0].epsilon = 2; }, code: 'LNN_E_RANGE', field: 'stages[0].epsilon' },
  { name: 'LTC epsilon negative', base: 'ltc', mutate: (d) => { d.stages[0].epsilon = -1e-8; }, code: 'LNN_E_RANGE', field: 'stages[0].epsilon' },
  { name: 'LTC motorSize above units', base: 'ltc', mutate: (d) => { d.stages[0].motorSize = 20; }, code: 'LNN_E_RANGE', field: 'stages[0].motorSize' },
  { name: 'LTC odeUnfolds 0', base: 'ltc', mutate: (d) => { d.stages[0].odeUnfolds = 0; }, code: 'LNN_E_RANGE', field: 'stages[0].odeUnfolds' },
  { name: 'inputSize 0', base: 'cfc', mutate: (d) => { d.inputSize = 0; }, code: 'LNN_E_RANGE', field: 'inputSize' },
  { name: 'cfc units negative', base: 'cfc', mutate: (d) => { d.stages[0].units = -6; }, code: 'LNN_E_RANGE', field: 'stages[0].units' },
  { name: 'source kind unknown', base: 'cfc', mutate: (d) => { d.source.kind = 'tensorflow'; }, code: 'LNN_E_RANGE', field: 'source.kind' },
  { name: 'LTC inputMapping unknown', base: 'ltc', mutate: (d) => { d.stages[0].inputMapping = 'cubic'; }, code: 'LNN_E_RANGE', field: 'stages[0].inputMapping' },

  // unknown names
  { name: 'unknown stage type', base: 'hand', mutate: (d) => { d.stages[3].type = 'reshape'; }, code: 'LNN_E_UNKNOWN_STAGE', field: 'stages[3].type' },
  { name: 'cell type GRU as a stage', base: 'cfc', mutate: (d) => { d.stages[0].type = 'gru'; }, code: 'LNN_E_UNKNOWN_STAGE', field: 'stages[0].type' },
  { name: 'stage type in the wrong case', base: 'cfc', mutate: (d) => { d.stages[0].type = 'CfC'; }, code: 'LNN_E_UNKNOWN_STAGE', field: 'stages[0].type' },
  { name: 'unknown CfC mode', base: 'cfc', mutate: (d) => { d.stages[0].mode = 'fast'; }, code: 'LNN_E_UNKNOWN_MODE', field: 'stages[0].mode' },
  { name: 'unknown activation stage fn', base: 'hand', mutate: (d) => { d.stages[2].fn = 'swish'; }, code: 'LNN_E_UNKNOWN_ACTIVATION', field: 'stages[2].fn' },
  { name: 'unknown dense activation', base: 'hand', mutate: (d) => { d.stages[4].activation = 'Tanh'; }, code: 'LNN_E_UNKNOWN_ACTIVATION', field: 'stages[4].activation' },
  {
    name: 'unknown backbone activation', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].backbone.activation = 'elu'; },
    code: 'LNN_E_UNKNOWN_ACTIVATION', field: 'stages[0].layers[0].backbone.activation',
  },
  { name: 'misspelt top-level key', base: 'cfc', mutate: (d) => { d.stage = d.stages; delete d.stages; }, code: 'LNN_E_UNKNOWN_KEY', field: 'stage' },
  { name: 'extra top-level key', base: 'hand', mutate: (d) => { d.version = 2; }, code: 'LNN_E_UNKNOWN_KEY', field: 'version' },
  { name: 'misspelt cfc key', base: 'cfc', mutate: (d) => { d.stages[0].unit = 6; }, code: 'LNN_E_UNKNOWN_KEY', field: 'stages[0].unit' },
  {
    name: 'misspelt LTC key', base: 'ltc', mutate: (d) => { d.stages[0].odeUnfold = d.stages[0].odeUnfolds; delete d.stages[0].odeUnfolds; },
    code: 'LNN_E_UNKNOWN_KEY', field: 'stages[0].odeUnfold',
  },
  { name: 'misspelt tensor key', base: 'ltc', mutate: (d) => { d.stages[0].cm.shp = [19]; }, code: 'LNN_E_UNKNOWN_KEY', field: 'stages[0].cm.shp' },
  {
    name: 'misspelt layer head', base: 'cfc', mutate: (d) => { const l = d.stages[0].layers[0]; l.time_a = l.timeA; delete l.timeA; },
    code: 'LNN_E_UNKNOWN_KEY', field: 'stages[0].layers[0].time_a',
  },
  {
    name: 'pure-mode key in a default-mode layer', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].wTau = tensorOf(6); },
    code: 'LNN_E_UNKNOWN_KEY', field: 'stages[0].layers[0].wTau',
  },
  {
    name: 'LTC inputB with a linear mapping', base: 'ltc', mutate: (d) => { d.stages[0].inputMapping = 'linear'; },
    code: 'LNN_E_UNKNOWN_KEY', field: 'stages[0].inputB',
  },
  { name: 'key on a flatten stage', base: 'hand', mutate: (d) => { d.stages[3].size = 12; }, code: 'LNN_E_UNKNOWN_KEY', field: 'stages[3].size' },

  // sizes beyond the limits: these must fail before anything is allocated
  {
    name: 'tensor shape [1e9, 1e9]', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].ff1.weight.shape = [1e9, 1e9]; },
    code: 'LNN_E_LIMIT', field: 'stages[0].layers[0].ff1.weight.shape[0]',
  },
  {
    name: 'tensor shape [5000, 5000] (each dim fine, product too big)', base: 'ltc', mutate: (d) => { d.stages[0].sigma.shape = [5000, 5000]; },
    code: 'LNN_E_LIMIT', field: 'stages[0].sigma.shape',
  },
  { name: 'cfc units 1e6', base: 'cfc', mutate: (d) => { d.stages[0].units = 1e6; }, code: 'LNN_E_LIMIT', field: 'stages[0].units' },
  {
    name: 'cfc layer units 1e6', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].units = 1e6; },
    code: 'LNN_E_LIMIT', field: 'stages[0].layers[0].units',
  },
  { name: 'LTC units 1e6', base: 'ltc', mutate: (d) => { d.stages[0].units = 1e6; }, code: 'LNN_E_LIMIT', field: 'stages[0].units' },
  {
    name: '10^4 stages', base: 'hand', mutate: (d) => { d.stages = Array.from({ length: 10_000 }, () => ({ type: 'flatten' })); },
    code: 'LNN_E_LIMIT', field: 'stages',
  },
  { name: 'LTC odeUnfolds 1e7', base: 'ltc', mutate: (d) => { d.stages[0].odeUnfolds = 1e7; }, code: 'LNN_E_LIMIT', field: 'stages[0].odeUnfolds' },
  { name: 'inputSize 1e9', base: 'cfc', mutate: (d) => { d.inputSize = 1e9; }, code: 'LNN_E_LIMIT', field: 'inputSize' },
  { name: 'inputSize 1e300', base: 'hand', mutate: (d) => { d.inputSize = 1e300; }, code: 'LNN_E_LIMIT', field: 'inputSize' },
  {
    name: 'conv2d inShape [1e9, 1e9, 1e9]', base: 'hand', mutate: (d) => { d.stages[1].inShape = [1e9, 1e9, 1e9]; },
    code: 'LNN_E_LIMIT', field: 'stages[1].inShape[0]',
  },
  {
    name: '100 backbone layers', base: 'cfc',
    mutate: (d) => { const b = d.stages[0].layers[0].backbone; b.layers = Array.from({ length: 100 }, () => b.layers[1]); },
    code: 'LNN_E_LIMIT', field: 'stages[0].layers[0].backbone.layers',
  },
  {
    name: '100 cfc layers', base: 'wired', mutate: (d) => { d.stages[0].layers = Array.from({ length: 100 }, () => d.stages[0].layers[0]); },
    code: 'LNN_E_LIMIT', field: 'stages[0].layers',
  },
  {
    name: 'dense weight shape [1e7, 12]', base: 'hand', mutate: (d) => { d.stages[4].weight.shape = [1e7, 12]; },
    code: 'LNN_E_LIMIT', field: 'stages[4].weight.shape',
  },

  // stages that do not chain
  {
    name: 'dense in-size does not match the previous stage', base: 'hand',
    mutate: (d) => { d.stages[4].weight = { shape: [8, 13], data: new Array<number>(104).fill(0.1) }; },
    code: 'LNN_E_PIPELINE', field: 'stages[4].weight.shape',
  },
  {
    name: 'readout in-size does not match the cell output', base: 'hand',
    mutate: (d) => { d.stages[6].weight = { shape: [2, 5], data: new Array<number>(10).fill(0.1) }; },
    code: 'LNN_E_PIPELINE', field: 'stages[6].weight.shape',
  },
  { name: 'declared outputSize mismatch', base: 'hand', mutate: (d) => { d.outputSize = 3; }, code: 'LNN_E_PIPELINE', field: 'outputSize' },
  { name: 'declared outputSize mismatch (ltc)', base: 'ltc', mutate: (d) => { d.outputSize = 19; }, code: 'LNN_E_PIPELINE', field: 'outputSize' },
  {
    name: 'two recurrent cells', base: 'cfc',
    mutate: (d) => {
      const H = 3;
      d.stages.push({
        type: 'lstm', inputSize: 6, units: H,
        weightIh: { shape: [4 * H, 6], data: new Array<number>(24 * H).fill(0.1) },
        weightHh: { shape: [4 * H, H], data: new Array<number>(4 * H * H).fill(0.1) },
        biasIh: tensorOf(4 * H), biasHh: tensorOf(4 * H),
      });
      d.outputSize = H;
    },
    code: 'LNN_E_PIPELINE', field: 'stages[1]',
  },
  {
    name: 'the same cell twice', base: 'cfc', mutate: (d) => { d.stages.push(d.stages[0]); },
    code: 'LNN_E_PIPELINE', field: 'stages[1].inputSize',
  },
  { name: 'cell inputSize mismatch', base: 'hand', mutate: (d) => { d.stages[5].inputSize = 9; }, code: 'LNN_E_PIPELINE', field: 'stages[5].inputSize' },
  { name: 'model inputSize mismatch', base: 'ltc', mutate: (d) => { d.inputSize = 9; }, code: 'LNN_E_PIPELINE', field: 'stages[0].inputSize' },
  {
    name: 'cfc layer inputSize mismatch', base: 'wired', mutate: (d) => { d.stages[0].layers[1].inputSize = 12; },
    code: 'LNN_E_PIPELINE', field: 'stages[0].layers[1].inputSize',
  },
  { name: 'conv2d inShape does not hold the input', base: 'hand', mutate: (d) => { d.stages[1].inShape = [2, 6, 5]; }, code: 'LNN_E_PIPELINE', field: 'stages[1].inShape' },
  {
    name: 'conv2d on a vector without inShape', base: 'hand', mutate: (d) => { delete d.stages[1].inShape; },
    code: 'LNN_E_MISSING_KEY', field: 'stages[1].inShape',
  },
  {
    name: 'stages reordered (dense before conv2d)', base: 'hand', mutate: (d) => { const s = d.stages; [s[1], s[4]] = [s[4], s[1]]; },
    code: 'LNN_E_PIPELINE', field: 'stages[1].weight.shape',
  },
];

// NaN and Infinity cannot be written in JSON (1e999 can: see 'files'), so these go through
// loadModel on a JS object only.
const NONFINITE_CASES: readonly Case[] = [
  {
    name: 'NaN weight', base: 'ltc', mutate: (d) => { d.stages[0].gleak.data[2] = NaN; },
    code: 'LNN_E_NONFINITE', field: 'stages[0].gleak.data', index: 2,
  },
  {
    name: 'Infinity weight', base: 'cfc', mutate: (d) => { d.stages[0].layers[0].ff1.weight.data[5] = Infinity; },
    code: 'LNN_E_NONFINITE', field: 'stages[0].layers[0].ff1.weight.data', index: 5,
  },
  {
    name: '-Infinity bias', base: 'hand', mutate: (d) => { d.stages[6].bias.data[1] = -Infinity; },
    code: 'LNN_E_NONFINITE', field: 'stages[6].bias.data', index: 1,
  },
  { name: 'NaN in a mask', base: 'ltc', mutate: (d) => { d.stages[0].mask.data[0] = NaN; }, code: 'LNN_E_NONFINITE', field: 'stages[0].mask.data', index: 0 },
  { name: 'NaN std', base: 'hand', mutate: (d) => { d.stages[0].std.data[4] = NaN; }, code: 'LNN_E_NONFINITE', field: 'stages[0].std.data', index: 4 },
  { name: 'inputSize Infinity', base: 'cfc', mutate: (d) => { d.inputSize = Infinity; }, code: 'LNN_E_NONFINITE', field: 'inputSize' },
  { name: 'units NaN', base: 'cfc', mutate: (d) => { d.stages[0].units = NaN; }, code: 'LNN_E_NONFINITE', field: 'stages[0].units' },
  { name: 'epsilon NaN', base: 'ltc', mutate: (d) => { d.stages[0].epsilon = NaN; }, code: 'LNN_E_NONFINITE', field: 'stages[0].epsilon' },
  { name: 'odeUnfolds Infinity', base: 'ltc', mutate: (d) => { d.stages[0].odeUnfolds = Infinity; }, code: 'LNN_E_NONFINITE', field: 'stages[0].odeUnfolds' },
  { name: 'clamp bound -Infinity as a number', base: 'hand', mutate: (d) => { d.stages[7].min = -Infinity; }, code: 'LNN_E_NONFINITE', field: 'stages[7].min' },
  { name: 'shape entry Infinity', base: 'ltc', mutate: (d) => { d.stages[0].cm.shape = [Infinity]; }, code: 'LNN_E_NONFINITE', field: 'stages[0].cm.shape[0]' },
  { name: 'stride NaN', base: 'hand', mutate: (d) => { d.stages[1].stride = [NaN, 2]; }, code: 'LNN_E_NONFINITE', field: 'stages[1].stride[0]' },
];

function broken(c: Case): Doc {
  const d = native(c.base);
  const r = c.mutate(d);
  return r === undefined ? d : r;
}

describe('the base documents are valid', () => {
  for (const b of ['hand', 'cfc', 'wired', 'ltc'] as const) {
    it(b, () => {
      const m = loadModel(native(b), 'x.lnn.json');
      const p = compile(m, { backend: 'ref' });
      const out = new Float64Array(p.outputSize);
      p.step(new Float64Array(p.inputSize), 1, out);
      expect(out.every(Number.isFinite)).toBe(true);
    });
  }
});

describe('malformed native documents: loadModel', () => {
  for (const c of [...NATIVE_CASES, ...NONFINITE_CASES]) {
    it(`${c.name} → ${c.code}`, () => {
      const doc = broken(c);
      expectLnnError(() => loadModel(doc, 'bad.lnn.json'), c.code, c.field, c.index, 'bad.lnn.json');
      // without a file name the message has no file part
      expectLnnError(() => loadModel(doc), c.code, c.field, c.index);
    });
  }
});

describe('malformed native documents: lnn inspect', () => {
  for (const c of NATIVE_CASES) {
    it(`${c.name} → exit 2, one line ${c.code}`, async () => {
      const file = tmpFile(JSON.stringify(broken(c)));
      expectCliError(await runCli(['inspect', file]), c.code, file, c.field, c.index);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Files: missing, empty, malformed and truncated JSON

describe('files', () => {
  const validText = (): string => `${JSON.stringify(native('hand'), null, 1)}\n`;

  it('a missing file → LNN_E_FILE_NOT_FOUND', async () => {
    const file = join(dir, 'no-such-model.lnn.json');
    expectLnnError(() => loadModelFile(file), 'LNN_E_FILE_NOT_FOUND', null, undefined, file);
    expectCliError(await runCli(['inspect', file]), 'LNN_E_FILE_NOT_FOUND', file, null);
  });

  it('a directory instead of a file → coded error, not a crash', async () => {
    const r = await runCli(['inspect', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^lnn: LNN_E_(FILE_READ|JSON): /);
    expect(r.err.trim().split('\n').length).toBe(1);
  });

  it('an empty file → LNN_E_JSON "empty"', async () => {
    for (const text of ['', '   \n\t\n']) {
      const file = tmpFile(text);
      const e = expectLnnError(() => loadModelFile(file), 'LNN_E_JSON', null, undefined, file);
      expect(e.message).toContain('empty');
      expectCliError(await runCli(['inspect', file]), 'LNN_E_JSON', file, null);
    }
  });

  // [name, broken text, the substring where the error is (its line must be reported)]
  const MALFORMED: readonly [string, (good: string) => string, string][] = [
    ['an unquoted key', (g) => g.replace('"format"', 'format'), 'format'],
    ['single quotes', (g) => g.replace('"flatten"', "'flatten'"), "'flatten'"],
    ['a stray comma after a key', (g) => g.replace('"stages"', '"stages",'), '"stages",'],
    ['a trailing comma in the last stage', (g) => g.replace(/"type": "clamp",/, '"type": "clamp",,'), ',,'],
    ['a trailing comma before the closing brace', (g) => g.replace(/\]\s*\}\s*$/, '],}\n'), '],}'],
    ['two documents', (g) => `${g}{}`, '{}'],
    ['a hex number', (g) => g.replace('"inputSize": 72', '"inputSize": 0x48'), '0x48'],
    ['NaN as a literal', (g) => g.replace('"inputSize": 72', '"inputSize": NaN'), 'NaN'],
    ['Infinity as a literal', (g) => g.replace('"inputSize": 72', '"inputSize": Infinity'), 'Infinity'],
    ['a comment line', (g) => `// a comment\n${g}`, '//'],
    ['control characters', () => '\u0000\u0001\u0002', '\u0000'],
    ['a bare word', () => 'lnn-model/1', 'lnn'],
  ];
  for (const [name, make, marker] of MALFORMED) {
    it(`malformed JSON (${name}) → one-line LNN_E_JSON "malformed" with the line of the error`, async () => {
      const text = make(validText());
      const line = text.slice(0, text.indexOf(marker)).split('\n').length;
      const e = expectLnnError(() => parseJsonText(text, 'bad.json'), 'LNN_E_JSON', null, undefined, 'bad.json');
      expect(e.message).toContain('malformed');
      expect(e.message).toMatch(new RegExp(`at line ${line}, column \\d+`));
      const file = tmpFile(text);
      expectLnnError(() => readJsonFile(file), 'LNN_E_JSON', null, undefined, file);
      expectCliError(await runCli(['inspect', file]), 'LNN_E_JSON', file, null);
    });
  }

  it('a position in malformed JSON is reported as line and column', () => {
    const text = '{\n  "format": "lnn-model/1",\n  "inputSize": 8,,\n}\n';
    const e = expectLnnError(() => parseJsonText(text, 'f.json'), 'LNN_E_JSON', null, undefined, 'f.json');
    expect(e.message).toContain('line 3, column');
  });

  it('truncated JSON (a valid model cut at many byte offsets) → LNN_E_JSON "truncated"', async () => {
    for (const text of [validText(), JSON.stringify(native('ltc'))]) {
      const n = text.trimEnd().length;
      const offsets = new Set<number>([1, 2, 5, 10, 11, 12, 13, 50, 100, 101, 257, 1000]);
      for (let k = 1; k < n; k += Math.max(1, Math.floor(n / 97))) offsets.add(k);
      offsets.add(n - 1);
      for (const k of [...offsets].filter((x) => x < n)) {
        const cut = text.slice(0, k);
        const e = expectLnnError(() => parseJsonText(cut, 'cut.json'), 'LNN_E_JSON', null, undefined, 'cut.json');
        expect(e.message, `cut at ${k}`).toContain('truncated');
      }
      // a few through the CLI
      for (const k of [1, Math.floor(n / 3), Math.floor(n / 2), n - 1]) {
        const file = tmpFile(text.slice(0, k));
        expectCliError(await runCli(['inspect', file]), 'LNN_E_JSON', file, null);
      }
    }
  });

  it('1e999 in the text parses as Infinity → LNN_E_NONFINITE with the index', async () => {
    const text = JSON.stringify(native('ltc')).replace(/("cm":\{"shape":\[19\],"data":\[)[^,]+,[^,]+,/, '$1 0.5, 1e999,');
    expect(text).toContain('1e999');
    const file = tmpFile(text);
    expectLnnError(() => loadModelFile(file), 'LNN_E_NONFINITE', 'stages[0].cm.data', 1, file);
    expectCliError(await runCli(['inspect', file]), 'LNN_E_NONFINITE', file, 'stages[0].cm.data', 1);
  });

  it('a file beyond the size limit (sparse, 600 MB) → LNN_E_LIMIT before reading it', async () => {
    const file = tmpFile('');
    truncateSync(file, 600 * 1024 * 1024);
    expectLnnError(() => readJsonFile(file), 'LNN_E_LIMIT', null, undefined, file);
    expectCliError(await runCli(['inspect', file]), 'LNN_E_LIMIT', file, null);
    rmSync(file);
  });

  it('a UTF-8 byte-order mark: loads, or one-line LNN_E_JSON "malformed" at line 1 (never "truncated")', async () => {
    const file = tmpFile(`\uFEFF${validText()}`);
    const r = await runCli(['inspect', file]);
    if (r.code !== 0) {
      expectCliError(r, 'LNN_E_JSON', file, null);
      expect(r.err).toContain('malformed');
      expect(r.err).toContain('line 1, column 1');
    }
  });

  // Free-form meta and config are kept as they are; a depth that JSON.stringify cannot write back
  // (it recurses) must be refused at load, not crash a later save.
  const DEPTH = 1_000_000;
  const deep = (): string => `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;

  it('absurdly deep nesting in a native model\'s meta: rejected with LNN_E_LIMIT, or the model saves', () => {
    const text = JSON.stringify(native('cfc')).replace('"meta":{}', `"meta":{"x":${deep()}}`);
    expect(text.length).toBeGreaterThan(2 * DEPTH);
    const e = caught(() => JSON.stringify(modelJson(loadModel(parseJsonText(text, 'deep.lnn.json'), 'deep.lnn.json'))));
    if (e !== undefined) {
      expect(e, String(e)).toBeInstanceOf(LnnError);
      expect((e as LnnError).code).toBe('LNN_E_LIMIT');
    }
  });

  it('absurdly deep nesting in an ncps config: lnn import exits 0, or 2 with LNN_E_LIMIT (not LNN_E_FILE_WRITE)', async () => {
    const text = JSON.stringify(exportDoc(CFC)).replace('"config":{', `"config":{"x":${deep()},`);
    const file = tmpFile(text, '.ncps.json');
    const out = join(dir, 'deep-import.lnn.json');
    const r = await runCli(['import', 'ncps', file, '-o', out]);
    if (r.code !== 0) expectCliError(r, 'LNN_E_LIMIT', file, null);
  });

  it('a JSON document that is not an object → LNN_E_TYPE', async () => {
    for (const text of ['[]', '42', '"lnn-model/1"', 'null', 'true']) {
      const file = tmpFile(text);
      expectCliError(await runCli(['inspect', file]), 'LNN_E_TYPE', file, null);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// ncps exports

interface ExportCase {
  readonly name: string;
  readonly base: string;
  readonly mutate: (d: Doc) => Doc | void;
  readonly code: ErrorCode;
  readonly field: string | null;
  readonly index?: number;
  readonly json?: boolean;
}

const sdKey = (k: string): string => `state_dict["${k}"]`;

const EXPORT_CASES: readonly ExportCase[] = [
  { name: 'state_dict missing', base: CFC, mutate: (d) => { delete d.state_dict; }, code: 'LNN_E_MISSING_KEY', field: 'state_dict' },
  { name: 'config missing', base: LTC, mutate: (d) => { delete d.config; }, code: 'LNN_E_MISSING_KEY', field: 'config' },
  { name: 'state_dict is an array', base: CFC, mutate: (d) => { d.state_dict = []; }, code: 'LNN_E_TYPE', field: 'state_dict' },
  { name: 'config is a string', base: CFC, mutate: (d) => { d.config = 'CfC'; }, code: 'LNN_E_TYPE', field: 'config' },
  { name: 'cell type GRU', base: CFC, mutate: (d) => { d.config.type = 'GRU'; }, code: 'LNN_E_UNKNOWN_CELL', field: 'config.type' },
  { name: 'cell type as a number', base: CFC, mutate: (d) => { d.config.type = 3; }, code: 'LNN_E_TYPE', field: 'config.type' },
  { name: 'unknown CfC mode', base: CFC, mutate: (d) => { d.config.mode = 'fast'; }, code: 'LNN_E_UNKNOWN_MODE', field: 'config.mode' },
  { name: 'unknown backbone activation', base: CFC, mutate: (d) => { d.config.activation = 'swish'; }, code: 'LNN_E_UNKNOWN_ACTIVATION', field: 'config.activation' },
  { name: 'config input_size disagrees with the weights', base: CFC, mutate: (d) => { d.config.input_size = 9; }, code: 'LNN_E_SHAPE', field: 'config.input_size' },
  { name: 'config input_size is a string', base: LTC, mutate: (d) => { d.config.input_size = '8'; }, code: 'LNN_E_TYPE', field: 'config.input_size' },
  { name: 'config return_sequences is a string', base: CFC, mutate: (d) => { d.config.return_sequences = 'yes'; }, code: 'LNN_E_TYPE', field: 'config.return_sequences' },
  {
    name: 'config mixed_memory without the LSTM weights', base: CFC, mutate: (d) => { d.config.mixed_memory = true; },
    code: 'LNN_E_MISSING_KEY', field: sdKey('lstm.input_map.weight'),
  },
  {
    name: 'state_dict key ff1.weight missing', base: CFC, mutate: (d) => { delete d.state_dict['rnn_cell.ff1.weight']; },
    code: 'LNN_E_MISSING_KEY', field: sdKey('rnn_cell.ff1.weight'),
  },
  {
    name: 'state_dict key time_b.bias missing', base: CFC, mutate: (d) => { delete d.state_dict['rnn_cell.time_b.bias']; },
    code: 'LNN_E_MISSING_KEY', field: sdKey('rnn_cell.time_b.bias'),
  },
  {
    name: 'state_dict key gleak missing (LTC)', base: LTC, mutate: (d) => { delete d.state_dict['rnn_cell.gleak']; },
    code: 'LNN_E_MISSING_KEY', field: sdKey('rnn_cell.gleak'),
  },
  {
    name: 'state_dict key sparsity_mask missing (wired CfC)', base: WIRED, mutate: (d) => { delete d.state_dict['rnn_cell.layer_1.sparsity_mask']; },
    code: 'LNN_E_MISSING_KEY', field: sdKey('rnn_cell.layer_1.sparsity_mask'),
  },
  {
    name: 'state_dict key renamed (misspelt ff1.weigth)', base: CFC,
    mutate: (d) => { const s = d.state_dict; s['rnn_cell.ff1.weigth'] = s['rnn_cell.ff1.weight']; delete s['rnn_cell.ff1.weight']; },
    code: 'LNN_E_MISSING_KEY', field: sdKey('rnn_cell.ff1.weight'),
  },
  {
    name: 'gleak of rank 2', base: LTC, mutate: (d) => { d.state_dict['rnn_cell.gleak'].shape = [19, 1]; },
    code: 'LNN_E_SHAPE', field: `${sdKey('rnn_cell.gleak')}.shape`,
  },
  {
    name: 'sigma with a wrong dim', base: LTC, mutate: (d) => { d.state_dict['rnn_cell.sigma'].shape = [19, 18]; },
    code: 'LNN_E_SHAPE', field: `${sdKey('rnn_cell.sigma')}.shape`,
  },
  {
    name: 'ff2 weight shape disagrees with ff1', base: CFC, mutate: (d) => { d.state_dict['rnn_cell.ff2.weight'].shape = [6, 15]; },
    code: 'LNN_E_SHAPE', field: `${sdKey('rnn_cell.ff2.weight')}.shape`,
  },
  {
    name: 'tensor shape [1e9, 1e9]', base: CFC, mutate: (d) => { d.state_dict['rnn_cell.ff1.weight'].shape = [1e9, 1e9]; },
    code: 'LNN_E_LIMIT', field: `${sdKey('rnn_cell.ff1.weight')}.shape[0]`,
  },
  {
    name: 'a state_dict tensor is a bare array', base: LTC, mutate: (d) => { d.state_dict['rnn_cell.cm'] = d.state_dict['rnn_cell.cm'].data; },
    code: 'LNN_E_TYPE', field: sdKey('rnn_cell.cm'),
  },
  {
    name: 'misspelt key inside a state_dict tensor', base: LTC, mutate: (d) => { d.state_dict['rnn_cell.cm'].dtype = 'float32'; },
    code: 'LNN_E_UNKNOWN_KEY', field: `${sdKey('rnn_cell.cm')}.dtype`,
  },
  // The remaining export cases are checked after import, so their fields must still name the
  // export (state_dict / config), not the intermediate native document the importer builds.
  {
    name: 'state_dict element count wrong', base: LTC, mutate: (d) => { d.state_dict['rnn_cell.gleak'].data.pop(); },
    code: 'LNN_E_COUNT', field: `${sdKey('rnn_cell.gleak')}.data`,
  },
  {
    name: 'state_dict weight is a string', base: CFC, mutate: (d) => { d.state_dict['rnn_cell.ff1.weight'].data[4] = 'x'; },
    code: 'LNN_E_TYPE', field: `${sdKey('rnn_cell.ff1.weight')}.data`, index: 4,
  },
  {
    name: 'state_dict mask entry 2', base: LTC, mutate: (d) => { d.state_dict['rnn_cell.sparsity_mask'].data[20] = 2; },
    code: 'LNN_E_RANGE', field: `${sdKey('rnn_cell.sparsity_mask')}.data`, index: 20,
  },
  {
    name: 'state_dict weight NaN', base: CFC, mutate: (d) => { d.state_dict['rnn_cell.time_a.weight'].data[0] = NaN; },
    code: 'LNN_E_NONFINITE', field: `${sdKey('rnn_cell.time_a.weight')}.data`, index: 0, json: false,
  },
  { name: 'config ode_unfolds 1e7', base: LTC, mutate: (d) => { d.config.ode_unfolds = 1e7; }, code: 'LNN_E_LIMIT', field: 'config.ode_unfolds' },
  { name: 'config epsilon is a string', base: LTC, mutate: (d) => { d.config.epsilon = 'tiny'; }, code: 'LNN_E_TYPE', field: 'config.epsilon' },
  {
    name: 'config implicit_param_constraints is a number', base: LTC, mutate: (d) => { d.config.implicit_param_constraints = 1; },
    code: 'LNN_E_TYPE', field: 'config.implicit_param_constraints',
  },
  // A misspelt optional key must not be silently ignored: here the readout would vanish.
  {
    name: 'unknown state_dict key (misspelt fc.weight)', base: CFC,
    mutate: (d) => {
      d.state_dict['fc.weights'] = { shape: [2, 6], data: new Array<number>(12).fill(0.1) };
      d.state_dict['fc.bias'] = { shape: [2], data: [0, 0] };
    },
    code: 'LNN_E_UNKNOWN_KEY', field: sdKey('fc.weights'),
  },
];

describe('malformed ncps exports: importNcps', () => {
  it('the golden exports import', () => {
    for (const n of [CFC, WIRED, LTC]) expect(importNcps(exportDoc(n), 'e.json').model.format).toBe('lnn-model/1');
  });
  for (const c of EXPORT_CASES) {
    it(`${c.base}: ${c.name} → ${c.code}`, () => {
      const d = exportDoc(c.base);
      const r = c.mutate(d);
      const doc = r === undefined ? d : r;
      expectLnnError(() => importNcps(doc, 'export.json'), c.code, c.field, c.index, 'export.json');
    });
  }
});

describe('malformed ncps exports: lnn inspect', () => {
  for (const c of EXPORT_CASES.filter((x) => x.json !== false && x.name !== 'state_dict missing')) {
    it(`${c.base}: ${c.name} → exit 2, one line ${c.code}`, async () => {
      const d = exportDoc(c.base);
      const r = c.mutate(d);
      const file = tmpFile(JSON.stringify(r === undefined ? d : r), '.ncps.json');
      expectCliError(await runCli(['inspect', file]), c.code, file, c.field, c.index);
    });
  }

  it('an export without state_dict is read as a native model → LNN_E_MISSING_KEY format', async () => {
    const d = exportDoc(CFC);
    delete d.state_dict;
    const file = tmpFile(JSON.stringify(d), '.ncps.json');
    expectCliError(await runCli(['inspect', file]), 'LNN_E_MISSING_KEY', file, 'format');
  });

  it('ncps units 1e6 (every shape consistent) fails fast with LNN_E_LIMIT', () => {
    const d = exportDoc(LTC);
    const N = 1_000_000;
    for (const t of Object.values(d.state_dict as Record<string, { shape: number[] }>)) {
      t.shape = t.shape.map((x) => (x === 19 ? N : x));
    }
    const e = caught(() => importNcps(d, 'big.json'));
    expect(e).toBeInstanceOf(LnnError);
    expect((e as LnnError).code).toBe('LNN_E_LIMIT');
    expect((e as LnnError).where.field).toMatch(/^state_dict\["rnn_cell\.\w+"\]\.shape/);
  });
});

// ---------------------------------------------------------------------------------------------
// predict inputs

describe('predict inputs', () => {
  const policyFor = (name: string): { policy: ReturnType<typeof compile>; batchFirst: boolean } => {
    const imp = importNcps(exportDoc(name));
    return { policy: compile(imp.model, { backend: 'ref' }), batchFirst: imp.batchFirst };
  };

  interface InputCase {
    readonly name: string;
    readonly base: string;
    readonly mutate: (d: Doc) => Doc | void;
    readonly code: ErrorCode;
    readonly field: string | null;
    readonly index?: number;
    readonly json?: boolean;
  }

  const INPUT_CASES: readonly InputCase[] = [
    {
      name: 'input width 7 for a model of 8', base: CFC,
      mutate: (d) => { d.input = { shape: [1, 5, 7], data: new Array<number>(35).fill(0.1) }; },
      code: 'LNN_E_INPUT_WIDTH', field: 'input.shape',
    },
    {
      name: 'input width 9 (unbatched)', base: LTC,
      mutate: (d) => { d.input = { shape: [5, 9], data: new Array<number>(45).fill(0.1) }; },
      code: 'LNN_E_INPUT_WIDTH', field: 'input.shape',
    },
    { name: 'input missing', base: CFC, mutate: (d) => { delete d.input; }, code: 'LNN_E_MISSING_KEY', field: 'input' },
    { name: 'input of rank 4', base: CFC, mutate: (d) => { d.input.shape = [1, 1, 5, 8]; }, code: 'LNN_E_INPUT', field: 'input.shape' },
    { name: 'input with 0 steps', base: CFC, mutate: (d) => { d.input = { shape: [1, 0, 8], data: [] }; }, code: 'LNN_E_INPUT', field: 'input.shape' },
    { name: 'input data one short', base: CFC, mutate: (d) => { d.input.data.pop(); }, code: 'LNN_E_COUNT', field: 'input.data' },
    { name: 'input value a string', base: WIRED, mutate: (d) => { d.input.data[11] = '1'; }, code: 'LNN_E_TYPE', field: 'input.data', index: 11 },
    { name: 'input data an object', base: WIRED, mutate: (d) => { d.input.data = {}; }, code: 'LNN_E_TYPE', field: 'input.data' },
    {
      name: 'input of 2e6 steps', base: CFC, mutate: (d) => { d.input = { shape: [1, 2_000_000, 8], data: [] }; },
      code: 'LNN_E_LIMIT', field: 'input.shape',
    },
    {
      name: 'input shape [1e9, 1e9, 8]', base: CFC, mutate: (d) => { d.input = { shape: [1e9, 1e9, 8], data: [] }; },
      code: 'LNN_E_LIMIT', field: 'input.shape[0]',
    },
    {
      name: 'wrong timespans count', base: CFC, mutate: (d) => { d.timespans = { shape: [1, 4, 1], data: [1, 1, 1, 1] }; },
      code: 'LNN_E_SHAPE', field: 'timespans.shape',
    },
    {
      name: 'timespans data count disagrees with its shape', base: CFC, mutate: (d) => { d.timespans.data.push(1); },
      code: 'LNN_E_COUNT', field: 'timespans.data',
    },
    { name: 'negative Δt', base: LTC, mutate: (d) => { d.timespans.data[3] = -0.1; }, code: 'LNN_E_RANGE', field: 'timespans.data', index: 3 },
    { name: 'Δt beyond a day', base: CFC, mutate: (d) => { d.timespans.data[0] = 1e9; }, code: 'LNN_E_RANGE', field: 'timespans.data', index: 0 },
    { name: 'timespans an array', base: CFC, mutate: (d) => { d.timespans = [1, 1, 1, 1, 1]; }, code: 'LNN_E_TYPE', field: 'timespans' },
    { name: 'wrong h0 shape', base: CFC, mutate: (d) => { d.h0 = { shape: [1, 5], data: [0, 0, 0, 0, 0] }; }, code: 'LNN_E_SHAPE', field: 'h0.shape' },
    {
      name: 'h0 of rank 1 for a batched input', base: WIRED, mutate: (d) => { d.h0 = { shape: [19], data: new Array<number>(19).fill(0) }; },
      code: 'LNN_E_SHAPE', field: 'h0.shape',
    },
    { name: 'h0 data one short', base: LTC, mutate: (d) => { d.h0.data.pop(); }, code: 'LNN_E_COUNT', field: 'h0.data' },
    { name: 'h0 as [h, c] without a cell state', base: CFC, mutate: (d) => { d.h0 = [d.h0, d.h0]; }, code: 'LNN_E_SHAPE', field: 'h0' },
    { name: 'h0 as [h, c, x]', base: CFC, mutate: (d) => { d.h0 = [d.h0, d.h0, d.h0]; }, code: 'LNN_E_SHAPE', field: 'h0' },
    { name: 'h0 a number', base: CFC, mutate: (d) => { d.h0 = 0; }, code: 'LNN_E_TYPE', field: 'h0' },
    {
      name: 'input NaN', base: CFC, mutate: (d) => { d.input.data[2] = NaN; },
      code: 'LNN_E_NONFINITE', field: 'input.data', index: 2, json: false,
    },
    {
      name: 'Δt Infinity', base: CFC, mutate: (d) => { d.timespans.data[1] = Infinity; },
      code: 'LNN_E_NONFINITE', field: 'timespans.data', index: 1, json: false,
    },
  ];

  for (const c of INPUT_CASES) {
    it(`${c.base}: ${c.name} → ${c.code}`, () => {
      const { policy, batchFirst } = policyFor(c.base);
      const d = exportDoc(c.base);
      const r = c.mutate(d);
      expectLnnError(() => readPredictInputs(r === undefined ? d : r, policy, batchFirst, 'in.json'), c.code, c.field, c.index, 'in.json');
    });
  }

  for (const c of INPUT_CASES.filter((x) => x.json !== false)) {
    it(`lnn predict: ${c.base}: ${c.name} → exit 2, one line ${c.code}`, async () => {
      const model = tmpFile(JSON.stringify(exportDoc(c.base)), '.ncps.json');
      const d = exportDoc(c.base);
      const r = c.mutate(d);
      const inputs = tmpFile(JSON.stringify(r === undefined ? d : r), '.inputs.json');
      expectCliError(await runCli(['predict', '--model', model, '--inputs', inputs, '--backend', 'ref', '--json']), c.code, inputs, c.field, c.index);
    });
  }

  it('lnn predict with a native model and a mismatched input width → LNN_E_INPUT_WIDTH', async () => {
    const model = tmpFile(JSON.stringify(native('hand')));
    const inputs = tmpFile(JSON.stringify({ input: { shape: [1, 2, 71], data: new Array<number>(142).fill(0) } }), '.inputs.json');
    expectCliError(await runCli(['predict', '--model', model, '--inputs', inputs, '--json']), 'LNN_E_INPUT_WIDTH', inputs, 'input.shape');
  });

  it('lnn predict: 1e999 in the inputs text → LNN_E_NONFINITE with the index', async () => {
    const model = tmpFile(JSON.stringify(exportDoc(CFC)), '.ncps.json');
    const d = exportDoc(CFC);
    const text = JSON.stringify({ input: d.input }).replace(/("data":\[)[^,]+,[^,]+,[^,]+,/, '$1 0, 0, -1e999,');
    expect(text).toContain('-1e999');
    const inputs = tmpFile(text, '.inputs.json');
    expectCliError(await runCli(['predict', '--model', model, '--inputs', inputs, '--json']), 'LNN_E_NONFINITE', inputs, 'input.data', 2);
  });

  it('lnn predict runs the valid golden inputs (the fixture is sound)', async () => {
    const model = tmpFile(JSON.stringify(exportDoc(CFC)), '.ncps.json');
    const r = await runCli(['predict', '--model', model, '--inputs', model, '--backend', 'ref', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('lnn predict: missing inputs file, truncated inputs file, broken model file', async () => {
    const model = tmpFile(JSON.stringify(exportDoc(CFC)), '.ncps.json');
    const missing = join(dir, 'missing.inputs.json');
    expectCliError(await runCli(['predict', '--model', model, '--inputs', missing]), 'LNN_E_FILE_NOT_FOUND', missing, null);
    const text = JSON.stringify(exportDoc(CFC));
    const cut = tmpFile(text.slice(0, Math.floor(text.length * 0.7)), '.inputs.json');
    expectCliError(await runCli(['predict', '--model', model, '--inputs', cut]), 'LNN_E_JSON', cut, null);
    const badModel = tmpFile(text.slice(0, 100), '.ncps.json');
    expectCliError(await runCli(['predict', '--model', badModel, '--inputs', model]), 'LNN_E_JSON', badModel, null);
    const missingModel = join(dir, 'missing.ncps.json');
    expectCliError(await runCli(['predict', '--model', missingModel, '--inputs', model]), 'LNN_E_FILE_NOT_FOUND', missingModel, null);
  });
});
