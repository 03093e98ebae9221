// A growable byte sink for the binary format: bytes, LEB128 integers, little-endian floats,
// names and length-prefixed vectors.

import { signedLeb128, unsignedLeb128 } from './leb128.ts';

const scratch = new DataView(new ArrayBuffer(8));

export class ByteWriter {
  private buf = new Uint8Array(256);
  private n = 0;
  /** LEB128 scratch: the encoders append to a plain array */
  private readonly leb: number[] = [];

  get length(): number {
    return this.n;
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.n));
    this.buf = grown;
  }

  byte(b: number): this {
    this.room(1);
    this.buf[this.n++] = b & 0xff;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    this.room(bs.length);
    if (bs instanceof Uint8Array) this.buf.set(bs, this.n);
    else for (let i = 0; i < bs.length; i++) this.buf[this.n + i] = (bs[i] as number) & 0xff;
    this.n += bs.length;
    return this;
  }

  private flushLeb(): this {
    this.bytes(this.leb);
    this.leb.length = 0;
    return this;
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`);
    unsignedLeb128(v, this.leb);
    return this.flushLeb();
  }

  s32(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) throw new RangeError(`i32 out of range: ${v}`);
    signedLeb128(v | 0, this.leb); // an i32 operand is its two's-complement bits, read as signed
    return this.flushLeb();
  }

  s64(v: bigint): this {
    signedLeb128(BigInt.asIntN(64, v), this.leb);
    return this.flushLeb();
  }

  f32(v: number): this {
    scratch.setFloat32(0, v, true);
    for (let i = 0; i < 4; i++) this.byte(scratch.getUint8(i));
    return this;
  }

  f64(v: number): this {
    scratch.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.byte(scratch.getUint8(i));
    return this;
  }

  /** A name: its UTF-8 length, then the bytes. */
  name(s: string): this {
    const utf8 = new TextEncoder().encode(s);
    return this.u32(utf8.length).bytes(utf8);
  }

  /** A length-prefixed vector of whatever `each` writes. */
  vec<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.u32(items.length);
    for (const it of items) each(this, it);
    return this;
  }

  /** Another writer's bytes prefixed with their length (a section or a function body). */
  sized(inner: ByteWriter): this {
    return this.u32(inner.length).bytes(inner.buf.subarray(0, inner.n));
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}
