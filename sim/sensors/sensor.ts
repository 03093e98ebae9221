// What every sensor shares: a sample schedule at its rate (an integer pattern of physics ticks, so
// 30 Hz on 150 Hz physics is exactly every 5th tick), Gaussian noise from its own seeded stream,
// frame dropout, and a delay line that delivers each frame `latency` after it was measured. The
// engine calls `update` once per tick after the physics; consumers read `latest` (a stable array
// that is overwritten in place) or subscribe to the topic.

import { Rng } from '../core/rng.ts';
import type { Bus } from '../engine/topics.ts';
import type { BodyState, Vehicle } from '../engine/vehicle.ts';
import type { Scene } from '../physics/raycast.ts';
import type { PerturbKey } from '../perturb/perturb.ts';
import type { Track } from '../world/track.ts';
import type { SensorSpec, WorldSpec } from '../world/types.ts';
import type { GroundField } from './ground-field.ts';

/** What a sensor may look at when it measures (the Simulation provides it). */
export interface SensorWorld {
  readonly timeS: number;
  readonly world: WorldSpec;
  readonly scene: Scene;
  readonly track: Track | null;
  readonly ground: GroundField;
  readonly perturb: Readonly<Record<PerturbKey, number>>;
}

export type Buffer = Float32Array | Float64Array;

export abstract class Sensor {
  /** the newest delivered reading; its layout is the sensor's (see each subclass) */
  readonly latest: Buffer;
  /** sim time at which `latest` was measured; -1 until the first delivery */
  latestStampS = -1;
  /** frames measured, delivered, and lost to dropout since the last reset */
  sampled = 0;
  delivered = 0;
  dropped = 0;
  protected readonly noiseRng: Rng;
  private readonly dropRng: Rng;
  private readonly ring: Buffer[];
  private readonly ringStampS: Float64Array;
  private readonly ringDueTick: Float64Array;
  private head = 0;
  private size = 0;

  constructor(
    readonly spec: SensorSpec,
    readonly vehicle: Vehicle,
    readonly physicsHz: number,
    seed: number,
    /** the largest extra latency a perturbation will add during the run, ms */
    maxExtraLatencyMs: number,
    readonly msgType: string,
  ) {
    const stream = `sensor:${vehicle.name}/${spec.name}`;
    this.noiseRng = Rng.stream(seed, `${stream}:noise`);
    this.dropRng = Rng.stream(seed, `${stream}:dropout`);
    const n = this.valueCount();
    this.latest = this.makeBuffer(n);
    const minPeriod = Math.max(1, Math.floor(physicsHz / spec.rateHz));
    const maxLatencyTicks = this.latencyTicks(spec.latencyMs + maxExtraLatencyMs);
    const cap = Math.ceil(maxLatencyTicks / minPeriod) + 2;
    this.ring = Array.from({ length: cap }, () => this.makeBuffer(n));
    this.ringStampS = new Float64Array(cap);
    this.ringDueTick = new Float64Array(cap);
  }

  get name(): string {
    return this.spec.name;
  }

  get topic(): string {
    return this.spec.topic;
  }

  /** values in one reading */
  protected abstract valueCount(): number;
  /** writes a noise-free reading of the world now into `out` */
  protected abstract measure(w: SensorWorld, body: BodyState, out: Buffer): void;
  /** adds this sensor's noise (own σ plus `extraSigma` × its perturb scale) to a reading */
  protected abstract addNoise(out: Buffer, extraSigma: number): void;
  /** publishes `latest` on the bus (called only when the topic has subscribers) */
  protected abstract publish(bus: Bus, stampS: number): void;

  protected makeBuffer(n: number): Buffer {
    return new Float64Array(n);
  }

  private latencyTicks(ms: number): number {
    return Math.round((ms * this.physicsHz) / 1000);
  }

  /** True on the ticks this sensor samples: tick 0, then whenever ⌊tick·rate/hz⌋ steps. */
  due(tick: number): boolean {
    if (tick === 0) return true;
    const r = this.spec.rateHz / this.physicsHz;
    return Math.floor(tick * r) !== Math.floor((tick - 1) * r);
  }

  reset(): void {
    this.noiseRng.reset();
    this.dropRng.reset();
    this.latest.fill(0);
    this.latestStampS = -1;
    this.sampled = 0;
    this.delivered = 0;
    this.dropped = 0;
    this.head = 0;
    this.size = 0;
    this.onReset();
  }

  protected onReset(): void {}

  /** Engine hook, once per tick after physics: sample if due, then deliver what latency released. */
  update(w: SensorWorld, tick: number, bus: Bus): void {
    if (this.due(tick)) {
      // draw the dropout number every time, so streams stay aligned across dropout levels
      const u = this.dropRng.uniform();
      const p = 1 - (1 - this.spec.dropout) * (1 - w.perturb.dropout);
      if (u < p) this.dropped++;
      else this.sample(w, tick);
    }
    while (this.size > 0 && this.ringDueTick[this.head] <= tick) {
      const buf = this.ring[this.head];
      this.latest.set(buf);
      this.latestStampS = this.ringStampS[this.head];
      this.head = (this.head + 1) % this.ring.length;
      this.size--;
      this.delivered++;
      if (bus.hasSubscribers(this.spec.topic)) this.publish(bus, this.latestStampS);
    }
  }

  private sample(w: SensorWorld, tick: number): void {
    if (this.size === this.ring.length) {
      // full (cannot happen with the capacity above): lose the oldest frame rather than block
      this.head = (this.head + 1) % this.ring.length;
      this.size--;
    }
    const slot = (this.head + this.size) % this.ring.length;
    const buf = this.ring[slot];
    this.measure(w, this.vehicle.body, buf);
    this.addNoise(buf, w.perturb.sensor_noise);
    this.ringStampS[slot] = w.timeS;
    this.ringDueTick[slot] = tick + this.latencyTicks(this.spec.latencyMs + w.perturb.latency_ms);
    this.size++;
    this.sampled++;
  }

  /** σ·N(0,1) on values [from, to) of `out`, from this sensor's noise stream. */
  protected gauss(out: Buffer, from: number, to: number, sigma: number): void {
    if (!(sigma > 0)) return;
    for (let i = from; i < to; i++) out[i] += sigma * this.noiseRng.normal();
  }
}
