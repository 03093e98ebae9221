// Prepare-time transcendentals from IEEE-754 basic operations only (+ − × ÷, exact scaling by
// powers of two), so the integer constants derived from them are the same on every machine.
// libm and V8's Math.exp/Math.log are not guaranteed to round the same everywhere (a fused
// multiply-add in one build is enough), and one flipped rounding would break bit-exactness.
// Accuracy is ~1e-15 relative: far below the quantisation step of anything they feed.

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const LN2 = 0.6931471805599453;

/** e^x. */
export function detExp(x: number): number {
  if (x > 709) return Infinity;
  if (x < -745) return 0;
  const k = Math.round(x / LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 30; n++) {
    term = (term * r) / n;
    sum += term;
  }
  return scale2(sum, k);
}

/** ln(t) for t > 0: t = m·2^e with m in [√½, √2), ln m = 2·atanh((m−1)/(m+1)). */
export function detLog(t: number): number {
  let m = t;
  let e = 0;
  while (m >= Math.SQRT2) {
    m /= 2;
    e++;
  }
  while (m < Math.SQRT1_2) {
    m *= 2;
    e--;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let pow = s;
  let sum = 0;
  for (let n = 1; n < 60; n += 2) {
    sum += pow / n;
    pow *= s2;
  }
  return e * LN2_HI + (e * LN2_LO + 2 * sum);
}

/** torch Softplus(beta=1, threshold=20), as ref's `softplus`. */
export function detSoftplus(x: number): number {
  if (x > 20) return x;
  const y = detExp(x);
  // ln(1 + y) ≈ y − y²/2 for tiny y, where 1 + y would lose y's digits
  return y < 1e-8 ? y - (y * y) / 2 : detLog(1 + y);
}

/** v·2^k by exact doubling or halving (only the last halvings into subnormals can round). */
function scale2(v: number, k: number): number {
  let r = v;
  for (let i = 0; i < k; i++) r *= 2;
  for (let i = 0; i > k; i--) r /= 2;
  return r;
}
