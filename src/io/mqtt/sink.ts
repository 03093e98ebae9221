// The actuator sink of the MQTT adapter: `{"t", "seq", "y"}` on `lnn/<id>/out` (and on each mapped
// output field's own topic), and the retained status on `lnn/<id>/status`. Nothing is queued: while
// the broker is unreachable a write is dropped and counted, `connected` is false, and the status is
// keep-latest (republished on reconnect, replacing the broker's `offline` last will).

import type { ActuatorSink, IoCounters, IoMapping, LoopStatus } from '../types.ts';
import { formatOutput } from './parse.ts';
import type { Session } from './sources.ts';
import type { Tally } from '../shared.ts';

/** The extra the MQTT sink offers beyond `ActuatorSink`: whether outputs can reach the broker now. */
export interface MqttActuatorSink extends ActuatorSink {
  readonly connected: boolean;
  status(s: LoopStatus): void;
}

/** `online` (connected, no loop status yet) and `offline` (last will, clean stop) beside the loop states. */
export type MqttState = LoopStatus['state'] | 'online' | 'offline';

export class MqttOutputSink implements MqttActuatorSink {
  readonly name: string;
  readonly counters: IoCounters = { received: 0, dropped: 0, malformed: 0 };
  /** (outputSize) physical units: what `failsafe()` publishes, from the mapping. */
  private readonly failsafeY: Float64Array;
  private lastTS = 0;
  private lastSeq = -1;
  private loop: LoopStatus | null = null;
  private publishedState = '';
  private timer: NodeJS.Timeout | null = null;
  private offLink: (() => void) | null = null;
  private started = false;

  constructor(private readonly s: Session, mapping: IoMapping, private readonly tallies: { in: Tally; cmd: Tally }) {
    this.name = `mqtt:${s.cfg.topics.out}`;
    this.failsafeY = new Float64Array(mapping.outputSize);
    for (const f of mapping.outputs) this.failsafeY.fill(f.failsafe, f.offset, f.offset + f.size);
  }

  get connected(): boolean { return this.s.link.connected; }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.offLink = this.s.link.onLink((up) => { if (up) this.publishStatus(); });
    await this.s.acquire();
    this.publishStatus();
    this.timer = setInterval(() => this.publishStatus(), this.s.cfg.statusPeriodS * 1000);
    this.timer.unref();
  }

  write(y: Float64Array, tS: number, seq: number): void {
    const c = this.counters;
    c.received++;
    // Ticks the main thread skipped never reached us: counted dropped, as the contract asks.
    if (this.lastSeq >= 0 && seq > this.lastSeq + 1) c.dropped += seq - this.lastSeq - 1;
    this.lastSeq = seq;
    this.lastTS = tS;
    const r = this.send(y, tS, seq, false);
    if (r === 'refused') c.dropped++;
    else if (r === 'nonfinite') c.malformed++;
  }

  failsafe(): void {
    this.send(this.failsafeY, this.lastTS, Math.max(0, this.lastSeq), true);
  }

  /** Keeps the latest loop status; publishes at once when the state or its reason changes, else on the timer. */
  status(s: LoopStatus): void {
    this.loop = s;
    if (`${s.state}:${s.reason}` !== this.publishedState) this.publishStatus();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.failsafe();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.offLink?.();
    await this.s.release();
  }

  /** The retained status document (also what tests and the panel read). */
  statusDoc(): Record<string, unknown> {
    const { link, cfg } = this.s;
    const l = this.loop;
    const state: MqttState = l?.state ?? 'online';
    return {
      ...(l ?? {}),
      state,
      reason: l?.reason ?? '',
      robot: cfg.robotId,
      mqtt: {
        connected: link.connected, connects: link.counters.connects, disconnects: link.counters.disconnects,
        in: { ...this.tallies.in.counters }, cmd: { ...this.tallies.cmd.counters }, out: { ...this.counters },
        lastMalformed: this.tallies.in.lastMalformed || this.tallies.cmd.lastMalformed,
      },
    };
  }

  private publishStatus(): void {
    const doc = this.statusDoc();
    const key = `${String(doc.state)}:${String(doc.reason)}`;
    if (this.s.link.publish(this.s.cfg.topics.status, JSON.stringify(doc), this.s.cfg.qos.status, true)) this.publishedState = key;
  }

  /** One message per output route. A non-finite value sends nothing (JSON has no NaN). */
  private send(y: ArrayLike<number>, tS: number, seq: number, failsafe: boolean): 'sent' | 'refused' | 'nonfinite' {
    const { cfg, link } = this.s;
    let sent = true;
    for (const r of cfg.outputs) {
      const msg = formatOutput(tS, seq, y, r.offset, r.size, failsafe);
      if (msg === null) return 'nonfinite';
      sent = link.publish(r.topic, msg, cfg.qos.out, false) && sent;
    }
    return sent ? 'sent' : 'refused';
  }
}
