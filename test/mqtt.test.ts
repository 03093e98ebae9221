// The MQTT adapter against a real mosquitto and against the embedded aedes broker, with
// mosquitto_pub / mosquitto_sub as independent clients and an echo loop (y = 2x) in place of the
// control loop. No timed assertions: every wait is for an event, with a generous timeout.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMqttIo, type MqttIo, type MqttOptions } from '../src/io/mqtt/index.ts';
import {
  EchoLoop, echoMapping, loopStatus, mosquittoAvailable, publish, stopClients, startMosquitto, subscribe, waitFor, type Mosquitto,
} from './helpers/broker.ts';

const HAVE = mosquittoAvailable();
const FAST: MqttOptions = { reconnectMinS: 0.05, reconnectMaxS: 0.5, statusPeriodS: 0.2, keepaliveS: 2 };
const N = 3;

interface Rig { io: MqttIo; loop: EchoLoop; port: number }

async function startRig(url: string | null, opts: MqttOptions = {}): Promise<Rig> {
  const io = makeMqttIo(url, echoMapping(N, opts.robotId ?? 'robot'), { ...FAST, port: 0, ...opts });
  const loop = new EchoLoop(io.output, N);
  await io.output.start();
  await Promise.all(io.sources.map((s) => s.start(loop)));
  return { io, loop, port: Number(new URL(io.url).port) };
}

const input = (i: number): string => JSON.stringify({ t: i / 100, x: [i, i + 0.5, 10 - i] });

/** Publishes inputs `from..to-1` and checks the echo outputs arrive in order with consecutive seq. */
async function roundTrip(r: Rig, from: number, to: number, seq0: number): Promise<void> {
  const sub = subscribe(r.port, 'lnn/robot/out', to - from);
  await sub.ready;
  const lines: string[] = [];
  for (let i = from; i < to; i++) lines.push(input(i));
  await publish(r.port, 'lnn/robot/in', lines);
  const got = await sub.done;
  got.forEach((m, k) => {
    const i = from + k;
    expect(JSON.parse(m.payload)).toEqual({ t: i / 100, seq: seq0 + k, y: [2 * i, 2 * i + 1, 20 - 2 * i] });
  });
}

/** The retained status a fresh subscriber sees first. */
async function freshStatus(port: number, robot = 'robot'): Promise<{ retained: boolean; doc: Record<string, unknown> }> {
  const sub = subscribe(port, `lnn/${robot}/status`, 1);
  const [m] = await sub.done;
  return { retained: m?.retained ?? false, doc: JSON.parse(m?.payload ?? 'null') as Record<string, unknown> };
}

