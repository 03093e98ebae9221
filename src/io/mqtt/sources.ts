// The two sensor sources of the MQTT adapter: inputs (`lnn/<id>/in` and any per-field topics) and
// operator commands (`lnn/<id>/cmd`). A message handler never throws: a bad message is counted
// malformed and dropped, and its reason is kept for the status topic and the log.

import type { IoCounters, SampleSink, SensorSource } from '../types.ts';
import type { MqttLink } from './link.ts';
import type { InputRoute, MqttConfig } from './options.ts';
import { parseCommand, parseInput } from './parse.ts';
import { Tally } from '../shared.ts';

/** Starting and stopping the parts that share one link: the last part to stop closes it. */
export interface Session {
  readonly cfg: MqttConfig;
  readonly link: MqttLink;
  acquire(): Promise<void>;
  release(): Promise<void>;
}

/** Sensor samples: `{"t", "x"}` on `in` (whole input vector) and on each mapped field's own topic. */
export class MqttInputSource implements SensorSource {
  readonly name: string;
  readonly tally: Tally;
  private sink: SampleSink | null = null;
  private started = false;

  constructor(private readonly s: Session) {
    this.name = `mqtt:${s.cfg.topics.in}`;
    this.tally = new Tally('mqtt', s.cfg.topics.in, s.cfg.log);
  }

  get counters(): Readonly<IoCounters> { return this.tally.counters; }
  /** false while the broker is unreachable: no samples arrive, the loop's watchdog fails safe. */
  get connected(): boolean { return this.s.link.connected; }

  async start(sink: SampleSink): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.sink = sink;
    for (const r of this.s.cfg.inputs) this.s.link.subscribe(r.topic, this.s.cfg.qos.in, (p, retained) => this.onMessage(r, p, retained));
    await this.s.acquire();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.sink = null;
    for (const r of this.s.cfg.inputs) this.s.link.unsubscribe(r.topic);
    await this.s.release();
  }

  private onMessage(r: InputRoute, payload: Buffer, retained: boolean): void {
    const c = this.tally.counters;
    c.received++;
    const sink = this.sink;
    // A retained sample is old by an unknown amount, and ages are measured from arrival: refuse it.
    if (sink === null || retained) { c.dropped++; return; }
    const m = parseInput(payload, r.size, this.s.cfg.maxPayloadBytes);
    if (!m.ok) { this.tally.malformed(m.why); return; }
    try {
      const ok = r.field === undefined ? sink.push(m.value.tS, m.value.x) : sink.push(m.value.tS, m.value.x, r.field);
      if (!ok) this.tally.malformed(`the loop refused ${r.topic} (length or field)`);
    } catch (e) {
      this.tally.malformed(`the loop threw on ${r.topic}: ${(e as Error).message}`);
    }
  }
}

/** Operator commands: `{"cmd": "arm" | "disarm" | "estop" | "reset"}` on `cmd`, passed to `sink.command`. */
export class MqttCommandSource implements SensorSource {
  readonly name: string;
  readonly tally: Tally;
  private sink: SampleSink | null = null;
  private started = false;

  constructor(private readonly s: Session) {
    this.name = `mqtt:${s.cfg.topics.cmd}`;
    this.tally = new Tally('mqtt', s.cfg.topics.cmd, s.cfg.log);
  }

  get counters(): Readonly<IoCounters> { return this.tally.counters; }
  get connected(): boolean { return this.s.link.connected; }

  async start(sink: SampleSink): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.sink = sink;
    this.s.link.subscribe(this.s.cfg.topics.cmd, this.s.cfg.qos.cmd, (p, retained) => this.onMessage(p, retained));
    await this.s.acquire();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.sink = null;
    this.s.link.unsubscribe(this.s.cfg.topics.cmd);
    await this.s.release();
  }

  private onMessage(payload: Buffer, retained: boolean): void {
    const c = this.tally.counters;
    c.received++;
    const sink = this.sink;
    // A retained `arm` would arm every robot that restarts; commands count only when sent live.
    if (sink === null || retained) { c.dropped++; return; }
    const m = parseCommand(payload, this.s.cfg.maxPayloadBytes);
    if (!m.ok) { this.tally.malformed(m.why); return; }
    try {
      sink.command(m.value);
    } catch (e) {
      this.tally.malformed(`the loop threw on ${m.value}: ${(e as Error).message}`);
    }
  }
}
