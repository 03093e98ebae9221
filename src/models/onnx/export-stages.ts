// The feed-forward stages as ONNX nodes, computing what src/runtime/ref/feedforward.ts and
// src/runtime/activations.ts define. Every value is (N, width) except between a conv2d and the
// next stage that needs a vector, where it stays NCHW (elementwise stages keep either layout).

import type { Activation, ClampStage, Conv2dStage, DenseStage, NormaliseStage, ReadoutStage, Linear } from '../types.ts';
import { attr, type GraphBuilder } from './graph-builder.ts';

/** A value flowing between stages: a tensor name, and its [C, H, W] when it is NCHW, else null. */
export interface Flow {
  readonly name: string;
  readonly chw: readonly [number, number, number] | null;
}

/** The value as (N, width): NCHW is contiguous per sample, so this is a reshape, not a copy. */
export function asMatrix(g: GraphBuilder, f: Flow, hint: string): string {
  if (f.chw === null) return f.name;
  return g.reshape(f.name, [-1, f.chw[0] * f.chw[1] * f.chw[2]], hint);
}

/** ncps/PyTorch activations; `hint` names the result. */
export function activation(g: GraphBuilder, fn: Activation, x: string, hint: string): string {
  switch (fn) {
    case 'none': return x;
    case 'relu': return g.unary('Relu', x, hint);
    case 'tanh': return g.unary('Tanh', x, hint);
    case 'sigmoid': return g.unary('Sigmoid', x, hint);
    case 'silu': return g.mul(x, g.unary('Sigmoid', x, `${hint}_sig`), hint);
    // torch GELU (exact): 0.5·x·(1 + erf(x/√2))
    case 'gelu': {
      const erf = g.unary('Erf', g.mul(x, g.scalar(Math.SQRT1_2), `${hint}_scaled`), `${hint}_erf`);
      return g.mul(g.mul(x, g.scalar(0.5), `${hint}_half`), g.add(erf, g.scalar(1), `${hint}_1perf`), hint);
    }
    // ncps LeCun: 1.7159·tanh(0.666·x), with ncps's 0.666 (not 2/3)
    case 'lecun_tanh': {
      const t = g.unary('Tanh', g.mul(x, g.scalar(0.666), `${hint}_scaled`), `${hint}_tanh`);
      return g.mul(t, g.scalar(1.7159), hint);
    }
  }
}

/** y = x Wᵀ + b for a Linear, weights as float32 initializers. */
export function linear(g: GraphBuilder, l: Linear, x: string, hint: string): string {
  const w = g.weight(`${hint}_w`, l.weight, [l.outSize, l.inSize]);
  const b = l.bias === null ? null : g.weight(`${hint}_b`, l.bias, [l.outSize]);
  return g.gemm(x, w, b, hint);
}

export function normalise(g: GraphBuilder, s: NormaliseStage, f: Flow, hint: string): Flow {
  const x = asMatrix(g, f, `${hint}_in`);
  const centred = g.sub(x, g.weight(`${hint}_mean`, s.mean, [s.size]), `${hint}_centred`);
  return { name: g.div(centred, g.weight(`${hint}_std`, s.std, [s.size]), hint), chw: null };
}

/** ONNX Conv on NCHW: zero padding on both sides, strides, no dilation, one group. */
export function conv2d(g: GraphBuilder, s: Conv2dStage, f: Flow, hint: string): Flow {
  const [C, H, W] = s.inShape;
  const [K] = s.outShape;
  const [kh, kw] = s.kernel;
  const x = f.chw !== null ? f.name : g.reshape(f.name, [-1, C, H, W], `${hint}_nchw`);
  const w = g.weight(`${hint}_w`, s.weight, [K, C, kh, kw]);
  const inputs = s.bias === null ? [x, w] : [x, w, g.weight(`${hint}_b`, s.bias, [K])];
  const y = g.op('Conv', inputs, hint, [
    attr.ints('kernel_shape', [kh, kw]),
    attr.ints('strides', [...s.stride]),
    attr.ints('pads', [s.padding[0], s.padding[1], s.padding[0], s.padding[1]]),
    attr.ints('dilations', [1, 1]),
    attr.int('group', 1),
  ]);
  return { name: y, chw: s.outShape };
}

export function dense(g: GraphBuilder, s: DenseStage, f: Flow, hint: string): Flow {
  const y = linear(g, s, asMatrix(g, f, `${hint}_in`), `${hint}_lin`);
  return { name: activation(g, s.activation, y, hint), chw: null };
}

export function readout(g: GraphBuilder, s: ReadoutStage, f: Flow, hint: string): Flow {
  return { name: linear(g, s, asMatrix(g, f, `${hint}_in`), hint), chw: null };
}

/** As the ref clamp: NaN becomes 0 first (Max/Min would pass it through), then the bounds. */
export function clamp(g: GraphBuilder, s: ClampStage, f: Flow, hint: string): Flow {
  const x = asMatrix(g, f, `${hint}_in`);
  const finiteOrZero = g.op('Where', [g.unary('IsNaN', x, `${hint}_isnan`), g.scalar(0), x], `${hint}_nonan`);
  const lo = g.op('Max', [finiteOrZero, g.weight(`${hint}_min`, s.min, [s.size])], `${hint}_lo`);
  return { name: g.op('Min', [lo, g.weight(`${hint}_max`, s.max, [s.size])], hint), chw: null };
}
