// What each integer stage provides to the fixed pipeline.

/** Model-wide settings every stage is prepared with. */
export interface FixedContext {
  /** the nominal step, seconds: tsQ = 4096 is one of it */
  readonly dtNom: number;
  /** weight width, 8..16 bits (linear.ts weightMax) */
  readonly weightBits: number;
}

/** The integer state of a recurrent stage: h (and c with an LSTM cell state), with their formats. */
export interface FixedCell {
  /** (stateSize) int16 values in Q(15−hFrac).hFrac */
  readonly h: Int32Array;
  /** (cellStateSize) int16 values in cFrac, or null */
  readonly c: Int32Array | null;
  readonly hFrac: number;
  readonly cFrac: number;
  readonly reset: () => void;
}

export interface FixedOp {
  /** one step; tsQ is Δt in Q4.12 units of the nominal step */
  readonly run: (tsQ: number) => void;
  /** fractional bits of each output element */
  readonly outFrac: Int32Array;
  readonly cell: FixedCell | null;
  /** the widest exact intermediate, in bits (C needs int64_t above 31) */
  readonly accBits: number;
  /** the integer parameters, for firmware vectors (docs/fixed-point.md §8) */
  readonly json: () => Record<string, unknown>;
}
