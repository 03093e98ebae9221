// The subset of onnx.proto (onnx/onnx, proto2) that a policy-step graph needs, as plain objects,
// and their encoders. Field numbers are those of onnx.proto; repeated scalars are written the way
// onnx.proto declares them (unpacked unless marked [packed = true]).

import { ProtoWriter } from './protobuf.ts';

/** TensorProto.DataType */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType */
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface OperatorSetId {
  /** '' is the default ONNX domain */
  readonly domain: string;
  readonly version: number;
}

export interface TensorProto {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: DataTypeCode;
  /** row-major, fixed-width little-endian elements */
  readonly rawData: Uint8Array;
}

export type Attribute =
  | { readonly name: string; readonly type: 'FLOAT'; readonly f: number }
  | { readonly name: string; readonly type: 'INT'; readonly i: number }
  | { readonly name: string; readonly type: 'STRING'; readonly s: string }
  | { readonly name: string; readonly type: 'TENSOR'; readonly t: TensorProto }
  | { readonly name: string; readonly type: 'FLOATS'; readonly floats: readonly number[] }
  | { readonly name: string; readonly type: 'INTS'; readonly ints: readonly number[] };

export interface NodeProto {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly name: string;
  readonly opType: string;
  readonly attribute: readonly Attribute[];
}

/** A tensor type with a shape: a number is a fixed dimension, a string a symbolic one ("N"). */
export interface ValueInfoProto {
  readonly name: string;
  readonly elemType: DataTypeCode;
  readonly dims: readonly (number | string)[];
  readonly docString?: string;
}

export interface GraphProto {
  readonly name: string;
  readonly node: readonly NodeProto[];
  readonly initializer: readonly TensorProto[];
  readonly input: readonly ValueInfoProto[];
  readonly output: readonly ValueInfoProto[];
  readonly docString?: string;
}

export interface ModelProto {
  readonly irVersion: number;
  readonly opsetImport: readonly OperatorSetId[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly graph: GraphProto;
  /** StringStringEntryProto list */
  readonly metadataProps: readonly { readonly key: string; readonly value: string }[];
}

// ── encoders (message → fields) ───────────────────────────────────────────────────────────

export function encodeModel(m: ModelProto): Uint8Array {
  const w = new ProtoWriter(1024);
  w.int64Field(1, m.irVersion); // ir_version
  w.stringField(2, m.producerName); // producer_name
  w.stringField(3, m.producerVersion); // producer_version
  if (m.docString !== undefined) w.stringField(6, m.docString); // doc_string
  w.messageField(7, (g) => writeGraph(g, m.graph)); // graph
  for (const o of m.opsetImport) w.messageField(8, (s) => writeOpsetId(s, o)); // opset_import
  for (const p of m.metadataProps) {
    w.messageField(14, (e) => e.stringField(1, p.key).stringField(2, p.value)); // metadata_props
  }
  return w.finish();
}

export function writeOpsetId(w: ProtoWriter, o: OperatorSetId): void {
  if (o.domain !== '') w.stringField(1, o.domain); // domain (absent = default domain)
  w.int64Field(2, o.version); // version
}

export function writeGraph(w: ProtoWriter, g: GraphProto): void {
  for (const n of g.node) w.messageField(1, (s) => writeNode(s, n)); // node
  w.stringField(2, g.name); // name
  for (const t of g.initializer) w.messageField(5, (s) => writeTensor(s, t)); // initializer
  if (g.docString !== undefined) w.stringField(10, g.docString); // doc_string
  for (const v of g.input) w.messageField(11, (s) => writeValueInfo(s, v)); // input
  for (const v of g.output) w.messageField(12, (s) => writeValueInfo(s, v)); // output
}

export function writeNode(w: ProtoWriter, n: NodeProto): void {
  for (const i of n.input) w.stringField(1, i); // input
  for (const o of n.output) w.stringField(2, o); // output
  w.stringField(3, n.name); // name
  w.stringField(4, n.opType); // op_type
  for (const a of n.attribute) w.messageField(5, (s) => writeAttribute(s, a)); // attribute
}

export function writeAttribute(w: ProtoWriter, a: Attribute): void {
  w.stringField(1, a.name); // name
  w.int64Field(20, ATTR_TYPE[a.type]); // type
  switch (a.type) {
    case 'FLOAT': w.floatField(2, a.f); break; // f
    case 'INT': w.int64Field(3, a.i); break; // i
    case 'STRING': w.stringField(4, a.s); break; // s
    case 'TENSOR': w.messageField(5, (s) => writeTensor(s, a.t)); break; // t
    case 'FLOATS': for (const f of a.floats) w.floatField(7, f); break; // floats (unpacked in proto2)
    case 'INTS': for (const i of a.ints) w.int64Field(8, i); break; // ints (unpacked in proto2)
  }
}

export function writeTensor(w: ProtoWriter, t: TensorProto): void {
  for (const d of t.dims) w.int64Field(1, d); // dims (unpacked in proto2)
  w.int64Field(2, t.dataType); // data_type
  w.stringField(8, t.name); // name
  w.bytesField(9, t.rawData); // raw_data
}

export function writeValueInfo(w: ProtoWriter, v: ValueInfoProto): void {
  w.stringField(1, v.name); // name
  w.messageField(2, (type) => // type: TypeProto
    type.messageField(1, (tensor) => { // tensor_type: TypeProto.Tensor
      tensor.int64Field(1, v.elemType); // elem_type
      tensor.messageField(2, (shape) => { // shape: TensorShapeProto
        for (const d of v.dims) {
          shape.messageField(1, (dim) => { // dim: TensorShapeProto.Dimension
            if (typeof d === 'number') dim.int64Field(1, d); // dim_value
            else dim.stringField(2, d); // dim_param
          });
        }
      });
    }));
  if (v.docString !== undefined) w.stringField(3, v.docString); // doc_string
}

// ── tensor data ───────────────────────────────────────────────────────────────────────────

/** float32 little-endian bytes of the values (rounded from float64 to nearest). */
export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i] as number, true);
  return out;
}

/** int64 little-endian bytes of the values. */
export function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setBigInt64(i * 8, BigInt(v), true));
  return out;
}
