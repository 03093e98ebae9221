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
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    const pos = m === null ? text.length : Number(m[1]);
    // V8 reports a cut-off document as an error at its end (where more text was expected).
    const truncated = /end of (json )?input/i.test(msg) || pos >= text.trimEnd().length;
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    const where = file === undefined ? {} : { file };
    const what = text.trim() === '' ? 'the file is empty' : truncated ? 'truncated JSON (the document ends early)' : 'malformed JSON';
    throw new LnnError('LNN_E_JSON', `${what} at line ${line}, column ${column}: ${msg}`, where);
  }
}
