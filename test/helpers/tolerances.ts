// Every numeric tolerance of the test suite, in one place (DESIGN.md §4).
export const TOLERANCES = {
  /** ref (float64) against ncps (torch float32) outputs and states, absolute. ncps-spec §9.5:
   *  a float64 port matched torch to ≤ 3e-7 over 5 steps; 1e-5 leaves room for longer runs. */
  refVsNcps: 1e-5,
} as const;
