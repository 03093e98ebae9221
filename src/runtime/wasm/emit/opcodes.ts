// Opcodes of the WebAssembly core MVP used by the kernels, bulk memory, and the fixed-width SIMD
// proposal (prefix 0xfd, then a LEB128 sub-opcode). No relaxed SIMD: its results may differ
// between machines (DESIGN.md §4), and Node 20 only has it behind a flag.

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

/** The block type of a block or loop that takes and leaves nothing. */
export const BLOCK_VOID = 0x40;

/** Single-byte core opcodes. */
export const Op = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b,
  br: 0x0c, br_if: 0x0d, return: 0x0f, call: 0x10, drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_load: 0x28, f32_load: 0x2a, f64_load: 0x2b, i32_store: 0x36, f32_store: 0x38, f64_store: 0x39,
  i32_const: 0x41, i64_const: 0x42, f32_const: 0x43, f64_const: 0x44,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b, i32_ge_u: 0x4f,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_and: 0x71, i32_or: 0x72, i32_shl: 0x74, i32_shr_u: 0x76,
  f32_abs: 0x8b, f32_neg: 0x8c, f32_add: 0x92, f32_sub: 0x93, f32_mul: 0x94, f32_div: 0x95,
  f32_min: 0x96, f32_max: 0x97,
  f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_div: 0xa3,
  f32_demote_f64: 0xb6, f64_promote_f32: 0xbb,
} as const;

/** Prefix of the bulk-memory and saturating-truncation opcodes. */
export const PREFIX_FC = 0xfc;
export const Fc = { memory_copy: 10, memory_fill: 11 } as const;

/** Prefix of the SIMD opcodes. */
export const PREFIX_SIMD = 0xfd;
export const Simd = {
  v128_load: 0x00, v128_load32_splat: 0x09, v128_store: 0x0b, v128_const: 0x0c,
  i32x4_splat: 0x11, f32x4_splat: 0x13,
  f32x4_extract_lane: 0x1f, f32x4_replace_lane: 0x20,
  f32x4_eq: 0x41, f32x4_ne: 0x42, f32x4_lt: 0x43, f32x4_gt: 0x44, f32x4_le: 0x45, f32x4_ge: 0x46,
  v128_not: 0x4d, v128_and: 0x4e, v128_andnot: 0x4f, v128_or: 0x50, v128_xor: 0x51, v128_bitselect: 0x52,
  f32x4_ceil: 0x67, f32x4_floor: 0x68, f32x4_trunc: 0x69, f32x4_nearest: 0x6a,
  i32x4_shl: 0xab, i32x4_shr_s: 0xac, i32x4_add: 0xae, i32x4_sub: 0xb1, i32x4_mul: 0xb5,
  f32x4_abs: 0xe0, f32x4_neg: 0xe1, f32x4_sqrt: 0xe3, f32x4_add: 0xe4, f32x4_sub: 0xe5,
  f32x4_mul: 0xe6, f32x4_div: 0xe7, f32x4_min: 0xe8, f32x4_max: 0xe9, f32x4_pmin: 0xea, f32x4_pmax: 0xeb,
  i32x4_trunc_sat_f32x4_s: 0xf8, f32x4_convert_i32x4_s: 0xfa,
} as const;
export type SimdOp = (typeof Simd)[keyof typeof Simd];

/** Export kinds. */
export const EXPORT_FUNC = 0x00;
export const EXPORT_MEMORY = 0x02;

/** Section ids, in the order a module must list them. */
export const Section = {
  custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, start: 8,
  element: 9, code: 10, data: 11, dataCount: 12,
} as const;