/** A second adapter in its own process (robot id `child`), killed with SIGKILL: no DISCONNECT is sent. */
async function killedChildLeavesWill(url: string, port: number): Promise<void> {
  const mod = new URL('../src/io/mqtt/index.ts', import.meta.url).href;
  const code = `import { makeMqttIo } from '${mod}';
    const io = makeMqttIo('${url}', { inputs: [], outputs: [], inputSize: 0, outputSize: 0, watchdogS: 1, autoArm: false, robotId: 'child' }, {});
    await io.output.start(); process.stdout.write('up\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('up')) resolve(); });
    child.once('exit', (c) => reject(new Error(`child adapter exited ${String(c)}`)));
  });
  await waitFor('child online', async () => (await freshStatus(port, 'child')).doc.state === 'online');
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await gone;
  await waitFor('last will', async () => (await freshStatus(port, 'child')).doc.state === 'offline');
  const s = await freshStatus(port, 'child');
  expect(s).toEqual({ retained: true, doc: { state: 'offline' } });
}

for (const kind of ['mosquitto', 'aedes'] as const) {
  describe.skipIf(!HAVE)(`MQTT adapter on ${kind}`, () => {
    let broker: Mosquitto | null = null;
    let rig: Rig;

    beforeAll(async () => {
      if (kind === 'mosquitto') broker = await startMosquitto();
      rig = await startRig(broker?.url ?? null);
    });
    afterAll(async () => {
      await rig?.io.close();
      stopClients();
      await broker?.stop();
    });

    it('echoes inputs to outputs with consecutive sequence numbers', async () => {
      expect(rig.io.connected).toBe(true);
      await roundTrip(rig, 0, 40, 0);
      expect(rig.io.input.counters).toEqual({ received: 40, dropped: 0, malformed: 0 });
      expect(rig.io.output.counters).toEqual({ received: 40, dropped: 0, malformed: 0 });
    });

    it('counts and drops malformed inputs, and valid ones still flow', async () => {
      const before = rig.loop.samples.length;
      const bad = [
        'not json', '{"t":0,"x":[1,2', '[1,2,3]', '{"t":0,"x":[1,2]}', '{"t":0,"x":[1,2,3,4]}',
        '{"t":0,"x":[1,"NaN",3]}', '{"t":0,"x":[1,null,3]}', '{"t":0,"x":[1,2,1e999]}', '{"t":"0","x":[1,2,3]}',
        '{"x":[1,2,3]}', '{"t":0,"x":"1,2,3"}', JSON.stringify({ t: 0, x: [1, 2, 3], pad: 'a'.repeat(70_000) }),
      ];
      await publish(rig.port, 'lnn/robot/in', bad);
      await waitFor('malformed counted', () => rig.io.input.counters.malformed === bad.length);
      expect(rig.loop.samples.length).toBe(before);
      expect(rig.io.input.tally.lastMalformed).toMatch(/over the 65536-byte cap/);
      await roundTrip(rig, 100, 105, rig.loop.seq);
      expect(rig.io.input.counters.malformed).toBe(bad.length);
      await waitFor('status shows the count', async () => {
        const mq = (await freshStatus(rig.port)).doc.mqtt as { in: { malformed: number }; lastMalformed: string };
        return mq.in.malformed === bad.length && mq.lastMalformed !== '';
      });
    });

    it('parses commands, counts bad ones, ignores a retained one', async () => {
      const good = ['arm', 'disarm', 'estop', 'reset'].map((c) => JSON.stringify({ cmd: c }));
      const bad = ['arm', '{"cmd":"fly"}', '{"cmd":1}', '{}', '"estop"', '{"cmd":"ARM"}'];
      await publish(rig.port, 'lnn/robot/cmd', [...good, ...bad]);
      await waitFor('commands', () => rig.io.commands.counters.received === good.length + bad.length);
      expect(rig.loop.commands).toEqual(['arm', 'disarm', 'estop', 'reset']);
      expect(rig.io.commands.counters.malformed).toBe(bad.length);

      // A retained `arm` left on the broker must not arm a robot that connects later.
      await publish(rig.port, 'lnn/late/cmd', '{"cmd":"arm"}', { retain: true });
      const late = await startRig(broker?.url ?? rig.io.url, { robotId: 'late' });
      await waitFor('retained cmd dropped', () => late.io.commands.counters.dropped === 1);
      expect(late.loop.commands).toEqual([]);
      await publish(late.port, 'lnn/late/cmd', '', { retain: true }); // clear it
      await late.io.close();
    });

    it('keeps a retained status with the loop state, and a last will of offline', async () => {
      await waitFor('online', async () => (await freshStatus(rig.port)).doc.state === 'online');
      rig.io.output.status(loopStatus('armed'));
      await waitFor('armed', async () => (await freshStatus(rig.port)).doc.state === 'armed');
      const s = await freshStatus(rig.port);
      expect(s.retained).toBe(true);
      expect(s.doc).toMatchObject({ state: 'armed', reason: '', robot: 'robot', hz: 100, mqtt: { connected: true } });
      rig.io.output.status(loopStatus('failsafe', 'stale input x'));
      await waitFor('failsafe', async () => (await freshStatus(rig.port)).doc.reason === 'stale input x');
      await killedChildLeavesWill(rig.io.url, rig.port);
    });

    it('publishes offline on a clean stop', async () => {
      const other = await startRig(broker?.url ?? rig.io.url, { robotId: 'clean' });
      await waitFor('online', async () => (await freshStatus(rig.port, 'clean')).doc.state === 'online');
      await other.io.close();
      expect(await freshStatus(rig.port, 'clean')).toEqual({ retained: true, doc: { state: 'offline' } });
    });

    it('routes mapped fields with their own topics', async () => {
      const m = echoMapping(3, 'fields');
      const mapping = {
        ...m,
        inputs: [{ ...m.inputs[0]!, size: 2, topic: 'imu' }, { ...m.inputs[0]!, name: 'range', size: 1, offset: 2, topic: '/sensors/range' }],
        outputs: [{ ...m.outputs[0]!, size: 1, topic: 'steer' }, { ...m.outputs[0]!, name: 'v', size: 2, offset: 1, topic: '' }],
      };
      const io = makeMqttIo(broker?.url ?? rig.io.url, mapping, FAST);
      const pushes: [number, number[], number | undefined][] = [];
      const sink = { push: (t: number, x: ArrayLike<number>, f?: number) => pushes.push([t, Array.from(x), f]) > 0, command: () => undefined };
      await io.output.start();
      await io.input.start(sink);
      await publish(rig.port, 'lnn/fields/imu', ['{"t":1,"x":[0.5,0.25]}', '{"t":1,"x":[0.5]}']);
      await publish(rig.port, 'sensors/range', '{"t":2,"x":[7]}');
      await publish(rig.port, 'lnn/fields/in', '{"t":3,"x":[1,2,3]}');
      await waitFor('pushes', () => pushes.length === 3 && io.input.counters.malformed === 1);
      expect(pushes).toEqual([[1, [0.5, 0.25], 0], [2, [7], 1], [3, [1, 2, 3], undefined]]);
      const steer = subscribe(rig.port, 'lnn/fields/steer', 1);
      await steer.ready;
      io.output.write(new Float64Array([0.1, 2, 3]), 4, 0);
      expect((await steer.done).map((r) => JSON.parse(r.payload))).toEqual([{ t: 4, seq: 0, y: [0.1] }]);
      await io.close();
    });

    it.skipIf(kind === 'aedes')('survives the broker being killed and restarted', async () => {
      const b = broker as Mosquitto;
      const links: boolean[] = [];
      rig.io.onLink((up) => links.push(up));
      await roundTrip(rig, 200, 205, rig.loop.seq);
      await b.kill();
      await waitFor('disconnect noticed', () => !rig.io.output.connected);
      expect(rig.io.input.connected).toBe(false);
      // During the outage writes are dropped and counted, never queued.
      const dropped = rig.io.output.counters.dropped;
      const y = new Float64Array([9, 9, 9]);
      for (let k = 0; k < 100; k++) rig.io.output.write(y, 99, rig.loop.seq++);
      expect(rig.io.output.counters.dropped).toBe(dropped + 100);
      await b.restart();
      await waitFor('reconnect', () => rig.io.output.connected);
      expect(links).toEqual([false, true]);
      // Subscriptions were restored: inputs flow again, outputs carry on from the loop's seq.
      await roundTrip(rig, 300, 310, rig.loop.seq);
      await waitFor('status republished', async () => (await freshStatus(rig.port)).doc.state !== 'offline');
    });

    it.skipIf(kind === 'aedes')('notices a hung broker by keepalive, drops outputs meanwhile, and recovers', async () => {
      const b = broker as Mosquitto;
      const y = new Float64Array([1, 1, 1]);
      b.pause();
      // Outputs keep flowing from the loop; with no acks and no PINGRESP the keepalive runs out.
      const pump = setInterval(() => rig.io.output.write(y, 0, rig.loop.seq++), 5);
      try {
        await waitFor('hung broker noticed', () => !rig.io.output.connected, 60_000);
      } finally {
        clearInterval(pump);
        b.resume();
      }
      const dropped = rig.io.output.counters.dropped;
      rig.io.output.write(y, 0, rig.loop.seq++);
      expect(rig.io.output.counters.dropped).toBe(dropped + 1);
      await waitFor('reconnect', () => rig.io.output.connected, 60_000);
      await roundTrip(rig, 400, 405, rig.loop.seq);
    });
  });
}
