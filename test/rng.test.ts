// The numpy RNG ports against real numpy: test/fixtures/rng-numpy.json is written by
// tools/gen_wiring_fixtures.py (numpy's own RandomState / default_rng). Every sampling case
// also checks the NEXT raw draw, so a port that draws one number too many or too few (the
// "no draw when max == 0" rule) fails even when the sampled values happen to agree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLnnError } from '../src/errors.ts';
import { RandomState, mask32 } from '../src/models/rng/mt19937.ts';
import { Pcg64, defaultRng, seedSequenceState } from '../src/models/rng/pcg64.ts';
import { FIXTURES } from './helpers/fixtures.ts';

interface RngFixture {
  numpy: string;
  mt_raw: { seed: number; raw: number[] }[];
  mt_permutation: { seed: number; n: number; perm: number[]; next: number }[];
  mt_randint: { seed: number; low: number; high: number; values: number[]; next: number }[];
  mt_choice: { seed: number; n: number; size: number; first: number[]; second: number[]; next: number }[];
  mt_choice_one: { seed: number; n: number; values: number[]; next: number }[];
  mt_choice_replace: { seed: number; n: number; size: number; values: number[]; next: number }[];
  seed_sequence: { seed: string; state: number[] }[];
  pcg_raw: { seed: string; first: string[]; v1000: string }[];
  pcg_integers: { seed: string; low: number; high: number; values: number[]; next: number }[];
  pcg_choice3: { seed: string; values: number[] }[];
  pcg_choice: { seed: string; n: number; size: number; values: number[]; next: number }[];
}

const fx = JSON.parse(readFileSync(`${FIXTURES}rng-numpy.json`, 'utf8')) as RngFixture;
const range = (start: number, n: number): number[] => Array.from({ length: n }, (_, i) => start + i);

function expectWiringError(f: () => unknown, field: string): void {
  try {
    f();
  } catch (e) {
    expect(isLnnError(e) && e.code).toBe('LNN_E_WIRING');
    expect(isLnnError(e) && e.where.field).toBe(field);
    return;
  }
  throw new Error('expected an LnnError');
}

describe('MT19937 / legacy RandomState', () => {
  it('matches the published init_genrand(5489) outputs', () => {
    const rs = new RandomState(5489);
    expect([rs.nextU32(), rs.nextU32(), rs.nextU32()]).toEqual([3499211612, 581869302, 3890346734]);
  });

  it.each(fx.mt_raw)('raw stream of seed $seed equals numpy (incl. across twists)', ({ seed, raw }) => {
    const rs = new RandomState(seed);
    const got = raw.map(() => rs.nextU32());
    expect(got).toEqual(raw);
    if (raw.length >= 1000) expect(got[999]).toBe(raw[999]);
  });

  it('computes numpy masks', () => {
    expect([0, 1, 2, 3, 4, 5, 255, 256, 0xffffffff].map(mask32)).toEqual([
      0, 1, 3, 3, 7, 7, 255, 511, 0xffffffff,
    ]);
  });

  it.each(fx.mt_permutation)('permutation($n), seed $seed', ({ seed, n, perm, next }) => {
    const rs = new RandomState(seed);
    expect(Array.from(rs.permutation(n))).toEqual(perm);
    expect(rs.nextU32()).toBe(next);
  });

  it.each(fx.mt_randint)('randint($low, $high), seed $seed', ({ seed, low, high, values, next }) => {
    const rs = new RandomState(seed);
    expect(values.map(() => rs.randint(low, high))).toEqual(values);
    expect(rs.nextU32()).toBe(next);
  });

  it.each(fx.mt_choice)('choice(n=$n, size=$size, replace=False) twice, seed $seed', (c) => {
    const rs = new RandomState(c.seed);
    const pool = range(100, c.n);
    expect(rs.choice(pool, c.size, false)).toEqual(c.first);
    expect(rs.choice(pool, c.size)).toEqual(c.second);
    expect(rs.nextU32()).toBe(c.next);
  });

  it.each(fx.mt_choice_one)('choice(list of $n), seed $seed', ({ seed, n, values, next }) => {
    const rs = new RandomState(seed);
    const pool = range(-n, n);
    expect(values.map(() => rs.choice(pool))).toEqual(values);
    expect(rs.nextU32()).toBe(next);
  });

  it.each(fx.mt_choice_replace)('choice(size=$size, replace=True), seed $seed', (c) => {
    const rs = new RandomState(c.seed);
    expect(rs.choice(range(0, c.n), c.size, true)).toEqual(c.values);
    expect(rs.nextU32()).toBe(c.next);
  });

  it('does not draw for bounded(0), permutation(1) and randint(k, k+1)', () => {
    const a = new RandomState(22222);
    const b = new RandomState(22222);
    expect(a.bounded(0)).toBe(0);
    expect(Array.from(a.permutation(1))).toEqual([0]);
    expect(Array.from(a.permutation(0))).toEqual([]);
    expect(a.randint(7, 8)).toBe(7);
    expect(a.choice(['only'])).toBe('only');
    expect(a.nextU32()).toBe(b.nextU32());
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN, Infinity])('rejects seed %s with LNN_E_WIRING', (seed) => {
    expectWiringError(() => new RandomState(seed), 'seed');
  });

  it('accepts the extreme seeds 0 and 2^32 - 1', () => {
    expect(new RandomState(0).nextU32()).toBe(fx.mt_raw.find((r) => r.seed === 0)?.raw[0]);
    expect(new RandomState(2 ** 32 - 1).nextU32()).toBe(fx.mt_raw.find((r) => r.seed === 2 ** 32 - 1)?.raw[0]);
  });
});

