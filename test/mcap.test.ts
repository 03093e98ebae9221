// MCAP recording and replay (src/io/mcap): record a run of a compiled model, read it back with
// @mcap/core and decode it with @foxglove/rosmsg2-serialization independently of our own reader,
// replay bit for bit, and corrupt files give coded errors.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapIndexedReader, McapStreamReader } from '@mcap/core';
import { parse } from '@foxglove/rosmsg';
import { MessageReader } from '@foxglove/rosmsg2-serialization';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LnnError } from '../src/errors.ts';
import { makeRecorder, readRecording, recordedModel, replay } from '../src/io/mcap/index.ts';
import type { LoopStatus } from '../src/io/types.ts';
import { initWiredCfcDoc } from '../src/models/init.ts';
import { loadModel } from '../src/models/load.ts';
import type { Model } from '../src/models/types.ts';
import { makeAutoNcp } from '../src/models/wiring/index.ts';
import { compile } from '../src/runtime/compile.ts';
import type { Policy } from '../src/runtime/policy.ts';

const IN = 3;
const OUT = 2;
const STEPS = 400;
const START_NS = 1_700_000_000_123_456_789n;

let dir: string;
let model: Model;

interface Truth {
  tS: number[];
  dt: number[];
  x: Float64Array[];
  y: Float64Array[];
  h: Float64Array[];
  resets: Set<number>;
}

function status(tS: number, ticks: number): LoopStatus {
  const c = { received: ticks, dropped: 1, malformed: 2 };
  return {
    state: 'armed', reason: '', ticks, tS, hz: 50, achievedHz: 49.9, periodErrP50Us: 3, periodErrP99Us: 40,
    periodErrMaxUs: 90, deadlineMisses: 0, cpuPct: 12.5, tickP99Us: 55, rejected: 0, holding: 0, inputs: c, outputs: c,
  };
}

/** Runs the policy like the control loop would, recording every step; returns what was handed over. */
async function recordRun(file: string, policy: Policy, opts: { resetAt?: number } = {}): Promise<Truth> {
  const rec = await makeRecorder(file, { model, backend: policy.backend, startTimeNs: START_NS, extraMetadata: { cmd: 'test' } });
  const t: Truth = { tS: [], dt: [], x: [], y: [], h: [], resets: new Set() };
  const x = new Float64Array(IN);
  const y = new Float64Array(OUT);
  const h = new Float64Array(policy.stateSize);
  policy.reset();
  policy.getState(h);
  rec.writeState(0, h);
  let tS = 0;
  for (let k = 0; k < STEPS; k++) {
    // jittery dt on a 50 Hz grid, as the loop's dt grid hands it over
    const dt = (100 + ((k * 37) % 11) - 5) / 100 / 50;
    tS += dt;
    for (let i = 0; i < IN; i++) x[i] = Math.sin(0.05 * k * (i + 1)) + 0.1 * i;
    if (k === opts.resetAt) {
      policy.reset();
      rec.writeReset();
      t.resets.add(k);
    }
    rec.writeInput(tS, x, dt);
    policy.step(x, dt, y);
    rec.writeOutput(tS, k + 1, y, y.map((v) => 2 * v));
    policy.getState(h);
    rec.writeState(tS, h);
    if (k % 50 === 0) rec.writeStatus(status(tS, k + 1));
    t.tS.push(tS); t.dt.push(dt); t.x.push(x.slice()); t.y.push(y.slice()); t.h.push(h.slice());
  }
  await rec.close();
  expect(rec.error).toBeUndefined();
  expect(rec.counters.dropped).toEqual({ input: 0, output: 0, state: 0, status: 0 });
  expect(rec.counters.written).toEqual({ input: STEPS, output: STEPS, state: STEPS + 1, status: STEPS / 50 });
  return t;
}

function stampNs(s: { sec: number; nanosec: number }): bigint {
  return BigInt(s.sec) * 1_000_000_000n + BigInt(s.nanosec);
}

