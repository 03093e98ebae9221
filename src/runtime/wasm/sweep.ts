// The one loop nest behind every matvec-like kernel: for each tile of output units, initialise
// the units' accumulators, then for each input column broadcast the element once and let every
// unit of the tile accumulate its term, then finish the tile. Parameters are packed per unit as
// [unit][column][P lanes], so the term of (u, c) reads entry u·cols + c.
//
// Two shapes, because of how V8's optimising compiler schedules straight-line wasm: memory loads
// keep their program order but the arithmetic on them sinks towards its last use, so a long
// unrolled run of multiply-adds loads everything up front and spills it to the stack (measured
// on the lane NCP: 1.5 µs unrolled, 0.33 µs as loops, with ~1,500 spill moves in the former).
//
//   rolled    each run of columns with a live term is a counted loop with running pointers: one
//             iteration's loads and arithmetic stay together. Columns where no unit of the tile
//             has a term are left out (runs split around them). The default.
//   unrolled  constant addresses, and (unit, column) pairs without a term are left out one by
//             one. Only for heavy terms that pin their own schedule (LTC synapses store their
//             accumulators, so nothing can sink past the next term).

import { I32, Op, V128 } from './emit/opcodes.ts';
import type { Gen, Segment } from './gen.ts';

export interface SweepSpec {
  /** output units (slots × heads) */
  readonly units: number;
  /** units finished together: the heads of one slot */
  readonly group: number;
  /** accumulators per unit */
  readonly accs: number;
  readonly segments: readonly Segment[];
  /** base addresses of the packed [unit][column] parameter arrays a term reads */
  readonly matrices: readonly number[];
  /** unroll when the live (unit, column) pairs are at most g.unrollPairs */
  readonly unroll: boolean;
  /** false when every parameter of (unit, column) is zero, so the term adds nothing */
  live(u: number, c: number): boolean;
  /** sets unit u's accumulators */
  init(u: number, acc: readonly number[]): void;
  /** adds column c's term to unit u; `x` holds the broadcast element, `load(m)` pushes matrix m's entry */
  term(u: number, acc: readonly number[], x: number, load: (m: number) => void): void;
  /** consumes the accumulators of units first .. first+group−1, in unit order */
  finish(first: number, acc: readonly number[]): void;
}

export function emitSweep(g: Gen, s: SweepSpec): void {
  const { a } = g;
  const cols = s.segments.reduce((n, seg) => n + seg.count, 0);
  if (s.units % s.group !== 0) throw new Error('sweep units must be whole groups');
  let livePairs = 0;
  for (let u = 0; u < s.units; u++) for (let c = 0; c < cols; c++) if (s.live(u, c)) livePairs++;
  const unroll = s.unroll && livePairs <= g.unrollPairs;
  const perTile = Math.max(1, Math.floor(g.maxAccs / (s.group * s.accs))) * s.group;
  const x = a.temp(V128);
  for (let t0 = 0; t0 < s.units; t0 += perTile) {
    const t1 = Math.min(s.units, t0 + perTile);
    const acc: number[][] = [];
    for (let u = t0; u < t1; u++) {
      const us: number[] = [];
      for (let k = 0; k < s.accs; k++) us.push(a.temp(V128));
      acc.push(us);
      s.init(u, us);
    }
    if (unroll) emitUnrolled(g, s, cols, t0, t1, acc, x);
    else emitRolled(g, s, cols, t0, t1, acc, x);
    for (let u = t0; u < t1; u += s.group) s.finish(u, acc.slice(u - t0, u - t0 + s.group).flat());
    for (const us of acc) a.release(...us);
  }
  a.release(x);
}

function emitUnrolled(g: Gen, s: SweepSpec, cols: number, t0: number, t1: number, acc: number[][], x: number): void {
  const { a, lanes } = g;
  const UB = lanes.uniformBytes;
  let c = 0;
  for (const seg of s.segments) {
    for (let j = 0; j < seg.count; j++, c++) {
      const units: number[] = [];
      for (let u = t0; u < t1; u++) if (s.live(u, c)) units.push(u);
      if (units.length === 0) continue;
      lanes.loadElement(a, seg.ptr, seg.off + j * lanes.E);
      a.set(x);
      const col = c;
      for (const u of units) {
        s.term(u, acc[u - t0] as number[], x, (m) => lanes.loadUniform(a, null, (s.matrices[m] as number) + (u * cols + col) * UB));
      }
    }
  }
}

function emitRolled(g: Gen, s: SweepSpec, cols: number, t0: number, t1: number, acc: number[][], x: number): void {
  const { a, lanes } = g;
  const UB = lanes.uniformBytes;
  const xp = a.temp(I32);
  const wp = a.temp(I32);
  const body = (): void => {
    lanes.loadElement(a, xp, 0);
    a.set(x);
    for (let u = t0; u < t1; u++) {
      s.term(u, acc[u - t0] as number[], x, (m) => lanes.loadUniform(a, wp, (s.matrices[m] as number) + u * cols * UB));
    }
    a.bump(xp, lanes.E).bump(wp, UB);
  };
  let c0 = 0;
  for (const seg of s.segments) {
    // runs of columns where some unit of the tile has a term
    let j = 0;
    while (j < seg.count) {
      const liveCol = (k: number): boolean => {
        for (let u = t0; u < t1; u++) if (s.live(u, c0 + k)) return true;
        return false;
      };
      if (!liveCol(j)) { j++; continue; }
      let end = j + 1;
      while (end < seg.count && liveCol(end)) end++;
      a.base(seg.ptr).i32(seg.off + j * lanes.E).op(Op.i32_add).set(xp);
      a.i32((c0 + j) * UB).set(wp);
      if (end - j === 1) body();
      else a.repeat(end - j, body);
      j = end;
    }
    c0 += seg.count;
  }
  a.release(xp, wp);
}
