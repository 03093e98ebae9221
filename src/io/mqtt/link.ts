// One MQTT connection shared by the adapter's sources and sink: the embedded broker when no URL is
// given, the mqtt.js client, reconnects with bounded exponential backoff, subscriptions that survive
// reconnects, and publishing that never queues: while the link is down, or while the socket or the
// QoS 1 window is full, a publish is refused and the caller counts it dropped.
//
// mqtt.js's own reconnect is a fixed-period interval, so it is off (`reconnectPeriod: 0`) and this
// file schedules `client.reconnect()` itself. `reconnect()` gives the client fresh stores, so QoS 1
// messages caught in flight by an outage are dropped, not replayed later as stale commands.

import type { IClientOptions, MqttClient } from 'mqtt';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { LnnError } from '../../errors.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded.ts';
import type { MqttConfig, Qos } from './options.ts';

/** The last will, and what a clean stop publishes: DESIGN.md §6. */
export const OFFLINE_STATUS = '{"state":"offline"}';

/** Bytes waiting in the socket beyond which a publish is dropped (a stalled broker, before keepalive notices). */
const MAX_BUFFERED_BYTES = 256 * 1024;

/** `retained`: the broker replayed a stored message on subscribe, it is not a fresh one. */
/** How long a clean disconnect may take before the socket is simply destroyed. */
const CLOSE_WAIT_MS = 2000;

/** true if `p` settled within `ms`. */
async function within(ms: number, p: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), ms); });
  const ok = await Promise.race([p.then(() => true), late]);
  clearTimeout(timer);
  return ok;
}

const stoppedEarly = (): LnnError => new LnnError('LNN_E_USAGE', 'the MQTT adapter was stopped before it connected', { field: 'mqtt' });

type Handler = (payload: Buffer, retained: boolean) => void;

export interface LinkCounters {
  /** successful connections, the first included. */
  connects: number;
  /** times an established connection was lost. */
  disconnects: number;
  /** publishes refused: link down, socket backed up, or QoS 1 window full. */
  refused: number;
}

export class MqttLink {
  /** the broker actually used (`mqtt://127.0.0.1:<port>` for the embedded one); '' before `open()`. */
  url: string;
  connected = false;
  readonly counters: LinkCounters = { connects: 0, disconnects: 0, refused: 0 };
  private client: MqttClient | null = null;
  private broker: EmbeddedBroker | null = null;
  private opening: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly subs = new Map<string, { qos: Qos; handler: Handler }>();
  private readonly listeners = new Set<(up: boolean) => void>();
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  /** QoS 1 publishes awaiting their ack, of the current connection (`gen`) only. */
  private inflight = 0;
  private gen = 0;
  private lastError = '';
  private preparing: Promise<unknown> | null = null;
  /** rejects a `start()` still waiting for its first connection when the adapter is closed. */
  private abortStart: (() => void) | null = null;

  constructor(private readonly cfg: MqttConfig, url: string | null) {
    this.url = url ?? '';
  }

  /** Starts the embedded broker if any, connects; idempotent. See `MqttOptions.startTimeoutS`. */
  open(): Promise<void> {
    this.opening ??= this.doOpen().catch(async (e: unknown) => {
      await this.close();
      throw e;
    });
    return this.opening;
  }

