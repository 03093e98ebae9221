// Typed reads from parsed JSON with a field path, so every failure names the file, the field and
// the element index. Used by the model loader, the ncps importer and the predict inputs reader.

import { LnnError, type ErrorCode } from '../errors.ts';
import { LIMITS } from './limits.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** A position in a document: the file it came from and the dotted path to a value. */
export class Where {
  constructor(readonly file: string | undefined, readonly path: string) {}

  key(k: string): Where {
    return new Where(this.file, this.path === '' ? k : `${this.path}.${k}`);
  }

  at(i: number): Where {
    return new Where(this.file, `${this.path}[${i}]`);
  }

  fail(code: ErrorCode, detail: string, index?: number): never {
    const where: { file?: string; field?: string; index?: number } = {};
    if (this.file !== undefined) where.file = this.file;
    if (this.path !== '') where.field = this.path;
    if (index !== undefined) where.index = index;
    throw new LnnError(code, detail, where);
  }
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function asObject(v: unknown, w: Where): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    w.fail('LNN_E_TYPE', `expected an object, got ${typeName(v)}`);
  }
  return v as JsonObject;
}

export function has(o: JsonObject, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;
}

export function need(o: JsonObject, k: string, w: Where): Json {
  if (!has(o, k)) w.key(k).fail('LNN_E_MISSING_KEY', `missing required key "${k}"`);
  return o[k] as Json;
}

