// Options of the MQTT adapter, checked and converted once (house style 12): topic names, QoS per
// topic, reconnect backoff, TLS files read into memory. Everything downstream reads `MqttConfig`.

import { readFileSync } from 'node:fs';
import { LnnError } from '../../errors.ts';
import type { IoMapping } from '../types.ts';

export type Qos = 0 | 1;

export interface MqttTlsOptions {
  /** PEM file paths: the CA that signed the broker's certificate, and a client certificate + key. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** check the broker's certificate against `ca` (default true; false only on a bench). */
  readonly rejectUnauthorized?: boolean;
  /** name to check the certificate against when it differs from the URL's host. */
  readonly servername?: string;
}

export interface MqttOptions {
  /** topic prefix `lnn/<robotId>/`; default `mapping.robotId`, else `robot`. */
  readonly robotId?: string;
  /** embedded broker (when no URL is given): port on 127.0.0.1, default 1883; 0 picks a free one. */
  readonly port?: number;
  /** embedded broker bind address, default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** default `lnn-<robotId>-<random>`. */
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: MqttTlsOptions;
  /** QoS per topic. Defaults: in 0, out 0 (the latest value matters, not every one), cmd 1, status 1. */
  readonly qos?: { readonly in?: Qos; readonly out?: Qos; readonly cmd?: Qos; readonly status?: Qos };
  /** larger payloads are malformed, dropped before decoding. Default 64 KiB. */
  readonly maxPayloadBytes?: number;
  /** MQTT keepalive, seconds: how fast a silently dead broker is noticed. Default 5. */
  readonly keepaliveS?: number;
  /** per attempt: TCP + CONNACK within this, else retry. Default 5. */
  readonly connectTimeoutS?: number;
  /** `start()` rejects if no connection within this. 0: resolve at once and keep retrying. Default 10. */
  readonly startTimeoutS?: number;
  /** reconnect delay doubles from min to max (±20 % jitter). Defaults 0.2 and 5. */
  readonly reconnectMinS?: number;
  readonly reconnectMaxS?: number;
  /** retained status is republished at this period even when nothing changed. Default 1. */
  readonly statusPeriodS?: number;
  /** QoS 1 publishes awaiting their ack; beyond this, new outputs are dropped. Default 64. */
  readonly maxInflight?: number;
  /** diagnostics (connection up/down, first malformed message of a burst); default silent. */
  readonly log?: (line: string) => void;
}

/** One subscribed input topic: the whole vector (`field` undefined) or one mapped field. */
export interface InputRoute {
  readonly topic: string;
  readonly size: number;
  readonly field: number | undefined;
}

/** One published output topic: y[offset, offset + size), `out` being the whole vector. */
export interface OutputRoute {
  readonly topic: string;
  readonly offset: number;
  readonly size: number;
}

export interface MqttConfig {
  readonly robotId: string;
  readonly prefix: string;
  readonly topics: { readonly in: string; readonly out: string; readonly status: string; readonly cmd: string };
  readonly inputs: readonly InputRoute[];
  readonly outputs: readonly OutputRoute[];
  readonly qos: { readonly in: Qos; readonly out: Qos; readonly cmd: Qos; readonly status: Qos };
  readonly port: number;
  readonly host: string;
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean; servername?: string } | undefined;
  readonly maxPayloadBytes: number;
  readonly keepaliveS: number;
  readonly connectTimeoutS: number;
  readonly startTimeoutS: number;
  readonly reconnectMinS: number;
  readonly reconnectMaxS: number;
  readonly statusPeriodS: number;
  readonly maxInflight: number;
  readonly log: (line: string) => void;
}

const usage = (field: string, detail: string): LnnError => new LnnError('LNN_E_USAGE', detail, { field: `mqtt.${field}` });

function num(v: number | undefined, dflt: number, field: string, min: number, max: number): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x < min || x > max) throw usage(field, `must be a number in [${min}, ${max}], got ${x}`);
  return x;
}

function qos(v: Qos | undefined, dflt: Qos, field: string): Qos {
  const q = v ?? dflt;
  if (q !== 0 && q !== 1) throw usage(`qos.${field}`, `must be 0 or 1, got ${String(q)}`);
  return q;
}

