// The fixed-point activation tables and integer primitives (docs/fixed-point.md §2–§4): the
// shipped constants match their checksums and an exact regeneration, the table functions stay
// within their documented error over every Q3.12 input, and the rounding rules are the written ones.
import { describe, expect, it } from 'vitest';
import { gelu, sigmoid } from '../src/runtime/activations.ts';
import {
  exp2negQ, fracFor, intBitsFor, phiQ, rhaz, rq, rshr, sat16, sigmoidQ, tanhQ, toMultiplier,
} from '../src/runtime/fixed/arith.ts';
import { detExp, detLog, detSoftplus } from '../src/runtime/fixed/det-math.ts';
import { divRound } from '../src/runtime/fixed/ltc.ts';
import { EXP2_Q15, PHI_Q16, SIGMOID_Q16, TABLE_CHECKSUMS } from '../src/runtime/fixed/tables.ts';
import { generateTables } from '../src/runtime/fixed/tables-gen.ts';
import { Fnv1a } from '../src/runtime/fixed/vectors.ts';

function checksum(t: Uint16Array): string {
  const h = new Fnv1a();
  for (const v of t) h.add16(v);
  return h.hex();
}

describe('activation tables', () => {
  it('have 257 entries and the checksums the firmware is built against', () => {
    for (const t of [SIGMOID_Q16, PHI_Q16, EXP2_Q15]) expect(t.length).toBe(257);
    expect(checksum(SIGMOID_Q16)).toBe(TABLE_CHECKSUMS.sigmoid);
    expect(checksum(PHI_Q16)).toBe(TABLE_CHECKSUMS.phi);
    expect(checksum(EXP2_Q15)).toBe(TABLE_CHECKSUMS.exp2);
    // pinned here too: changing a table must be a deliberate edit of both lines
    expect(TABLE_CHECKSUMS).toEqual({ sigmoid: '6e89862b', phi: '7174e1e8', exp2: '0fc6eb7b' });
  });

  it('are the correctly rounded values (exact BigInt regeneration)', () => {
    const g = generateTables();
    expect(Array.from(SIGMOID_Q16)).toEqual(g.sigmoid);
    expect(Array.from(PHI_Q16)).toEqual(g.phi);
    expect(Array.from(EXP2_Q15)).toEqual(g.exp2);
    // research note: CMSIS-NN's table differs at entry 4 (35493); the exact value is 35492.363
    expect(SIGMOID_Q16[4]).toBe(35492);
  });
});

describe('table functions over every Q3.12 input', () => {
  const LSB = 1 / 32768;
  it('σ within 1.3 LSB of Q0.15, tanh within 2.1, Φ within 2.4', () => {
    let es = 0;
    let et = 0;
    let ep = 0;
    for (let x = -32768; x <= 32767; x++) {
      const r = x / 4096;
      es = Math.max(es, Math.abs(sigmoidQ(x) * LSB - sigmoid(r)));
      et = Math.max(et, Math.abs(tanhQ(x) * LSB - Math.tanh(r)));
      ep = Math.max(ep, Math.abs(phiQ(x) * LSB - (r === 0 ? 0.5 : gelu(r) / r)));
    }
    expect(es / LSB).toBeLessThan(1.3);
    expect(et / LSB).toBeLessThan(2.1);
    expect(ep / LSB).toBeLessThan(2.4);
  });

  it('are odd/complementary exactly: σ(−x) = 1 − σ(x), tanh(−x) = −tanh(x)', () => {
    for (let x = 0; x <= 32767; x += 7) {
      expect(sigmoidQ(-x)).toBe(32768 - sigmoidQ(x));
      expect(tanhQ(-x) + tanhQ(x)).toBe(0);
      expect(phiQ(-x)).toBe(32768 - phiQ(x));
    }
    expect(sigmoidQ(0)).toBe(16384);
    expect(tanhQ(0)).toBe(0);
  });

  it('2^−v within 1 LSB of Q1.15 for v in [0, 16]', () => {
    let e = 0;
    for (let v = 0; v <= 16 * 65536; v += 37) e = Math.max(e, Math.abs(exp2negQ(v) / 32768 - 2 ** (-v / 65536)));
    expect(e * 32768).toBeLessThan(1);
    expect(exp2negQ(0)).toBe(32768);
    expect(exp2negQ(65536)).toBe(16384);
    expect(exp2negQ(1 << 30)).toBe(exp2negQ(1 << 20));
  });
});

