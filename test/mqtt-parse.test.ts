// MQTT adapter without a broker (or with only the embedded one): payload parsing, output format,
// option checking, and the adapter's behaviour when it cannot reach a broker.

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LnnError } from '../src/errors.ts';
import { formatOutput, makeMqttIo, parseCommand, parseInput } from '../src/io/mqtt/index.ts';
import { resolveMqttConfig } from '../src/io/mqtt/options.ts';
import type { IoMapping } from '../src/io/types.ts';
import { EchoLoop, echoMapping, freePort } from './helpers/broker.ts';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const why = (r: { ok: boolean; why?: string }): string => (r.ok ? 'ok' : (r.why as string));

describe('parseInput', () => {
  it('accepts {t, x} with finite numbers of the mapped length, ignoring other keys', () => {
    expect(parseInput(b('{"t":1.5,"x":[1,-2.5,3e2],"frame":"base"}'), 3, 1024)).toEqual({ ok: true, value: { tS: 1.5, x: [1, -2.5, 300] } });
  });

  it.each([
    ['not json', 'not JSON'],
    ['', 'not JSON'],
    ['[1,2,3]', 'not a JSON object'],
    ['null', 'not a JSON object'],
    ['{"x":[1,2,3]}', '"t" is not a finite number'],
    ['{"t":"1","x":[1,2,3]}', '"t" is not a finite number'],
    ['{"t":1e999,"x":[1,2,3]}', '"t" is not a finite number'],
    ['{"t":0,"x":{"0":1}}', '"x" is not an array'],
    ['{"t":0,"x":[1,2]}', '"x" has 2 values, expected 3'],
    ['{"t":0,"x":[1,"NaN",3]}', '"x"[1] is not a finite number'],
    ['{"t":0,"x":[1,2,null]}', '"x"[2] is not a finite number'],
    ['{"t":0,"x":[-1e999,2,3]}', '"x"[0] is not a finite number'],
    ['{"t":0,"x":[1,[2],3]}', '"x"[1] is not a finite number'],
    ['{"t":0,"x":[1,2,3],}', 'not JSON'],
  ])('refuses %s', (payload, reason) => {
    expect(why(parseInput(b(payload), 3, 1024))).toBe(reason);
  });

  it('refuses a payload over the size cap before parsing it', () => {
    const big = JSON.stringify({ t: 0, x: [1, 2, 3], pad: 'x'.repeat(2000) });
    expect(why(parseInput(b(big), 3, 1024))).toMatch(/over the 1024-byte cap/);
  });
});

describe('parseCommand', () => {
  it.each(['arm', 'disarm', 'estop', 'reset'])('accepts %s', (cmd) => {
    expect(parseCommand(b(JSON.stringify({ cmd })), 1024)).toEqual({ ok: true, value: cmd });
  });
  it.each(['arm', '"arm"', '{"cmd":"ARM"}', '{"cmd":"launch"}', '{"cmd":null}', '{}', '{"command":"arm"}'])('refuses %s', (p) => {
    expect(parseCommand(b(p), 1024).ok).toBe(false);
  });
});

describe('formatOutput', () => {
  it('writes {t, seq, y} for a slice, exactly', () => {
    const y = new Float64Array([0.25, -1, 3]);
    expect(formatOutput(1.5, 7, y, 0, 3, false)).toBe('{"t":1.5,"seq":7,"y":[0.25,-1,3]}');
    expect(formatOutput(1.5, 7, y, 1, 2, true)).toBe('{"t":1.5,"seq":7,"y":[-1,3],"failsafe":true}');
    expect(JSON.parse(formatOutput(0, 0, new Float64Array([0.1 + 0.2]), 0, 1, false) as string).y[0]).toBe(0.1 + 0.2);
  });
  it('refuses non-finite values rather than write invalid JSON', () => {
    expect(formatOutput(0, 0, new Float64Array([1, NaN]), 0, 2, false)).toBeNull();
    expect(formatOutput(Infinity, 0, new Float64Array([1]), 0, 1, false)).toBeNull();
  });
});

function fieldMapping(): IoMapping {
  const m = echoMapping(3, 'rover-7');
  return {
    ...m,
    inputs: [{ ...m.inputs[0]!, size: 2, topic: 'imu' }, { ...m.inputs[0]!, name: 'range', size: 1, offset: 2, topic: '/sensors/range' }],
    outputs: [{ ...m.outputs[0]!, size: 1, topic: 'steer' }, { ...m.outputs[0]!, name: 'v', size: 2, offset: 1, topic: '' }],
  };
}