function nsOf(tS: number): bigint {
  return START_NS + BigInt(Math.round(tS * 1e9));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lnn-mcap-'));
  model = loadModel(initWiredCfcDoc(makeAutoNcp(12, OUT, 0.5, 22222, IN), { seed: 7, name: 'mcap-test' }));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('MCAP recorder', () => {
  let file: string;
  let truth: Truth;

  beforeAll(async () => {
    file = join(dir, 'run.mcap');
    truth = await recordRun(file, compile(model, { backend: 'f32' }));
  });

  it('is read by @mcap/core and decoded by @foxglove/rosmsg2-serialization from the file alone', async () => {
    const fh = await open(file, 'r');
    try {
      const size = BigInt((await fh.stat()).size);
      const readable = {
        size: async () => size,
        read: async (offset: bigint, n: bigint) => {
          const b = new Uint8Array(Number(n));
          await fh.read(b, 0, b.length, Number(offset));
          return b;
        },
      };
      const reader = await McapIndexedReader.Initialize({ readable });
      expect(reader.header.profile).toBe('ros2');
      expect(reader.chunkIndexes.length).toBeGreaterThan(0);
      expect(reader.statistics?.messageCount).toBe(BigInt(STEPS * 3 + 1 + STEPS / 50));
      const byTopic = new Map<string, { reader: MessageReader; msgs: Record<string, unknown>[] }>();
      for (const ch of reader.channelsById.values()) {
        const schema = reader.schemasById.get(ch.schemaId)!;
        expect(schema.encoding).toBe('ros2msg');
        expect(ch.messageEncoding).toBe('cdr');
        const defs = parse(new TextDecoder().decode(schema.data), { ros2: true });
        byTopic.set(ch.topic, { reader: new MessageReader(defs), msgs: [] });
      }
      expect([...byTopic.keys()].sort()).toEqual(['/lnn/input', '/lnn/output', '/lnn/state', '/lnn/status']);
      let prev = -1n;
      for await (const m of reader.readMessages()) {
        expect(m.logTime).toBeGreaterThanOrEqual(prev);
        prev = m.logTime;
        const ch = reader.channelsById.get(m.channelId)!;
        const t = byTopic.get(ch.topic)!;
        const msg = t.reader.readMessage<Record<string, unknown>>(m.data);
        expect(stampNs((msg.header as { stamp: { sec: number; nanosec: number } }).stamp)).toBe(m.logTime);
        t.msgs.push(msg);
      }
      const inputs = byTopic.get('/lnn/input')!.msgs;
      const outputs = byTopic.get('/lnn/output')!.msgs;
      const states = byTopic.get('/lnn/state')!.msgs;
      const statuses = byTopic.get('/lnn/status')!.msgs;
      expect(inputs.length).toBe(STEPS);
      expect(outputs.length).toBe(STEPS);
      expect(states.length).toBe(STEPS + 1);
      expect(statuses.length).toBe(STEPS / 50);
      for (let k = 0; k < STEPS; k++) {
        const i = inputs[k] as { header: { stamp: { sec: number; nanosec: number } }; step: bigint; dt: number; reset: boolean; x: Float64Array };
        expect(Number(i.step)).toBe(k);
        expect(stampNs(i.header.stamp)).toBe(nsOf(truth.tS[k]));
        expect(i.dt).toBe(truth.dt[k]);
        expect(i.reset).toBe(false);
        expect(Array.from(i.x)).toEqual(Array.from(truth.x[k]));
        const o = outputs[k] as { header: { stamp: { sec: number; nanosec: number } }; step: bigint; seq: bigint; y: Float64Array; command: Float64Array };
        expect(Number(o.step)).toBe(k);
        expect(o.seq).toBe(BigInt(k + 1));
        expect(stampNs(o.header.stamp)).toBe(nsOf(truth.tS[k]));
        expect(Array.from(o.y)).toEqual(Array.from(truth.y[k]));
        expect(Array.from(o.command)).toEqual(Array.from(truth.y[k]).map((v) => 2 * v));
      }
      const s0 = states[0] as { step: bigint; h: Float64Array; header: { stamp: { sec: number; nanosec: number } } };
      expect(s0.step).toBe(-1n);
      expect(stampNs(s0.header.stamp)).toBe(START_NS);
      expect(Array.from(s0.h).every((v) => v === 0)).toBe(true);
      for (let k = 0; k < STEPS; k++) {
        const s = states[k + 1] as { step: bigint; h: Float64Array; c: Float64Array };
        expect(Number(s.step)).toBe(k);
        expect(s.h.length).toBe(12);
        expect(s.c.length).toBe(0);
        expect(Array.from(s.h)).toEqual(Array.from(truth.h[k]));
      }
      const st = statuses[1] as Record<string, unknown>;
      expect(st.state).toBe('armed');
      expect(st.ticks).toBe(51n);
      expect(st.achieved_hz).toBe(49.9);
      expect(st.inputs_malformed).toBe(2n);

      const meta = new Map<string, Map<string, string>>();
      for await (const m of reader.readMetadata()) meta.set(m.name, m.metadata);
      const mm = meta.get('lnn_model')!;
      expect(mm.get('model_name')).toBe('mcap-test');
      expect(mm.get('backend')).toBe('f32');
      expect(mm.get('input_size')).toBe(String(IN));
      expect(mm.get('output_size')).toBe(String(OUT));
      expect(mm.get('start_time_ns')).toBe(String(START_NS));
      expect(mm.get('cmd')).toBe('test');
      expect(meta.get('lnn_counters')?.get('input_written')).toBe(String(STEPS));
      const att: string[] = [];
      for await (const a of reader.readAttachments()) att.push(a.name);
      expect(att).toEqual(['model.lnn.json']);
    } finally {
      await fh.close();
    }
  });

  it('is a valid MCAP stream end to end (McapStreamReader sees magic, footer, every record)', () => {
    const bytes = readFileSync(file);
    const sr = new McapStreamReader({ validateCrcs: true });
    sr.append(bytes);
    let messages = 0;
    let footer = false;
    for (let r = sr.nextRecord(); r !== undefined; r = sr.nextRecord()) {
      if (r.type === 'Message') messages++;
      if (r.type === 'Footer') footer = true;
    }
    expect(footer).toBe(true);
    expect(sr.done()).toBe(true);
    expect(messages).toBe(STEPS * 3 + 1 + STEPS / 50);
  });

  it('readRecording decodes every message and timestamp', async () => {
    const rec = await readRecording(file);
    expect(rec.startTimeNs).toBe(START_NS);
    expect(rec.meta.get('backend')).toBe('f32');
    expect(rec.inputs.length).toBe(STEPS);
    expect(rec.outputs.length).toBe(STEPS);
    expect(rec.states.length).toBe(STEPS + 1);
    expect(rec.statuses.length).toBe(STEPS / 50);
    for (let k = 0; k < STEPS; k++) {
      expect(rec.inputs[k].dtS).toBe(truth.dt[k]);
      expect(Math.abs(rec.inputs[k].tS - truth.tS[k])).toBeLessThan(1e-9);
      expect(rec.outputs[k].y).toEqual(truth.y[k]);
      expect(rec.states[k + 1].h).toEqual(truth.h[k]);
    }
    expect(recordedModel(rec).name).toBe('mcap-test');
  });

  it('replay through a fresh f32 policy reproduces every output bit for bit', async () => {
    const r = await replay(file, compile(model, { backend: 'f32' }));
    expect(r.steps).toBe(STEPS);
    expect(r.compared).toBe(STEPS);
    expect(r.mismatches).toBe(0);
    expect(r.maxAbsDiff).toBe(0);
    for (let k = 0; k < STEPS; k++) {
      for (let j = 0; j < OUT; j++) expect(Object.is(r.outputs[k * OUT + j], truth.y[k][j])).toBe(true);
    }
  });

  it('replay with the model attached to the recording is also exact', async () => {
    const rec = await readRecording(file);
    const r = await replay(rec, compile(recordedModel(rec), { backend: rec.meta.get('backend') as 'f32' }));
    expect(r.mismatches).toBe(0);
  });

  it('replay with a different backend is reported as mismatches, not silently equal', async () => {
    const r = await replay(file, compile(model, { backend: 'ref' }));
    expect(r.compared).toBe(STEPS);
    expect(r.mismatches).toBeGreaterThan(0);
    expect(r.maxAbsDiff).toBeGreaterThan(0);
    expect(r.maxAbsDiff).toBeLessThan(1e-4);
  });
});

describe('MCAP recorder edge cases', () => {
  it('records mid-run resets and replays them exactly', async () => {
    const file = join(dir, 'reset.mcap');
    const truth = await recordRun(file, compile(model, { backend: 'f32' }), { resetAt: 123 });
    const rec = await readRecording(file);
    expect(rec.inputs.filter((i) => i.reset).map((i) => i.step)).toEqual([...truth.resets]);
    const r = await replay(rec, compile(model, { backend: 'f32' }));
    expect(r.mismatches).toBe(0);
  });

  it('drops (and counts) records rather than grow past its buffer, and still writes a valid file', async () => {
    const file = join(dir, 'small.mcap');
    const rec = await makeRecorder(file, { model, bufferBytes: 8 * 1024, startTimeNs: START_NS });
    const x = new Float64Array(IN);
    let accepted = 0;
    for (let k = 0; k < 2000; k++) if (rec.writeInput(k * 0.01, x)) accepted++;
    expect(rec.counters.dropped.input).toBe(2000 - accepted);
    expect(rec.counters.dropped.input).toBeGreaterThan(0);
    await rec.close();
    await rec.close(); // idempotent
    const back = await readRecording(file);
    expect(back.inputs.length).toBe(accepted);
    expect(back.contiguousSteps).toBe(accepted); // the first ones got in, the tail was dropped
    expect(back.inputs[1].dtS).toBeCloseTo(0.01, 12);
    expect(back.inputs[0].dtS).toBe(1);
    expect(rec.writeInput(99, x)).toBe(false);
    expect(rec.counters.dropped.input).toBe(2001 - accepted);
  });

  it('a gap (dropped inputs) stops replay there instead of replaying a wrong history', async () => {
    const file = join(dir, 'gap.mcap');
    const policy = compile(model, { backend: 'f32' });
    const rec = await makeRecorder(file, { model, bufferBytes: 8 * 1024, startTimeNs: START_NS });
    const x = new Float64Array(IN);
    const y = new Float64Array(OUT);
    policy.reset();
    for (let k = 0; k < 300; k++) {
      x.fill(Math.cos(k / 10));
      rec.writeInput(k / 50, x, 0.02);
      policy.step(x, 0.02, y);
      rec.writeOutput(k / 50, k, y);
      if (k % 100 === 99) await rec.flush(); // the disk catches up now and then
    }
    await rec.close();
    expect(rec.counters.dropped.input).toBeGreaterThan(0);
    const back = await readRecording(file);
    expect(back.contiguousSteps).toBeLessThan(back.inputs.length);
    const r = await replay(back, compile(model, { backend: 'f32' }));
    expect(r.complete).toBe(false);
    expect(r.steps).toBe(back.contiguousSteps);
    expect(r.compared).toBeGreaterThan(0);
    expect(r.mismatches).toBe(0);
  });

  it('recover salvages the complete chunks of a recording that was never closed', async () => {
    const file = join(dir, 'killed.mcap');
    const rec = await makeRecorder(file, { model, chunkBytes: 4096, startTimeNs: START_NS });
    const x = new Float64Array(IN);
    for (let k = 0; k < 500; k++) {
      x.fill(k);
      rec.writeInput(k / 50, x, 0.02);
    }
    await rec.flush(); // as if SIGKILL came now: no close(), so no summary or footer
    const bytes = readFileSync(file);
    const cut = join(dir, 'killed-cut.mcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    for (const f of [cut]) {
      const err = await readRecording(f).then(() => null, (e: unknown) => e);
      expect((err as LnnError).code).toBe('LNN_E_FORMAT');
      const back = await readRecording(f, { recover: true });
      expect(back.recovered).toBe(true);
      expect(back.inputs.length).toBeGreaterThan(100);
      expect(back.inputs.length).toBeLessThan(500);
      expect(back.contiguousSteps).toBe(back.inputs.length);
      back.inputs.forEach((inp, k) => expect(inp.x[0]).toBe(k));
    }
    await rec.close();
    const whole = await readRecording(file);
    expect(whole.inputs.length).toBe(500);
    expect(whole.recovered).toBe(false);
  });

  it('does not block: a write call returns before anything reaches the disk', async () => {
    const file = join(dir, 'async.mcap');
    const rec = await makeRecorder(file, { model, startTimeNs: START_NS });
    const x = new Float64Array(IN).fill(1);
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < 1000; k++) rec.writeInput(k * 0.02, x, 0.02);
    const perCallNs = Number(process.hrtime.bigint() - t0) / 1000;
    expect(perCallNs).toBeLessThan(50_000);
    await rec.close();
    expect((await readRecording(file)).inputs.length).toBe(1000);
  });

  it('a missing, truncated or corrupt file gives a coded LnnError', async () => {
    const good = join(dir, 'run.mcap');
    const bytes = readFileSync(good);
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['magic only', bytes.subarray(0, 8)],
      ['half', bytes.subarray(0, bytes.length >> 1)],
      ['no footer', bytes.subarray(0, bytes.length - 10)],
      ['text', new TextEncoder().encode('{"format":"lnn-model/1"}\n')],
    ];
    const flipped = Uint8Array.from(bytes);
    for (let i = 200; i < flipped.length - 200; i += 997) flipped[i] ^= 0x5a;
    cases.push(['flipped bytes', flipped]);
    const summaryHit = Uint8Array.from(bytes);
    for (let i = bytes.length - 300; i < bytes.length - 30; i += 7) summaryHit[i] ^= 0xff;
    cases.push(['corrupt summary', summaryHit]);
    for (const [name, data] of cases) {
      const f = join(dir, `bad-${name.replace(/ /g, '-')}.mcap`);
      writeFileSync(f, data);
      const err = await readRecording(f).then(() => null, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(LnnError);
      expect(['LNN_E_FORMAT', 'LNN_E_FILE_READ'], name).toContain((err as LnnError).code);
    }
    for (const [name, data] of cases.slice(0, 2).concat([cases[4]])) {
      const f = join(dir, `bad-${name.replace(/ /g, '-')}.mcap`);
      const err = await readRecording(f, { recover: true }).then(() => null, (e: unknown) => e);
      expect((err as LnnError).code, `recover ${name}`).toBe('LNN_E_FORMAT');
      void data;
    }
    const missing = await readRecording(join(dir, 'nope.mcap')).then(() => null, (e: unknown) => e);
    expect((missing as LnnError).code).toBe('LNN_E_FILE_NOT_FOUND');
  });

  it('an unwritable path gives LNN_E_FILE_WRITE', async () => {
    const err = await makeRecorder(join(dir, 'no', 'such', 'dir.mcap'), { model }).then(() => null, (e: unknown) => e);
    expect((err as LnnError).code).toBe('LNN_E_FILE_WRITE');
  });
});
