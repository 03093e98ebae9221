// Builds one ONNX graph: nodes in topological order (each op is appended after its inputs exist),
// float32 initializers from the model's float64 weights, and cached small constants. Tensor names
// are unique and readable (`cfc1_ff`, `ltc_u3_v`), which helps when a model is opened in Netron.

import {
  DataType, float32Bytes, int64Bytes, type Attribute, type NodeProto, type TensorProto,
} from './onnx-proto.ts';

interface MutableNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: Attribute[];
}

export const attr = {
  int: (name: string, i: number): Attribute => ({ name, type: 'INT', i }),
  ints: (name: string, ints: readonly number[]): Attribute => ({ name, type: 'INTS', ints }),
  float: (name: string, f: number): Attribute => ({ name, type: 'FLOAT', f }),
};

export class GraphBuilder {
  private readonly nodeList: MutableNode[] = [];
  private readonly inits: TensorProto[] = [];
  private readonly taken = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private readonly opCount = new Map<string, number>();

  /** Reserves a graph input's name so no generated tensor takes it. */
  reserve(name: string): string {
    if (this.taken.has(name)) throw new Error(`tensor name ${name} is already used`);
    this.taken.add(name);
    return name;
  }

  /** A fresh tensor name from a hint: `hint`, else `hint_1`, `hint_2`, ... */
  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.taken.has(name); k++) name = `${hint}_${k}`;
    this.taken.add(name);
    return name;
  }

  // ── initializers ────────────────────────────────────────────────────────────────────────

  /** A float32 initializer (weights are rounded from float64 once, here). */
  weight(hint: string, values: ArrayLike<number>, dims: readonly number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) throw new Error(`initializer ${hint}: ${values.length} values for shape [${dims.join(', ')}]`);
    const name = this.fresh(hint);
    this.inits.push({ name, dims: [...dims], dataType: DataType.FLOAT, rawData: float32Bytes(values) });
    return name;
  }

  /** A float32 scalar (rank 0, broadcasts against anything), shared by every use of the value. */
  scalar(v: number): string {
    const key = `f:${v}`;
    let name = this.constCache.get(key);
    if (name === undefined) {
      name = this.fresh(`const_${String(v).replace(/[^0-9a-z]/gi, '_')}`);
      this.inits.push({ name, dims: [], dataType: DataType.FLOAT, rawData: float32Bytes([v]) });
      this.constCache.set(key, name);
    }
    return name;
  }

  /** A 1-D int64 initializer (shapes, axes, split sizes, slice bounds), shared by value. */
  ints(values: readonly number[]): string {
    const key = `i:${values.join(',')}`;
    let name = this.constCache.get(key);
    if (name === undefined) {
      name = this.fresh(`ints_${values.join('_').replace(/-/g, 'm')}`);
      this.inits.push({ name, dims: [values.length], dataType: DataType.INT64, rawData: int64Bytes(values) });
      this.constCache.set(key, name);
    }
    return name;
  }

  // ── nodes ───────────────────────────────────────────────────────────────────────────────

  /** Appends one node with `outputs` results; returns their names. */
  opN(opType: string, inputs: readonly string[], outputs: number, hint: string, attrs: readonly Attribute[] = []): string[] {
    const k = (this.opCount.get(opType) ?? 0) + 1;
    this.opCount.set(opType, k);
    const output = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}_${i}`));
    this.nodeList.push({ input: [...inputs], output, name: `${opType}_${k}`, opType, attribute: [...attrs] });
    return output;
  }

  op(opType: string, inputs: readonly string[], hint: string, attrs: readonly Attribute[] = []): string {
    return this.opN(opType, inputs, 1, hint, attrs)[0] as string;
  }

  add(a: string, b: string, hint = 'add'): string { return this.op('Add', [a, b], hint); }
  sub(a: string, b: string, hint = 'sub'): string { return this.op('Sub', [a, b], hint); }
  mul(a: string, b: string, hint = 'mul'): string { return this.op('Mul', [a, b], hint); }
  div(a: string, b: string, hint = 'div'): string { return this.op('Div', [a, b], hint); }
  unary(opType: string, a: string, hint = opType.toLowerCase()): string { return this.op(opType, [a], hint); }

  /** y = x Wᵀ + b for x (N, in) and W (out, in) as PyTorch stores it: Gemm with transB = 1. */
  gemm(x: string, weight: string, bias: string | null, hint: string): string {
    return this.op('Gemm', bias === null ? [x, weight] : [x, weight, bias], hint, [attr.int('transB', 1)]);
  }

  concat(xs: readonly string[], axis: number, hint = 'cat'): string {
    return xs.length === 1 ? (xs[0] as string) : this.op('Concat', xs, hint, [attr.int('axis', axis)]);
  }

  /** Splits along `axis` into pieces of the given sizes (opset 13: sizes as an input). */
  split(x: string, sizes: readonly number[], axis: number, hint: string): string[] {
    if (sizes.length === 1) return [x];
    return this.opN('Split', [x, this.ints(sizes)], sizes.length, hint, [attr.int('axis', axis)]);
  }

  /** x[:, start:end] along `axis`. */
  slice(x: string, start: number, end: number, axis: number, hint: string): string {
    return this.op('Slice', [x, this.ints([start]), this.ints([end]), this.ints([axis])], hint);
  }

  unsqueeze(x: string, axes: readonly number[], hint: string): string {
    return this.op('Unsqueeze', [x, this.ints(axes)], hint);
  }

  /** Sums over `axes` and drops them (opset 13: axes as an input). */
  reduceSum(x: string, axes: readonly number[], hint: string): string {
    return this.op('ReduceSum', [x, this.ints(axes)], hint, [attr.int('keepdims', 0)]);
  }

  reshape(x: string, shape: readonly number[], hint: string): string {
    return this.op('Reshape', [x, this.ints(shape)], hint);
  }

  /**
   * Gives `tensor` the graph-output name `name`: renames it where it is produced and read, or,
   * when it cannot be renamed (a graph input, or already bound to another output), copies it.
   */
  bindOutput(tensor: string, name: string, fixed: ReadonlySet<string>): void {
    const producer = this.nodeList.find((n) => n.output.includes(tensor));
    if (producer === undefined || fixed.has(tensor)) {
      this.nodeList.push({ input: [tensor], output: [this.reserve(name)], name: `Identity_${name}`, opType: 'Identity', attribute: [] });
      return;
    }
    this.reserve(name);
    for (const n of this.nodeList) {
      n.input = n.input.map((i) => (i === tensor ? name : i));
      n.output = n.output.map((o) => (o === tensor ? name : o));
    }
  }

  get nodes(): readonly NodeProto[] {
    return this.nodeList;
  }

  get initializers(): readonly TensorProto[] {
    return this.inits;
  }
}
