// Pre-boxed numbers, for passing a computed double to a call without allocating. V8 passes call
// arguments tagged, so a double computed in the tick and handed to a function it does not inline
// becomes a new 16-byte HeapNumber on every call (measured, Node 20.20: 10^6 calls with
// `f(i * 1e-3)` → 16 scavenges; `f(grid[i])` → 0). A generic array (PACKED_ELEMENTS) keeps each
// element as a heap number, so reading one and passing it allocates nothing. Used for the
// policy's dt and the worker's Atomics.wait timeouts.

/** A read-only array whose element i is value(i), stored boxed (see above). */
export function boxedGrid(count: number, value: (i: number) => number): readonly number[] {
  const a: (number | null)[] = [];
  for (let i = 0; i < count; i++) a.push(value(i));
  a.push(null); // forces generic elements: from here on every element is a tagged pointer
  a.pop();
  return a as number[];
}
