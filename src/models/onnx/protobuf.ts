// A minimal protocol-buffers encoder: exactly what the ONNX writer needs, and no parser.
// Wire format (protobuf "Encoding" guide): a field is a key varint (field << 3 | wire type)
// followed by its payload. Wire types used here: 0 varint, 2 length-delimited, 5 fixed 32-bit.
// Sub-messages are encoded into their own writer first, so their length is known when written.

export const WIRE_VARINT = 0;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

/** Appends fields to a growing byte buffer; `finish()` returns the bytes written so far. */
export class ProtoWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** An unsigned varint: 7 bits a byte, least significant group first, high bit = "more". */
  varint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint needs a non-negative safe integer, got ${v}`);
    this.reserve(8);
    // Division, not >>>, because values may exceed 2^32 (int64 fields).
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
    return this;
  }

  /** A signed int64 as protobuf writes it: negatives are 64-bit two's complement, 10 bytes. */
  int64(v: number): this {
    if (v >= 0) return this.varint(v);
    if (!Number.isSafeInteger(v)) throw new RangeError(`int64 needs a safe integer, got ${v}`);
    let u = BigInt.asUintN(64, BigInt(v));
    this.reserve(10);
    while (u >= 0x80n) {
      this.buf[this.len++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.len++] = Number(u);
    return this;
  }

  key(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  // ── fields ──────────────────────────────────────────────────────────────────────────────

  /** int32, int64, enum and bool fields (all varint on the wire). */
  int64Field(field: number, v: number): this {
    return this.key(field, WIRE_VARINT).int64(v);
  }

  floatField(field: number, v: number): this {
    this.key(field, WIRE_FIXED32);
    this.reserve(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }

  bytesField(field: number, bytes: Uint8Array): this {
    return this.key(field, WIRE_LEN).varint(bytes.length).raw(bytes);
  }

  stringField(field: number, s: string): this {
    return this.bytesField(field, utf8.encode(s));
  }

  /** An embedded message: `write` fills a fresh writer, whose bytes go out length-prefixed. */
  messageField(field: number, write: (w: ProtoWriter) => void): this {
    const sub = new ProtoWriter();
    write(sub);
    return this.bytesField(field, sub.finish());
  }

  /** A packed repeated varint field: one key, one length, then the values back to back. */
  packedInt64Field(field: number, values: readonly number[]): this {
    const sub = new ProtoWriter(values.length * 2);
    for (const v of values) sub.int64(v);
    return this.bytesField(field, sub.finish());
  }

  /** A packed repeated float field: little-endian IEEE 754 single precision, 4 bytes each. */
  packedFloatField(field: number, values: readonly number[]): this {
    const data = new Uint8Array(values.length * 4);
    const dv = new DataView(data.buffer);
    values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytesField(field, data);
  }

  /** The bytes written so far (a copy-free view of the internal buffer). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