/** Keys outside `allowed` are errors: a misspelt key would otherwise be silently ignored. */
export function onlyKeys(o: JsonObject, allowed: readonly string[], w: Where): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      w.key(k).fail('LNN_E_UNKNOWN_KEY', `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
    }
  }
}

export function asString(v: unknown, w: Where): string {
  if (typeof v !== 'string') w.fail('LNN_E_TYPE', `expected a string, got ${typeName(v)}`);
  return v as string;
}

export function asBool(v: unknown, w: Where): boolean {
  if (typeof v !== 'boolean') w.fail('LNN_E_TYPE', `expected true or false, got ${typeName(v)}`);
  return v as boolean;
}

export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  readonly int?: boolean;
  /** Exclusive lower bound (e.g. a standard deviation must be > 0). */
  readonly above?: number;
  /** A size limit from LIMITS: exceeding it is LNN_E_LIMIT rather than LNN_E_RANGE. */
  readonly limit?: number;
}

export function asNumber(v: unknown, w: Where, r: NumberRange = {}): number {
  if (typeof v !== 'number') w.fail('LNN_E_TYPE', `expected a number, got ${typeName(v)}`);
  const n = v as number;
  if (!Number.isFinite(n)) w.fail('LNN_E_NONFINITE', `expected a finite number, got ${n}`);
  checkRange(n, w, r);
  return n;
}

function checkRange(n: number, w: Where, r: NumberRange, index?: number): void {
  if (r.int === true && !Number.isInteger(n)) w.fail('LNN_E_TYPE', `expected an integer, got ${n}`, index);
  if (r.limit !== undefined && n > r.limit) {
    w.fail('LNN_E_LIMIT', `${n} is beyond the sane limit ${r.limit}`, index);
  }
  if ((r.min !== undefined && n < r.min) || (r.max !== undefined && n > r.max) || (r.above !== undefined && !(n > r.above))) {
    const lo = r.above !== undefined ? `> ${r.above}` : r.min !== undefined ? `>= ${r.min}` : '';
    const hi = r.max !== undefined ? `<= ${r.max}` : '';
    w.fail('LNN_E_RANGE', `${n} is out of range (expected ${[lo, hi].filter((s) => s !== '').join(' and ')})`, index);
  }
}

export function asEnum<T extends string>(v: unknown, allowed: readonly T[], w: Where, code: ErrorCode): T {
  const s = asString(v, w);
  if (!(allowed as readonly string[]).includes(s)) {
    w.fail(code, `unknown value "${s}" (expected one of: ${allowed.join(', ')})`);
  }
  return s as T;
}

export function asArray(v: unknown, w: Where): Json[] {
  if (!Array.isArray(v)) w.fail('LNN_E_TYPE', `expected an array, got ${typeName(v)}`);
  return v as Json[];
}

/** An array of integers in a range, e.g. a shape or a list of sizes. */
export function asIntList(v: unknown, w: Where, r: NumberRange & { length?: number }): number[] {
  const a = asArray(v, w);
  if (r.length !== undefined && a.length !== r.length) {
    w.fail('LNN_E_SHAPE', `expected ${r.length} entries, got ${a.length}`);
  }
  return a.map((x, i) => asNumber(x, w.at(i), { ...r, int: true }));
}

/**
 * A flat numeric array (`data`) checked element by element: every value a finite number with
 * |x| <= maxAbs. Returns a fresh Float64Array (the JSON arrays are not kept).
 */
export function asFloatData(v: unknown, w: Where, count: number, maxAbs: number = LIMITS.maxAbsWeight): Float64Array {
  const a = asArray(v, w);
  if (a.length !== count) {
    w.fail('LNN_E_COUNT', `expected ${count} elements for the declared shape, got ${a.length}`);
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const x = a[i];
    if (typeof x !== 'number') w.fail('LNN_E_TYPE', `expected a number, got ${typeName(x)}`, i);
    if (!Number.isFinite(x)) w.fail('LNN_E_NONFINITE', `value ${String(x)} is not finite`, i);
    if (Math.abs(x as number) > maxAbs) w.fail('LNN_E_RANGE', `|${x}| exceeds the sane limit ${maxAbs}`, i);
    out[i] = x as number;
  }
  return out;
}

/** Parses JSON text; a syntax error or a truncated file becomes LNN_E_JSON with line and column. */
export function parseJsonText(text: string, file: string | undefined): Json {
  // A UTF-8 byte-order mark is legal at the start of a file but not in JSON: skip it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body) as Json;
  } catch {
    const where = file === undefined ? {} : { file };
    if (body.trim() === '') throw new LnnError('LNN_E_JSON', 'the file is empty', where);
    const pos = firstErrorOffset(body);
    const before = body.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    if (pos >= body.trimEnd().length) {
      throw new LnnError('LNN_E_JSON', `truncated JSON: the document ends early at line ${line}, column ${column}`, where);
    }
    const near = JSON.stringify(body.slice(pos, pos + 16));
    throw new LnnError('LNN_E_JSON', `malformed JSON at line ${line}, column ${column}, near ${near}`, where);
  }
}

/** True when JSON.parse fails on `prefix` because the text ends, not because of a bad character. */
function failsOnlyAtEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (e) {
    const msg = e instanceof Error ? e.message : '';
    if (/end of (json )?input/i.test(msg)) return true;
    const m = /position (\d+)/.exec(msg);
    return m !== null && Number(m[1]) >= prefix.trimEnd().length;
  }
}

/**
 * Offset of the first character that makes the text invalid JSON. V8's messages do not always
 * carry a position, so this bisects on prefixes: a prefix before the bad character fails only
 * at its end, one that contains it fails earlier. Only runs on the error path.
 */
function firstErrorOffset(text: string): number {
  let lo = 0;
  let hi = text.length;
  if (failsOnlyAtEnd(text)) return text.length;
  // invariant: prefix(lo) fails only at its end, prefix(hi) fails before it
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (failsOnlyAtEnd(text.slice(0, mid))) lo = mid;
    else hi = mid;
  }
  return hi - 1;
}

/** Free-form objects (meta, configs) deeper than this are refused: they could not be saved again. */
export const MAX_FREE_DEPTH = 32;

export function checkDepth(v: unknown, w: Where, depth = 0): void {
  if (depth > MAX_FREE_DEPTH) w.fail('LNN_E_LIMIT', `nested deeper than ${MAX_FREE_DEPTH} levels`);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) checkDepth(v[i], w, depth + 1);
  } else if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) checkDepth((v as JsonObject)[k], w, depth + 1);
  } else if (typeof v === 'number' && !Number.isFinite(v)) {
    w.fail('LNN_E_NONFINITE', `a non-finite number (${v}) cannot be saved as JSON`);
  }
}

/** A free-form object (meta, config): any JSON, but bounded in depth. */
export function asFreeObject(v: unknown, w: Where): JsonObject {
  const o = asObject(v, w);
  checkDepth(o, w);
  return o;
}