describe('integer primitives', () => {
  it('rshr rounds half up, including negatives', () => {
    expect([rshr(3, 1), rshr(5, 1), rshr(-3, 1), rshr(-5, 1), rshr(-4, 1)]).toEqual([2, 3, -1, -2, -2]);
    expect(rshr(7, 0)).toBe(7);
    expect(rshr(7, -3)).toBe(56);
    expect(rq(100, 16384, 15)).toBe(50);
    expect(rq(-3, 16384, 15)).toBe(-1); // −1.5 → −1 (half up)
  });

  it('sat16 saturates to int16', () => {
    expect([sat16(40000), sat16(-40000), sat16(-32768), sat16(12)]).toEqual([32767, -32768, -32768, 12]);
  });

  it('toMultiplier gives |m| in [2^14, 2^15) and m·2^−sh within 2^−15 relative', () => {
    for (const M of [1, 0.5, 3.25, 1e-3, 123.456, -0.007, 1 / 3, 16383.9, 2 ** -40]) {
      const [m, sh] = toMultiplier(M);
      expect(Math.abs(m)).toBeGreaterThanOrEqual(16384);
      expect(Math.abs(m)).toBeLessThan(32768);
      expect(Math.abs(m * 2 ** -sh - M) / Math.abs(M)).toBeLessThan(2 ** -15);
    }
    expect(toMultiplier(0)).toEqual([0, 0]);
    expect(toMultiplier(1e9)).toEqual([32767, 0]);
  });

  it('rhaz rounds half away from zero', () => {
    expect([rhaz(2.5), rhaz(-2.5), rhaz(0.49), rhaz(-0.5)]).toEqual([3, -3, 0, -1]);
  });

  it('formats: the least integer bits that hold a range', () => {
    expect([intBitsFor(0.9), intBitsFor(1), intBitsFor(4), intBitsFor(3.99), intBitsFor(1e9), intBitsFor(0)]).toEqual([0, 1, 3, 2, 15, -8]);
    expect(fracFor(1)).toBe(14);
  });

  it('divRound: nearest, ties away from zero, any signs', () => {
    expect([divRound(7, 2), divRound(-7, 2), divRound(5, 3), divRound(-5, 3), divRound(7, -2), divRound(3, 0)]).toEqual([4, -4, 2, -2, -4, 3]);
    // exact near 2^51, where a plain double division could round across an integer
    const n = 2 ** 51 - 12345;
    expect(divRound(n, 3)).toBe(Number((2n * BigInt(n) + 3n) / 6n));
  });

  it('prepare-time exp/log/softplus from basic operations agree with libm to 1e-14', () => {
    for (const x of [-30, -5, -1, -1e-3, 0, 0.3, 1, 7.5, 19.9, 25]) {
      expect(Math.abs(detExp(x) - Math.exp(x)) / Math.exp(x)).toBeLessThan(1e-14);
      expect(Math.abs(detSoftplus(x) - (x > 20 ? x : Math.log1p(Math.exp(x))))).toBeLessThan(1e-14 * Math.max(1, Math.abs(x)));
    }
    for (const t of [1e-10, 0.5, 1, 2, 1e5]) expect(Math.abs(detLog(t) - Math.log(t))).toBeLessThan(1e-14 * Math.max(1, Math.abs(Math.log(t))));
  });
});