/** A mapping's topic: '' = the default topic, `/a/b` = absolute `a/b`, `a` = `<prefix>a`. */
function topicOf(prefix: string, t: string, field: string): string {
  const full = t.startsWith('/') ? t.slice(1) : `${prefix}${t}`;
  if (full === '' || full.endsWith('/') || /[+#\u0000]/.test(full)) throw usage(field, `"${t}" is not a valid MQTT topic name`);
  return full;
}

function readPem(path: string | undefined, field: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'LNN_E_FILE_NOT_FOUND' : 'LNN_E_FILE_READ';
    throw new LnnError(code, `TLS ${field} file cannot be read: ${(e as Error).message}`, { file: path, field: `mqtt.tls.${field}` });
  }
}

export function resolveMqttConfig(mapping: IoMapping, opts: MqttOptions): MqttConfig {
  const robotId = opts.robotId ?? (mapping.robotId !== '' ? mapping.robotId : 'robot');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(robotId)) throw usage('robotId', `"${robotId}" must be 1-64 of A-Z a-z 0-9 _ . -`);
  const prefix = `lnn/${robotId}/`;
  const topics = { in: `${prefix}in`, out: `${prefix}out`, status: `${prefix}status`, cmd: `${prefix}cmd` };
  const taken = new Set<string>(Object.values(topics));

  const inputs: InputRoute[] = [{ topic: topics.in, size: mapping.inputSize, field: undefined }];
  mapping.inputs.forEach((f, i) => {
    if (f.topic === '') return;
    const topic = topicOf(prefix, f.topic, `inputs[${i}].topic`);
    if (taken.has(topic)) throw usage(`inputs[${i}].topic`, `topic ${topic} is already in use`);
    taken.add(topic);
    inputs.push({ topic, size: f.size, field: i });
  });
  const outputs: OutputRoute[] = [{ topic: topics.out, offset: 0, size: mapping.outputSize }];
  mapping.outputs.forEach((f, i) => {
    if (f.topic === '') return;
    const topic = topicOf(prefix, f.topic, `outputs[${i}].topic`);
    if (taken.has(topic)) throw usage(`outputs[${i}].topic`, `topic ${topic} is already in use`);
    taken.add(topic);
    outputs.push({ topic, offset: f.offset, size: f.size });
  });

  const q = opts.qos ?? {};
  const t = opts.tls;
  const reconnectMinS = num(opts.reconnectMinS, 0.2, 'reconnectMinS', 0.001, 3600);
  return {
    robotId, prefix, topics, inputs, outputs,
    qos: { in: qos(q.in, 0, 'in'), out: qos(q.out, 0, 'out'), cmd: qos(q.cmd, 1, 'cmd'), status: qos(q.status, 1, 'status') },
    port: num(opts.port, 1883, 'port', 0, 65535),
    host: opts.host ?? '127.0.0.1',
    clientId: opts.clientId ?? `lnn-${robotId}-${Math.random().toString(16).slice(2, 10)}`,
    username: opts.username,
    password: opts.password,
    tls: t === undefined ? undefined : {
      ca: readPem(t.ca, 'ca'), cert: readPem(t.cert, 'cert'), key: readPem(t.key, 'key'),
      rejectUnauthorized: t.rejectUnauthorized ?? true, ...(t.servername !== undefined ? { servername: t.servername } : {}),
    },
    maxPayloadBytes: num(opts.maxPayloadBytes, 64 * 1024, 'maxPayloadBytes', 16, 256 * 1024 * 1024),
    keepaliveS: num(opts.keepaliveS, 5, 'keepaliveS', 1, 65535),
    connectTimeoutS: num(opts.connectTimeoutS, 5, 'connectTimeoutS', 0.1, 3600),
    startTimeoutS: num(opts.startTimeoutS, 10, 'startTimeoutS', 0, 3600),
    reconnectMinS,
    reconnectMaxS: num(opts.reconnectMaxS, Math.max(5, reconnectMinS), 'reconnectMaxS', reconnectMinS, 3600),
    statusPeriodS: num(opts.statusPeriodS, 1, 'statusPeriodS', 0.1, 3600),
    maxInflight: num(opts.maxInflight, 64, 'maxInflight', 1, 65535),
    log: opts.log ?? ((): void => undefined),
  };
}
