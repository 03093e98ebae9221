// The readout's weights as the host sees them: plain row-major float32 arrays that on-device
// adaptation edits, and `upload()` to write them into the kernel's packed layout. The kernel
// keeps every readout weight in its loop (no zero skipping), so any edit takes effect.

import type { ReadoutStage } from '../../models/types.ts';
import type { Lanes } from './lanes.ts';
import type { PackedLinear } from './linear.ts';

export interface WasmReadout {
  /** index of the readout stage in model.stages */
  readonly stage: number;
  readonly outSize: number;
  readonly inSize: number;
  /** (outSize, inSize) row-major: what the kernel uses after the last upload() */
  readonly weight: Float32Array;
  /** (outSize) */
  readonly bias: Float32Array;
  /** Writes weight and bias into the module's memory; the next step uses them. Allocates nothing. */
  upload(): void;
  /** Reads weight and bias back from the module's memory (undoes edits not uploaded). */
  download(): void;
}

export function makeReadout(
  stage: number, s: ReadoutStage, packed: PackedLinear, lanes: Lanes, memory: () => Float32Array,
): WasmReadout {
  const O = s.outSize;
  const I = s.inSize;
  const P = lanes.P;
  // float index of weight (r, c) and bias r in the packed layout: unit = r / P, lane = r % P
  const wAt = new Int32Array(O * I);
  const bAt = new Int32Array(O);
  for (let r = 0; r < O; r++) {
    const u = Math.floor(r / P);
    const lane = r % P;
    bAt[r] = packed.bias / 4 + u * P + lane;
    for (let c = 0; c < I; c++) wAt[r * I + c] = packed.weight / 4 + (u * packed.cols + c) * P + lane;
  }
  const weight = Float32Array.from(s.weight);
  const bias = s.bias === null ? new Float32Array(O) : Float32Array.from(s.bias);
  return {
    stage, outSize: O, inSize: I, weight, bias,
    upload() {
      const m = memory();
      for (let k = 0; k < wAt.length; k++) m[wAt[k] as number] = weight[k] as number;
      for (let r = 0; r < O; r++) m[bAt[r] as number] = bias[r] as number;
    },
    download() {
      const m = memory();
      for (let k = 0; k < wAt.length; k++) weight[k] = m[wAt[k] as number] as number;
      for (let r = 0; r < O; r++) bias[r] = m[bAt[r] as number] as number;
    },
  };
}
