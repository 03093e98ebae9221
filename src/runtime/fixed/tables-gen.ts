// How the activation tables of tables.ts were made (docs/fixed-point.md §4). Never imported by
// the runtime: the tables ship as constants, and test/fixed-tables.test.ts regenerates them here
// and compares. The arithmetic is BigInt fixed point with 400 fractional bits (no Math.exp, no
// libm), so every entry is the correctly rounded value, and an entry whose exact value lies
// within 2^-300 of a rounding tie would be reported rather than guessed.
//
//   SIGMOID_Q16[i] = round(65536 · σ(i/24)),                i = 0..256, at most 65535
//   PHI_Q16[i]     = round(65536 · Φ(i/24)),                i = 0..256, at most 65535
//   EXP2_Q15[i]    = round(32768 · 2^(−i/256)),             i = 0..256
//
// Run `npx tsx src/runtime/fixed/tables-gen.ts` to print them.

const BITS = 400n;
const ONE = 1n << BITS;

function mul(a: bigint, b: bigint): bigint {
  return (a * b) >> BITS;
}

function div(a: bigint, b: bigint): bigint {
  return (a << BITS) / b;
}

/** A rational p/q as a fixed-point number. */
function frac(p: bigint, q: bigint): bigint {
  return (p << BITS) / q;
}

/** e^x by its Taylor series (|x| ≤ 16 here: ~90 terms), e^−x = 1 / e^x. */
function exp(x: bigint): bigint {
  if (x < 0n) return div(ONE, exp(-x));
  let sum = ONE;
  let term = ONE;
  for (let n = 1n; term !== 0n; n++) {
    term = mul(term, x) / n;
    sum += term;
  }
  return sum;
}

/** atan(1/k) = Σ (−1)^n / ((2n+1) k^(2n+1)) */
function atanInv(k: bigint): bigint {
  let sum = 0n;
  let pow = ONE / k;
  for (let n = 0n; pow !== 0n; n++) {
    const t = pow / (2n * n + 1n);
    sum += n % 2n === 0n ? t : -t;
    pow /= k * k;
  }
  return sum;
}

/** Machin: π = 16·atan(1/5) − 4·atan(1/239). */
function pi(): bigint {
  return 16n * atanInv(5n) - 4n * atanInv(239n);
}

/** √a by Newton on integers. */
function sqrt(a: bigint): bigint {
  const n = a << BITS;
  let x = n;
  let y = (x + 1n) >> 1n;
  while (y < x) {
    x = y;
    y = (x + n / x) >> 1n;
  }
  return x;
}

/** ln 2 = Σ_{k≥1} 1 / (k·2^k) */
function ln2(): bigint {
  let sum = 0n;
  for (let k = 1n; ; k++) {
    const t = ONE / (k << k);
    if (t === 0n) break;
    sum += t;
  }
  return sum;
}

/** round(scale · v) with v fixed point ≥ 0; throws when v sits within 2^-300 of a tie. */
function roundScaled(v: bigint, scale: bigint): number {
  const s = v * scale;
  const q = s >> BITS;
  const rem = s - (q << BITS);
  const half = ONE >> 1n;
  const margin = 1n << (BITS - 300n);
  const d = rem - half;
  if ((d < 0n ? -d : d) < margin) throw new Error('a table entry sits on a rounding tie; raise BITS');
  return Number(rem >= half ? q + 1n : q);
}

/** σ(i/24) = e^x / (1 + e^x) */
function sigmoidAt(i: number): bigint {
  const e = exp(frac(BigInt(i), 24n));
  return div(e, ONE + e);
}

/** Φ(x) = 1/2 + φ(x)·Σ_{n≥0} x^(2n+1) / (2n+1)!!, φ(x) = e^(−x²/2)/√(2π): all terms positive. */
function phiAt(i: number, sqrt2pi: bigint): bigint {
  const x = frac(BigInt(i), 24n);
  const x2 = mul(x, x);
  let term = x;
  let sum = x;
  for (let n = 1n; term !== 0n; n++) {
    term = mul(term, x2) / (2n * n + 1n);
    sum += term;
  }
  const density = div(exp(-(x2 >> 1n)), sqrt2pi);
  return (ONE >> 1n) + mul(density, sum);
}

export interface GeneratedTables {
  readonly sigmoid: number[];
  readonly phi: number[];
  readonly exp2: number[];
}

export function generateTables(): GeneratedTables {
  const sqrt2pi = sqrt(2n * pi());
  const l2 = ln2();
  const sigmoid: number[] = [];
  const phi: number[] = [];
  const exp2: number[] = [];
  for (let i = 0; i <= 256; i++) {
    sigmoid.push(Math.min(65535, roundScaled(sigmoidAt(i), 65536n)));
    phi.push(Math.min(65535, roundScaled(phiAt(i, sqrt2pi), 65536n)));
    exp2.push(roundScaled(exp(-(l2 * BigInt(i)) / 256n), 32768n));
  }
  return { sigmoid, phi, exp2 };
}

function printTable(name: string, a: readonly number[]): string {
  const rows: string[] = [];
  for (let i = 0; i < a.length; i += 16) rows.push(`  ${a.slice(i, i + 16).join(', ')},`);
  return `export const ${name} = Uint16Array.of(\n${rows.join('\n')}\n);\n`;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const t = generateTables();
  process.stdout.write(printTable('SIGMOID_Q16', t.sigmoid) + printTable('PHI_Q16', t.phi) + printTable('EXP2_Q15', t.exp2));
}
