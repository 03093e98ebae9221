// Lane behaviour-cloning datasets: recording many episodes, the on-disk cache format, and the
// conversion to the trainer's SequenceData.
//
// File format (docs/training.md, "Dataset files"): little-endian throughout.
//   bytes 0..3   magic "LNBC"
//   bytes 4..7   uint32 header length H (bytes of UTF-8 JSON)
//   bytes 8..    header JSON ({ format: "lnn-bc/1", task, pixels, camera, dtS, options, episodes: [...] })
//   padding      zero bytes up to a multiple of 4
//   then per episode, in header order: frames float32[steps × pixels], labels float32[steps]

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Episode, SequenceData } from '../data.ts';
import { fromEpisodes } from '../data.ts';
import { recordLaneEpisode, type LaneRecording, type LaneRecordOptions, type RecordMode } from './record.ts';

export const BC_FORMAT = 'lnn-bc/1';
const MAGIC = 'LNBC';

export interface BcEpisodeInfo {
  readonly seed: number;
  readonly mode: RecordMode;
  readonly steps: number;
  readonly departures: number;
  readonly perturb: string;
}

export interface BcDataset {
  readonly task: 'lane';
  readonly pixels: number;
  readonly camera: readonly [number, number];
  readonly dtS: number;
  /** how the data was made (free-form, part of the cache key) */
  readonly options: Readonly<Record<string, unknown>>;
  readonly episodes: readonly BcEpisodeInfo[];
  /** per episode: frames (steps × pixels) */
  readonly frames: readonly Float32Array[];
  /** per episode: labels (steps) */
  readonly labels: readonly Float32Array[];
}

/** What recordLaneDataset records: `episodes` seeds from `seed`, a mix of clean and disturbed drives. */
export interface LaneDatasetSpec {
  readonly episodes: number;
  readonly seed: number;
  /** episode length in sim seconds (default 20) */
  readonly durationS?: number;
  /** fraction of episodes driven by the clean expert (default 1/3); the rest carry noise injection */
  readonly cleanFraction?: number;
  /** OU disturbance std for noise episodes, rad (default 0.08) */
  readonly noiseRad?: number;
  /** every k-th episode (default 3) records with sensor_noise drawn from {0.1, 0.2} (0 = never) */
  readonly sensorNoiseEvery?: number;
}

/** The per-episode recording plan of a spec: deterministic from the spec alone. */
export function planLaneDataset(spec: LaneDatasetSpec): { seed: number; opts: LaneRecordOptions; perturb: string }[] {
  const clean = Math.round(spec.episodes * (spec.cleanFraction ?? 1 / 3));
  const every = spec.sensorNoiseEvery ?? 3;
  const out: { seed: number; opts: LaneRecordOptions; perturb: string }[] = [];
  for (let i = 0; i < spec.episodes; i++) {
    const perturb = every > 0 && i % every === every - 1 ? `sensor_noise=${i % (2 * every) === every - 1 ? 0.1 : 0.2}` : '';
    const opts: LaneRecordOptions = {
      mode: i < clean ? 'expert' : 'noise', durationS: spec.durationS ?? 20, noiseRad: spec.noiseRad ?? 0.08, perturb,
    };
    out.push({ seed: spec.seed + i, opts, perturb });
  }
  return out;
}

export function datasetFromRecordings(recs: readonly (LaneRecording & { perturb?: string })[], options: Record<string, unknown>): BcDataset {
  if (recs.length === 0) throw new Error('no episodes recorded');
  const pixels = recs[0]!.pixels;
  return {
    task: 'lane', pixels, camera: [16, pixels / 16] as const, dtS: recs[0]!.dtS, options,
    episodes: recs.map((r) => ({ seed: r.seed, mode: r.mode, steps: r.steps, departures: r.departures, perturb: r.perturb ?? '' })),
    frames: recs.map((r) => r.frames), labels: recs.map((r) => r.labels),
  };
}

/** Records a lane dataset in this thread; onEpisode reports progress. */
export function recordLaneDataset(spec: LaneDatasetSpec, onEpisode?: (done: number, total: number) => void): BcDataset {
  const plan = planLaneDataset(spec);
  const recs = plan.map((p, i) => {
    const r = { ...recordLaneEpisode(p.seed, p.opts), perturb: p.perturb };
    onEpisode?.(i + 1, plan.length);
    return r;
  });
  return datasetFromRecordings(recs, { kind: 'lane-mix', ...spec });
}

/** Concatenates datasets of the same camera (e.g. the base data and DAgger rounds). */
export function concatDatasets(a: BcDataset, b: BcDataset): BcDataset {
  if (a.pixels !== b.pixels || a.dtS !== b.dtS) throw new Error('datasets of different cameras or rates');
  return {
    ...a, options: { ...a.options, appended: [...((a.options.appended as unknown[]) ?? []), b.options] },
    episodes: [...a.episodes, ...b.episodes], frames: [...a.frames, ...b.frames], labels: [...a.labels, ...b.labels],
  };
}

