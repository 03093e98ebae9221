// Payloads of the MQTT adapter (DESIGN.md §6, docs/mqtt.md): strict JSON in, compact JSON out.
// A parser returns a reason instead of throwing: a bad message is counted and dropped by the caller,
// never fatal to the loop.

import type { LoopCommand } from '../types.ts';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

/** `lnn/<id>/in` (or a field's own topic): `{"t": seconds, "x": [numbers]}`. */
export interface InputMessage {
  readonly tS: number;
  /** the parsed array itself, checked finite and of the expected length (no copy) */
  readonly x: readonly number[];
}

const COMMANDS: readonly LoopCommand[] = ['arm', 'disarm', 'estop', 'reset'];

const fail = (why: string): { ok: false; why: string } => ({ ok: false, why });

/** Parses one JSON object, refusing payloads over `maxBytes` before decoding them. */
function parseObject(payload: Uint8Array, maxBytes: number): Parsed<Record<string, unknown>> {
  if (payload.length > maxBytes) return fail(`payload of ${payload.length} bytes is over the ${maxBytes}-byte cap`);
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('utf8'));
  } catch {
    return fail('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('not a JSON object');
  return { ok: true, value: v as Record<string, unknown> };
}

/**
 * `{"t": finite number, "x": [finite numbers] of length `size`}`. Other keys are ignored (senders may
 * add their own). NaN and Infinity cannot be written in JSON, so a sender that tries gets `null`,
 * `"NaN"` or `1e999`: each is refused here rather than passed on as a number.
 */
export function parseInput(payload: Uint8Array, size: number, maxBytes: number): Parsed<InputMessage> {
  const o = parseObject(payload, maxBytes);
  if (!o.ok) return o;
  const { t, x } = o.value;
  if (typeof t !== 'number' || !Number.isFinite(t)) return fail('"t" is not a finite number');
  if (!Array.isArray(x)) return fail('"x" is not an array');
  if (x.length !== size) return fail(`"x" has ${x.length} values, expected ${size}`);
  for (let i = 0; i < size; i++) {
    const xi: unknown = x[i];
    if (typeof xi !== 'number' || !Number.isFinite(xi)) return fail(`"x"[${i}] is not a finite number`);
  }
  return { ok: true, value: { tS: t, x: x as number[] } };
}

/** `lnn/<id>/cmd`: `{"cmd": "arm" | "disarm" | "estop" | "reset"}`. */
export function parseCommand(payload: Uint8Array, maxBytes: number): Parsed<LoopCommand> {
  const o = parseObject(payload, maxBytes);
  if (!o.ok) return o;
  const cmd = o.value.cmd;
  const known = COMMANDS.find((c) => c === cmd);
  if (known === undefined) return fail(`"cmd" is not one of ${COMMANDS.join(', ')}`);
  return { ok: true, value: known };
}

/**
 * `{"t": seconds, "seq": tick, "y": [numbers]}` for y[from, from + n). Written by hand: one string,
 * no intermediate objects. Returns null when a value is not finite (JSON has no NaN): the caller
 * drops the message rather than send `null` to an actuator.
 */
export function formatOutput(tS: number, seq: number, y: ArrayLike<number>, from: number, n: number, failsafe: boolean): string | null {
  if (!Number.isFinite(tS)) return null;
  let s = `{"t":${tS},"seq":${seq},"y":[`;
  for (let i = 0; i < n; i++) {
    const v = y[from + i] as number;
    if (!Number.isFinite(v)) return null;
    s += i === 0 ? `${v}` : `,${v}`;
  }
  return failsafe ? `${s}],"failsafe":true}` : `${s}]}`;
}