describe('SeedSequence / PCG64 / Generator (np.random.default_rng)', () => {
  it(`fixture comes from numpy ${fx.numpy}`, () => {
    expect(fx.numpy).toMatch(/^\d+\.\d+/);
  });

  it.each(fx.seed_sequence)('SeedSequence($seed).generate_state(8)', ({ seed, state }) => {
    expect(Array.from(seedSequenceState(BigInt(seed), 8))).toEqual(state);
  });

  it.each(fx.pcg_raw)('PCG64($seed) raw outputs 1..12 and 1000', ({ seed, first, v1000 }) => {
    const s = BigInt(seed);
    const bg = new Pcg64(s <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s) : s);
    const got: string[] = [];
    for (let i = 0; i < 1000; i++) got.push(bg.nextU64().toString());
    expect(got.slice(0, 12)).toEqual(first);
    expect(got[999]).toBe(v1000);
  });

  it.each(fx.pcg_integers)('integers($low, $high), seed $seed', ({ seed, low, high, values, next }) => {
    const g = defaultRng(BigInt(seed));
    expect(values.map(() => g.integers(low, high))).toEqual(values);
    // numpy's integers(0, 2**32) is the buffered next_uint32: checks the half-word buffer too.
    expect(g.integers(0, 2 ** 32)).toBe(next);
  });

  it.each(fx.pcg_choice3)('choice([-1, 1, 1]) x200, seed $seed', ({ seed, values }) => {
    const g = defaultRng(BigInt(seed));
    expect(values.map(() => g.choice([-1, 1, 1]))).toEqual(values);
  });

  it.each(fx.pcg_choice)('choice(arange($n), size=$size, replace=False), seed $seed', (c) => {
    const g = defaultRng(BigInt(c.seed));
    expect(g.choice(range(0, c.n), c.size, false)).toEqual(c.values);
    expect(g.integers(0, 2 ** 32)).toBe(c.next);
  });

  it.each([-1, 1.5, Number.NaN])('rejects seed %s with LNN_E_WIRING', (seed) => {
    expectWiringError(() => defaultRng(seed), 'seed');
  });
});
