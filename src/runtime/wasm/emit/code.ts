// One function body: its locals and its instruction stream, written through small chaining
// methods that read like the text format (`a.get(x).get(w).simd(Simd.f32x4_mul)`). The caller
// keeps the operand stack balanced; WebAssembly.validate checks the result.

import { ByteWriter } from './bytes.ts';
import {
  BLOCK_VOID, Fc, I32, Op, PREFIX_FC, PREFIX_SIMD, Simd, V128, type SimdOp, type ValType,
} from './opcodes.ts';

/** Natural alignments (log2 bytes) for the memarg hint: a wrong hint is legal, only slower. */
const ALIGN_4 = 2;
const ALIGN_16 = 4;

export class FunctionBody {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  private readonly locals: ValType[] = [];
  private readonly free = new Map<ValType, number[]>();
  private readonly code = new ByteWriter();
  private depth = 0;

  constructor(params: readonly ValType[], results: readonly ValType[] = []) {
    this.params = params;
    this.results = results;
  }

  // ── locals ───────────────────────────────────────────────────────────────────────────────

  /** A new local of type t; its index counts the parameters first. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  /** A scratch local, reused after `release`: keeps the frame small across many stages. */
  temp(t: ValType = V128): number {
    const pool = this.free.get(t);
    return pool !== undefined && pool.length > 0 ? (pool.pop() as number) : this.local(t);
  }

  release(...ids: readonly number[]): void {
    for (const id of ids) {
      const t = id < this.params.length ? undefined : this.locals[id - this.params.length];
      if (t === undefined) throw new Error(`local ${id} is not a releasable temp`);
      let pool = this.free.get(t);
      if (pool === undefined) this.free.set(t, (pool = []));
      if (pool.includes(id)) throw new Error(`local ${id} released twice`);
      pool.push(id);
    }
  }

  // ── plain instructions ───────────────────────────────────────────────────────────────────

  op(code: number): this {
    this.code.byte(code);
    return this;
  }

  simd(code: SimdOp): this {
    this.code.byte(PREFIX_SIMD).u32(code);
    return this;
  }

  get(i: number): this {
    this.code.byte(Op.local_get).u32(i);
    return this;
  }

  set(i: number): this {
    this.code.byte(Op.local_set).u32(i);
    return this;
  }

  tee(i: number): this {
    this.code.byte(Op.local_tee).u32(i);
    return this;
  }

  i32(v: number): this {
    this.code.byte(Op.i32_const).s32(v);
    return this;
  }

  f32(v: number): this {
    this.code.byte(Op.f32_const).f32(v);
    return this;
  }

  f64(v: number): this {
    this.code.byte(Op.f64_const).f64(v);
    return this;
  }

  /** v128.const with the same f32 in all four lanes. */
  f32x4(v: number): this {
    this.code.byte(PREFIX_SIMD).u32(Simd.v128_const);
    for (let i = 0; i < 4; i++) this.code.f32(v);
    return this;
  }

  /** v128.const with the same i32 in all four lanes. */
  i32x4(v: number): this {
    this.code.byte(PREFIX_SIMD).u32(Simd.v128_const);
    const b = new DataView(new ArrayBuffer(4));
    b.setInt32(0, v, true);
    for (let i = 0; i < 4; i++) for (let k = 0; k < 4; k++) this.code.byte(b.getUint8(k));
    return this;
  }

  // ── memory: an address on the stack, a constant offset in the memarg ────────────────────

  /** Pushes a base address: the pointer local, or 0 when the offset is absolute. */
  base(ptr: number | null): this {
    return ptr === null ? this.i32(0) : this.get(ptr);
  }

  private mem(prefix: number | null, code: number, align: number, offset: number): this {
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) throw new RangeError(`memarg offset ${offset}`);
    if (prefix !== null) this.code.byte(prefix).u32(code);
    else this.code.byte(code);
    this.code.u32(align).u32(offset);
    return this;
  }

  v128Load(offset: number): this { return this.mem(PREFIX_SIMD, Simd.v128_load, ALIGN_16, offset); }
  v128Load32Splat(offset: number): this { return this.mem(PREFIX_SIMD, Simd.v128_load32_splat, ALIGN_4, offset); }
  v128Store(offset: number): this { return this.mem(PREFIX_SIMD, Simd.v128_store, ALIGN_16, offset); }
  f32Load(offset: number): this { return this.mem(null, Op.f32_load, ALIGN_4, offset); }
  f32Store(offset: number): this { return this.mem(null, Op.f32_store, ALIGN_4, offset); }
  i32Load(offset: number): this { return this.mem(null, Op.i32_load, ALIGN_4, offset); }
  i32Store(offset: number): this { return this.mem(null, Op.i32_store, ALIGN_4, offset); }

  /** memory.copy: dst, src, byte count on the stack. */
  memoryCopy(): this {
    this.code.byte(PREFIX_FC).u32(Fc.memory_copy).byte(0).byte(0);
    return this;
  }

  extractLane(lane: number): this {
    this.code.byte(PREFIX_SIMD).u32(Simd.f32x4_extract_lane).byte(lane);
    return this;
  }

  replaceLane(lane: number): this {
    this.code.byte(PREFIX_SIMD).u32(Simd.f32x4_replace_lane).byte(lane);
    return this;
  }

  // ── structured control ───────────────────────────────────────────────────────────────────

  block(): this {
    this.depth++;
    this.code.byte(Op.block).byte(BLOCK_VOID);
    return this;
  }

  loop(): this {
    this.depth++;
    this.code.byte(Op.loop).byte(BLOCK_VOID);
    return this;
  }

  end(): this {
    if (this.depth === 0) throw new Error('end without an open block');
    this.depth--;
    this.code.byte(Op.end);
    return this;
  }

  br(depth: number): this {
    this.code.byte(Op.br).u32(depth);
    return this;
  }

  brIf(depth: number): this {
    this.code.byte(Op.br_if).u32(depth);
    return this;
  }

  /** Adds `delta` to an i32 local. */
  bump(i: number, delta: number): this {
    return delta === 0 ? this : this.get(i).i32(delta).op(Op.i32_add).set(i);
  }

  /**
   * A counted loop: `body` runs `count` times (count ≥ 1, a constant), with `counter` an i32
   * local counting down; the body must leave the stack as it found it.
   */
  repeat(count: number, body: () => void): this {
    if (count < 1) return this;
    const n = this.temp(I32);
    this.i32(count).set(n).loop();
    body();
    this.get(n).i32(1).op(Op.i32_sub).tee(n).brIf(0).end();
    this.release(n);
    return this;
  }

  /** The encoded body: locals grouped by runs of one type, the code, and the final `end`. */
  encode(): ByteWriter {
    if (this.depth !== 0) throw new Error(`${this.depth} block(s) left open`);
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const w = new ByteWriter();
    w.vec(runs, (o, [n, t]) => o.u32(n).byte(t));
    w.bytes(this.code.finish()).byte(Op.end);
    return w;
  }
}