  /** Called with true on every (re)connection, false on every loss. */
  onLink(cb: (up: boolean) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  subscribe(topic: string, qos: Qos, handler: Handler): void {
    this.subs.set(topic, { qos, handler });
    if (this.connected) this.client?.subscribe(topic, { qos }, this.subscribed);
  }

  unsubscribe(topic: string): void {
    if (!this.subs.delete(topic)) return;
    if (this.connected) this.client?.unsubscribe(topic);
  }

  /** Publishes now or not at all; false (counted in `refused`) when it cannot go out now. */
  publish(topic: string, payload: string, qos: Qos, retain: boolean): boolean {
    const c = this.client;
    if (c === null || !this.connected || !c.connected) return this.refuse();
    if (((c.stream as Writable | undefined)?.writableLength ?? 0) > MAX_BUFFERED_BYTES) return this.refuse();
    if (qos === 0) {
      c.publish(topic, payload, { qos: 0, retain });
      return true;
    }
    if (this.inflight >= this.cfg.maxInflight) return this.refuse();
    const gen = this.gen;
    this.inflight++;
    c.publish(topic, payload, { qos: 1, retain }, () => {
      if (gen === this.gen) this.inflight--;
    });
    return true;
  }

  /** Publishes `payload` (e.g. the offline status) and waits until it is written, then disconnects cleanly. */
  close(finalTopic?: string, finalPayload?: string): Promise<void> {
    this.closing ??= (async () => {
      if (this.retryTimer !== null) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.abortStart?.();
      // A close during start-up waits for the broker and the import, so neither is left behind.
      await this.preparing?.catch(() => undefined);
      const c = this.client;
      if (c !== null) {
        // A broker that hangs without closing would hold a clean goodbye forever: bounded, then forced.
        if (finalTopic !== undefined && finalPayload !== undefined && this.connected) {
          await within(CLOSE_WAIT_MS, new Promise<void>((r) => c.publish(finalTopic, finalPayload, { qos: 0, retain: true }, () => r())));
        }
        this.connected = false;
        const clean = await within(CLOSE_WAIT_MS, new Promise<void>((r) => c.end(!c.connected, {}, () => r())));
        if (!clean) await new Promise<void>((r) => c.end(true, {}, () => r()));
      }
      await this.broker?.close();
    })();
    return this.closing;
  }

  private readonly subscribed = (err: Error | null | undefined): void => {
    if (err) this.cfg.log(`mqtt: subscribe failed: ${err.message}`);
  };

  private refuse(): false {
    this.counters.refused++;
    return false;
  }

  /** The embedded broker (if any) and mqtt.js, loaded lazily so `lnn` starts fast without them. */
  private async prepare(): Promise<typeof import('mqtt').connect> {
    const cfg = this.cfg;
    if (this.url === '') {
      this.broker = await startEmbeddedBroker(cfg.host, cfg.port);
      this.url = this.broker.url;
      cfg.log(`mqtt: embedded broker on ${this.url}`);
    }
    return (await import('mqtt')).connect;
  }

  private async doOpen(): Promise<void> {
    const cfg = this.cfg;
    const prepared = this.prepare();
    this.preparing = prepared;
    const connect = await prepared;
    if (this.closing !== null) throw stoppedEarly();
    const opts: IClientOptions = {
      clientId: cfg.clientId,
      protocolVersion: 4,
      clean: true,
      keepalive: cfg.keepaliveS,
      connectTimeout: cfg.connectTimeoutS * 1000,
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      will: { topic: cfg.topics.status, payload: Buffer.from(OFFLINE_STATUS), qos: cfg.qos.status, retain: true },
      ...(cfg.username !== undefined ? { username: cfg.username } : {}),
      ...(cfg.password !== undefined ? { password: cfg.password } : {}),
      ...(cfg.tls ?? {}),
    };
    let client: MqttClient;
    try {
      client = connect(this.url, opts);
    } catch (e) {
      throw new LnnError('LNN_E_USAGE', `bad MQTT broker URL "${this.url}": ${(e as Error).message}`, { field: 'mqtt.url' });
    }
    this.client = client;
    client.on('connect', () => this.up());
    client.on('close', () => this.down());
    client.on('error', (e) => { this.lastError = e.message; });
    client.on('message', (topic, payload, packet) => this.subs.get(topic)?.handler(payload, packet.retain));
    if (cfg.startTimeoutS === 0) return;
    await this.firstConnection(client);
  }

  /** Resolves on the first CONNACK; rejects on a refusal (bad credentials will not get better) or the timeout. */
  private firstConnection(client: MqttClient): Promise<void> {
    const { startTimeoutS } = this.cfg;
    return new Promise<void>((resolve, reject) => {
      const done = (e?: LnnError): void => {
        this.abortStart = null;
        clearTimeout(timer);
        client.off('connect', ok);
        client.off('error', refused);
        if (e === undefined) resolve();
        else reject(e);
      };
      const ok = (): void => done();
      const refused = (e: Error & { code?: unknown }): void => {
        if (typeof e.code === 'number') done(new LnnError('LNN_E_USAGE', `MQTT broker ${this.url} refused the connection: ${e.message}`, { field: 'mqtt' }));
      };
      const timer = setTimeout(() => done(new LnnError('LNN_E_USAGE',
        `no MQTT connection to ${this.url} within ${startTimeoutS} s${this.lastError !== '' ? ` (last error: ${this.lastError})` : ''}`, { field: 'mqtt.url' })),
      startTimeoutS * 1000);
      this.abortStart = () => done(stoppedEarly());
      client.on('connect', ok);
      client.on('error', refused);
    });
  }

  private up(): void {
    // Nagle + delayed ACK hold a multi-segment message (a camera frame) for ~40 ms: turn it off.
    (this.client?.stream as Partial<Socket> | undefined)?.setNoDelay?.(true);
    this.connected = true;
    this.attempt = 0;
    this.gen++;
    this.inflight = 0;
    this.counters.connects++;
    this.cfg.log(`mqtt: connected to ${this.url}`);
    const c = this.client as MqttClient;
    if (this.subs.size > 0) {
      const map: Record<string, { qos: Qos }> = {};
      for (const [topic, s] of this.subs) map[topic] = { qos: s.qos };
      c.subscribe(map, this.subscribed);
    }
    for (const cb of this.listeners) cb(true);
  }

  private down(): void {
    if (this.connected) {
      this.connected = false;
      this.counters.disconnects++;
      this.cfg.log(`mqtt: lost ${this.url}${this.lastError !== '' ? ` (${this.lastError})` : ''}`);
      for (const cb of this.listeners) cb(false);
    }
    if (this.closing !== null || this.retryTimer !== null) return;
    // min·2^attempt, capped, ±20 % jitter so a fleet does not reconnect in lockstep.
    const { reconnectMinS: lo, reconnectMaxS: hi } = this.cfg;
    const delayS = Math.min(hi, lo * 2 ** Math.min(this.attempt, 30)) * (0.8 + 0.4 * Math.random());
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.closing === null) this.client?.reconnect();
    }, delayS * 1000);
  }
}
