// The MQTT adapter against mosquitto with TLS (a throwaway CA made with openssl) and with a password
// file: the right CA or credentials connect, the wrong ones make start() reject with an LnnError.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LnnError } from '../src/errors.ts';
import { makeMqttIo, type MqttOptions } from '../src/io/mqtt/index.ts';
import { EchoLoop, echoMapping, mosquittoAvailable, publish, startMosquitto, stopClients, subscribe, type Mosquitto } from './helpers/broker.ts';

const HAVE = mosquittoAvailable();
const HAVE_OPENSSL = spawnSync('openssl', ['version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'lnn-mqtt-tls-'));
const f = (name: string): string => join(dir, name);

function run(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** mosquitto started as root drops to user `mosquitto`, which must be able to read these throwaway files. */
function shareDir(): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) chmodSync(f(name), 0o644);
}

/** A CA, and a server certificate it signed for IP 127.0.0.1. */
function makeCerts(): void {
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=lnn-test-ca']);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-out', f('server.crt'), '-days', '2', '-extfile', f('san.ext')]);
}

async function echoOnce(url: string, opts: MqttOptions, port: number, cli: readonly string[]): Promise<void> {
  const io = makeMqttIo(url, echoMapping(2), { startTimeoutS: 20, ...opts });
  const loop = new EchoLoop(io.output, 2);
  try {
    await io.output.start();
    await io.input.start(loop);
    const sub = subscribe(port, 'lnn/robot/out', 1, cli);
    await sub.ready;
    await publish(port, 'lnn/robot/in', '{"t":3,"x":[1,2]}', { extra: cli });
    const [m] = await sub.done;
    expect(JSON.parse(m?.payload ?? '')).toEqual({ t: 3, seq: 0, y: [2, 4] });
  } finally {
    await io.close();
  }
}

async function startError(url: string, opts: MqttOptions): Promise<LnnError> {
  const io = makeMqttIo(url, echoMapping(2), opts);
  const e = await io.output.start().then(() => null, (err: unknown) => err);
  await io.close();
  expect(e).toBeInstanceOf(LnnError);
  return e as LnnError;
}

afterAll(() => {
  stopClients();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAVE || !HAVE_OPENSSL)('MQTT over TLS (mosquitto)', () => {
  let broker: Mosquitto;
  let url: string;
  beforeAll(async () => {
    makeCerts();
    shareDir();
    broker = await startMosquitto({ tls: { cafile: f('ca.crt'), certfile: f('server.crt'), keyfile: f('server.key') } });
    url = `mqtts://127.0.0.1:${broker.port}`;
  });
  afterAll(async () => broker?.stop());

  it('connects with the CA and carries messages', async () => {
    await echoOnce(url, { tls: { ca: f('ca.crt') } }, broker.port, ['--cafile', f('ca.crt')]);
  });

  it('refuses a broker certificate it cannot verify', async () => {
    const e = await startError(url, { startTimeoutS: 1, reconnectMinS: 0.1 });
    expect(e.message).toMatch(/no MQTT connection .* \(last error: .*(self[- ]signed|unable to verify|certificate)/i);
  });

  it('accepts it anyway with rejectUnauthorized: false (bench use)', async () => {
    await echoOnce(url, { tls: { rejectUnauthorized: false } }, broker.port, ['--cafile', f('ca.crt')]);
  });
});

describe.skipIf(!HAVE)('MQTT with username and password (mosquitto)', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    run('mosquitto_passwd', ['-b', '-c', f('passwd'), 'lnn', 's3cret']);
    shareDir();
    broker = await startMosquitto({ passwordFile: f('passwd') });
  });
  afterAll(async () => broker?.stop());

  it('connects with the right credentials', async () => {
    await echoOnce(broker.url, { username: 'lnn', password: 's3cret' }, broker.port, ['-u', 'lnn', '-P', 's3cret']);
  });

  it('rejects start() at once on a refusal, naming it', async () => {
    const e = await startError(broker.url, { username: 'lnn', password: 'wrong', startTimeoutS: 60 });
    expect(e.message).toMatch(/refused the connection: .*(Bad username or password|Not authorized)/i);
  });
});
