// Where a recurrent cell's state sits in an agent block: h over padded positions (a CfC's layers
// each start on a slot), then c (mixed memory or LSTM) with the same positions. Addresses are
// relative to the state pointer `sp`, so the batch kernel moves one pointer per block of agents.

import type { CellStage } from '../../models/types.ts';
import { cellStateSizes } from '../../models/types.ts';
import type { Buf, Gen, Segment } from './gen.ts';
import { PaddedMap, type Lanes } from './lanes.ts';

export interface CellState {
  readonly map: PaddedMap;
  /** logical length of each segment (CfC layers; one segment otherwise) */
  readonly lengths: readonly number[];
  /** byte offsets from sp */
  readonly hOff: number;
  readonly cOff: number | null;
  /** bytes of one block's state */
  readonly bytes: number;
}

export function makeCellState(lanes: Lanes, s: CellStage): CellState {
  const lengths = s.type === 'cfc' ? s.layers.map((l) => l.units) : [s.units];
  const map = new PaddedMap(lanes, lengths);
  const hBytes = lanes.bytes(map.np);
  const hasC = cellStateSizes(s).c > 0;
  return { map, lengths, hOff: 0, cOff: hasC ? hBytes : null, bytes: hasC ? 2 * hBytes : hBytes };
}

/** The whole h, every padded position, as one buffer (for slot-wise work). */
export function hBuf(g: Gen, st: CellState): Buf {
  return { ptr: g.sp, off: st.hOff, n: st.map.np };
}

export function cBuf(g: Gen, st: CellState): Buf {
  if (st.cOff === null) throw new Error('this cell has no c state');
  return { ptr: g.sp, off: st.cOff, n: st.map.np };
}

/** Segment k of h (a CfC layer) as a buffer of its logical length. */
export function hSegment(g: Gen, st: CellState, k: number): Buf {
  return { ptr: g.sp, off: st.hOff + (st.map.starts[k] as number) * g.lanes.E, n: st.lengths[k] as number };
}

/** All of h as matvec columns in logical order: one run per segment. */
export function hColumns(g: Gen, st: CellState): Segment[] {
  return st.lengths.map((count, k) => ({ ...hSegment(g, st, k), count }));
}