export function encodeDataset(ds: BcDataset): Buffer {
  const header = JSON.stringify({
    format: BC_FORMAT, task: ds.task, pixels: ds.pixels, camera: ds.camera, dtS: ds.dtS, options: ds.options, episodes: ds.episodes,
  });
  const hb = Buffer.from(header, 'utf8');
  const pre = 8 + hb.length;
  const pad = (4 - (pre % 4)) % 4;
  let body = 0;
  for (const e of ds.episodes) body += e.steps * (ds.pixels + 1) * 4;
  const buf = Buffer.alloc(pre + pad + body);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(hb.length, 4);
  hb.copy(buf, 8);
  let off = pre + pad;
  ds.episodes.forEach((e, k) => {
    const f = ds.frames[k]!, l = ds.labels[k]!;
    if (f.length !== e.steps * ds.pixels || l.length !== e.steps) throw new Error(`episode ${k}: array sizes do not match the header`);
    for (const arr of [f, l]) {
      const bytes = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
      if (isLittleEndian) bytes.copy(buf, off);
      else for (let i = 0; i < arr.length; i++) buf.writeFloatLE(arr[i]!, off + 4 * i);
      off += arr.byteLength;
    }
  });
  return buf;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function decodeDataset(buf: Uint8Array): BcDataset {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || b.toString('latin1', 0, 4) !== MAGIC) throw new Error('not an lnn-bc dataset (bad magic)');
  const H = b.readUInt32LE(4);
  const h = JSON.parse(b.toString('utf8', 8, 8 + H)) as Omit<BcDataset, 'frames' | 'labels'> & { format: string };
  if (h.format !== BC_FORMAT) throw new Error(`unsupported dataset format "${h.format}"`);
  let off = 8 + H + ((4 - ((8 + H) % 4)) % 4);
  const frames: Float32Array[] = [], labels: Float32Array[] = [];
  const take = (n: number): Float32Array => {
    if (off + 4 * n > b.length) throw new Error('dataset file is truncated');
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = b.readFloatLE(off + 4 * i);
    off += 4 * n;
    return out;
  };
  for (const e of h.episodes) {
    frames.push(take(e.steps * h.pixels));
    labels.push(take(e.steps));
  }
  return { task: h.task, pixels: h.pixels, camera: h.camera, dtS: h.dtS, options: h.options, episodes: h.episodes, frames, labels };
}

export function writeDataset(file: string, ds: BcDataset): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeDataset(ds));
  renameSync(tmp, file);
}

export function readDataset(file: string): BcDataset {
  return decodeDataset(readFileSync(file));
}

/** The cache file of a spec: a hash of the spec (and a version tag of the recorder). */
export function cachePath(dir: string, spec: Record<string, unknown>): string {
  const key = createHash('sha256').update(JSON.stringify({ v: 1, ...spec })).digest('hex').slice(0, 16);
  return join(dir, `lane-${key}.lnbc`);
}

/** Records the spec's dataset, or reads it from the cache directory when it is there. */
export function laneDatasetCached(dir: string | null, spec: LaneDatasetSpec, onEpisode?: (done: number, total: number) => void): { ds: BcDataset; file: string | null; cached: boolean } {
  const file = dir === null ? null : cachePath(dir, { ...spec });
  if (file !== null && existsSync(file)) return { ds: readDataset(file), file, cached: true };
  const ds = recordLaneDataset(spec, onEpisode);
  if (file !== null) writeDataset(file, ds);
  return { ds, file, cached: false };
}

/** The dataset as trainer sequences: one sequence per episode, inputs widened to float64. */
export function toSequenceData(ds: BcDataset, select?: (k: number) => boolean): SequenceData {
  const eps: Episode[] = [];
  ds.episodes.forEach((e, k) => {
    if (select !== undefined && !select(k)) return;
    eps.push({ inputs: Float64Array.from(ds.frames[k]!), targets: Float64Array.from(ds.labels[k]!), dts: ds.dtS });
    void e;
  });
  return fromEpisodes(eps, ds.pixels, 1);
}

/** Per-pixel mean and std of the frames (std floored), for the model's normalise stage. */
export function pixelStats(ds: BcDataset, floor = 0.05): { mean: number[]; std: number[] } {
  const P = ds.pixels;
  const s = new Float64Array(P), s2 = new Float64Array(P);
  let n = 0;
  for (const f of ds.frames) {
    const T = f.length / P;
    for (let t = 0; t < T; t++) {
      for (let p = 0; p < P; p++) {
        const v = f[t * P + p]!;
        s[p]! += v;
        s2[p]! += v * v;
      }
    }
    n += T;
  }
  const mean: number[] = [], std: number[] = [];
  for (let p = 0; p < P; p++) {
    const m = s[p]! / Math.max(1, n);
    mean.push(m);
    std.push(Math.max(floor, Math.sqrt(Math.max(0, s2[p]! / Math.max(1, n) - m * m))));
  }
  return { mean, std };
}
