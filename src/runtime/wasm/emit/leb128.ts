// LEB128, the variable-length integers of the WebAssembly binary format: 7 bits per byte, low
// group first, the high bit set on every byte but the last. Unsigned for sizes, indices and
// memarg offsets; signed (two's complement, sign taken from bit 6 of the last byte) for the
// operands of i32.const and i64.const. Numbers within ±2^31 take a fast path; wider values
// (up to 64 bits) go through BigInt.

/** Appends the unsigned LEB128 bytes of `value` (0 ≤ value < 2^64) to `out`. */
export function unsignedLeb128(value: number | bigint, out: number[] = []): number[] {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff) {
    let v = value;
    for (;;) {
      const b = v & 0x7f;
      v >>>= 7;
      if (v === 0) { out.push(b); return out; }
      out.push(b | 0x80);
    }
  }
  let v = toBigInt(value);
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`unsigned LEB128 out of range: ${value}`);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if (v === 0n) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** Appends the signed LEB128 bytes of `value` (−2^63 ≤ value < 2^63) to `out`. */
export function signedLeb128(value: number | bigint, out: number[] = []): number[] {
  if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
    let v = value;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7; // arithmetic: keeps the sign
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
      out.push(b | 0x80);
    }
  }
  let v = toBigInt(value);
  if (v < -(1n << 63n) || v >= 1n << 63n) throw new RangeError(`signed LEB128 out of range: ${value}`);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n; // BigInt shifts are arithmetic
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** Decodes one LEB128 value starting at bytes[at]; returns it and the number of bytes read. */
export function readLeb128(bytes: ArrayLike<number>, at: number, signed: boolean): { value: bigint; size: number } {
  let result = 0n;
  let shift = 0n;
  let i = at;
  for (;;) {
    if (i >= bytes.length) throw new RangeError('LEB128 runs past the end of the bytes');
    const b = bytes[i++] as number;
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      if (signed && (b & 0x40) !== 0) result -= 1n << shift;
      return { value: result, size: i - at };
    }
  }
}

function toBigInt(value: number | bigint): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isInteger(value)) throw new RangeError(`LEB128 needs an integer, got ${value}`);
  return BigInt(value);
}