describe('resolveMqttConfig', () => {
  it('names topics under lnn/<robot>/ and routes mapped fields', () => {
    const c = resolveMqttConfig(fieldMapping(), {});
    expect(c.topics).toEqual({ in: 'lnn/rover-7/in', out: 'lnn/rover-7/out', status: 'lnn/rover-7/status', cmd: 'lnn/rover-7/cmd' });
    expect(c.inputs).toEqual([
      { topic: 'lnn/rover-7/in', size: 3, field: undefined },
      { topic: 'lnn/rover-7/imu', size: 2, field: 0 },
      { topic: 'sensors/range', size: 1, field: 1 },
    ]);
    expect(c.outputs).toEqual([{ topic: 'lnn/rover-7/out', offset: 0, size: 3 }, { topic: 'lnn/rover-7/steer', offset: 0, size: 1 }]);
    expect(c.qos).toEqual({ in: 0, out: 0, cmd: 1, status: 1 });
    expect(resolveMqttConfig(echoMapping(1, ''), {}).robotId).toBe('robot');
    expect(resolveMqttConfig(fieldMapping(), { robotId: 'r2', qos: { out: 1 } }).qos.out).toBe(1);
  });

  const code = (f: () => unknown): string => {
    try { f(); } catch (e) { return (e as LnnError).code; }
    return 'none';
  };
  it('refuses bad options with a stable code', () => {
    expect(code(() => resolveMqttConfig(echoMapping(1), { robotId: 'a/b' }))).toBe('LNN_E_USAGE');
    expect(code(() => resolveMqttConfig(echoMapping(1), { qos: { in: 2 as 0 } }))).toBe('LNN_E_USAGE');
    expect(code(() => resolveMqttConfig(echoMapping(1), { reconnectMinS: 0 }))).toBe('LNN_E_USAGE');
    expect(code(() => resolveMqttConfig(echoMapping(1), { tls: { ca: '/nonexistent/ca.pem' } }))).toBe('LNN_E_FILE_NOT_FOUND');
    const m = fieldMapping();
    expect(code(() => resolveMqttConfig({ ...m, inputs: [{ ...m.inputs[0]!, topic: 'out' }] }, {}))).toBe('LNN_E_USAGE');
    expect(code(() => resolveMqttConfig({ ...m, inputs: [{ ...m.inputs[0]!, topic: 'a/#' }] }, {}))).toBe('LNN_E_USAGE');
    expect(code(() => makeMqttIo('http://example.com', echoMapping(1)))).toBe('LNN_E_USAGE');
    expect(code(() => makeMqttIo('not a url', echoMapping(1)))).toBe('LNN_E_USAGE');
  });
});

describe('adapter without a reachable broker', () => {
  it('rejects start() with an LnnError after startTimeoutS, and counts writes as dropped', async () => {
    const port = await freePort();
    const io = makeMqttIo(`mqtt://127.0.0.1:${port}`, echoMapping(2), { startTimeoutS: 0.5, reconnectMinS: 0.05 });
    io.output.write(new Float64Array([1, 2]), 0, 0);
    expect(io.output.counters).toEqual({ received: 1, dropped: 1, malformed: 0 });
    const err = await io.output.start().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(LnnError);
    expect((err as LnnError).message).toMatch(/no MQTT connection to mqtt:\/\/127\.0\.0\.1:\d+ within 0\.5 s \(last error: .*ECONNREFUSED/);
    expect(io.connected).toBe(false);
    await io.close();
  });

  it('with startTimeoutS 0, starts at once and keeps trying in the background', async () => {
    const io = makeMqttIo(`mqtt://127.0.0.1:${await freePort()}`, echoMapping(2), { startTimeoutS: 0, reconnectMinS: 0.05 });
    const loop = new EchoLoop(io.output, 2);
    await io.output.start();
    await io.input.start(loop);
    expect(io.output.connected).toBe(false);
    io.output.failsafe(); // nothing to send to, and no throw
    await io.close();
  });

  it('close() during start() ends the wait at once', async () => {
    const io = makeMqttIo(`mqtt://127.0.0.1:${await freePort()}`, echoMapping(2), { startTimeoutS: 600, reconnectMinS: 0.05 });
    const started = io.output.start().then(() => 'started', (e: unknown) => (e as Error).message);
    await io.close();
    expect(await started).toMatch(/stopped before it connected/);
  });

  it('refuses an embedded-broker port that is taken', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as { port: number }).port;
    const io = makeMqttIo(null, echoMapping(1), { port });
    await expect(io.output.start()).rejects.toThrow(/embedded MQTT broker cannot listen on 127\.0\.0\.1:\d+/);
    await io.close();
    await new Promise<void>((r) => s.close(() => r()));
  });
});
