// The lane behaviour-cloning run behind `lnn train --task lane`: record (or read cached) expert
// and noise-injection data, train in rounds of epochs on worker threads, check closed-loop
// success on held-out seeds after every round, optionally add DAgger data between rounds,
// checkpoint after every round, and keep the round with the best held-out driving.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { evalEpisodes } from '../../../sim/eval/eval.ts';
import { initLstmDoc, initLtcDoc, InitRng } from '../../models/init.ts';
import { initLanePolicyDoc, laneNcpWiring } from '../../models/init-policies.ts';
import { loadModel } from '../../models/load.ts';
import type { Model } from '../../models/types.ts';
import type { SequenceData } from '../data.ts';
import { trainSequencesParallel } from '../parallel.ts';
import { evaluateLoss, trainSequences } from '../train.ts';
import { paramView } from '../params.ts';
import { concatDatasets, datasetFromRecordings, laneDatasetCached, pixelStats, toSequenceData, type BcDataset } from './dataset.ts';
import { recordLaneEpisode } from './record.ts';

type Doc = Record<string, unknown>;
export type LaneCell = 'cfc' | 'ltc' | 'lstm';

export interface LaneTrainOptions {
  readonly cell: LaneCell;
  readonly epochs: number;
  readonly episodes: number;
  readonly seed: number;
  readonly threads: number;
  readonly lr: number;
  readonly batch: number;
  readonly seqLen: number;
  /** epochs between validations / checkpoints / DAgger rounds */
  readonly roundEpochs: number;
  readonly durationS: number;
  readonly valEpisodes: number;
  readonly valSeed: number;
  /** DAgger rounds (each after a training round, from the second on) */
  readonly dagger: number;
  readonly daggerEpisodes: number;
  readonly cacheDir: string | null;
  readonly checkpoint: string | null;
  readonly resume: string | null;
  readonly workerUrl?: URL;
  readonly log: (line: string) => void;
  /** command line, stored in the model's meta */
  readonly command?: string;
}

export interface LaneTrainResult {
  readonly doc: Doc;
  readonly seconds: number;
  readonly epochs: number;
  readonly best: RoundRecord | null;
  readonly rounds: readonly RoundRecord[];
  readonly frames: number;
}

export interface RoundRecord {
  readonly round: number;
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss: number;
  readonly valSuccess: number;
  readonly valCte: number;
  readonly seconds: number;
}

interface Checkpoint {
  readonly format: 'lnn-train-ckpt/1';
  readonly epoch: number;
  readonly round: number;
  readonly doc: Doc;
  readonly best: { doc: Doc; rec: RoundRecord } | null;
  readonly rounds: RoundRecord[];
  readonly daggerDone: number;
  readonly seconds: number;
}

/** The untrained lane policy for a cell: the camera head of initLanePolicyDoc and the cell. */
export function initLaneDoc(cell: LaneCell, seed: number): Doc {
  const base = initLanePolicyDoc({ seed }) as Doc & { stages: Doc[] };
  const head = base.stages.slice(0, 7); // normalise … dense → 32 features
  if (cell === 'cfc') return { ...base, name: 'lane-keeping-ncp19' };
  if (cell === 'ltc') {
    const ltc = initLtcDoc(laneNcpWiring(32), { seed: seed + 1 }) as { stages: Doc[] };
    return { ...base, name: 'lane-keeping-ncp19-ltc', stages: [...head, ...ltc.stages] };
  }
  const units = 19;
  const lstm = initLstmDoc(32, units, { seed: seed + 1 }) as { stages: Doc[] };
  const rng = new InitRng(seed + 2);
  const b = 1 / Math.sqrt(units);
  const readout = { type: 'dense', weight: rng.tensor([1, units], -b, b), bias: rng.tensor([1], 0, 0) };
  return { ...base, name: 'lane-keeping-lstm', stages: [...head, ...lstm.stages, readout] };
}

function withPixelStats(doc: Doc, ds: BcDataset): Doc {
  const st = pixelStats(ds);
  const stages = (doc.stages as Doc[]).slice();
  const n = ds.pixels;
  stages[0] = { type: 'normalise', mean: { shape: [n], data: st.mean }, std: { shape: [n], data: st.std } };
  return { ...doc, stages };
}

function saveJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value)}\n`);
  renameSync(tmp, file);
}

async function validate(model: Model, o: LaneTrainOptions): Promise<{ success: number; cte: number }> {
  const r = await evalEpisodes({ task: 'lane', policy: { model, backend: 'ref' }, episodes: o.valEpisodes, seed: o.valSeed, workers: 0, durationS: o.durationS * 1.5 });
  return { success: r.success_rate, cte: r.mean_abs_cte_m as number };
}

function better(a: RoundRecord, b: RoundRecord | null): boolean {
  if (b === null) return true;
  if (a.valSuccess !== b.valSuccess) return a.valSuccess > b.valSuccess;
  return a.valCte <= b.valCte;
}

export async function trainLane(o: LaneTrainOptions): Promise<LaneTrainResult> {
  const t0 = performance.now();
  const dataSeed = 100000 + o.seed * 10000;
  const spec = { episodes: o.episodes, seed: dataSeed, durationS: o.durationS };
  const { ds: base, file, cached } = laneDatasetCached(o.cacheDir, spec, (d, n) => {
    if (d % 8 === 0 || d === n) o.log(`record: ${d}/${n} episodes\n`);
  });
  o.log(`data: ${base.episodes.length} episodes, ${base.episodes.reduce((a, e) => a + e.steps, 0)} frames${file === null ? '' : ` (${cached ? 'cached' : 'written'} ${file})`}\n`);
  let ds = base;
  // one episode in eight is held out for the validation loss
  const isVal = (k: number): boolean => k % 8 === 7;
  let ck: Checkpoint | null = null;
  if (o.resume !== null) {
    ck = JSON.parse(readFileSync(o.resume, 'utf8')) as Checkpoint;
    if (ck.format !== 'lnn-train-ckpt/1') throw new Error(`${o.resume} is not an lnn train checkpoint`);
    o.log(`resume: ${o.resume} at epoch ${ck.epoch}\n`);
  }
  let doc: Doc = ck?.doc ?? withPixelStats(initLaneDoc(o.cell, o.seed), base);
  let best = ck?.best ?? null;
  const rounds: RoundRecord[] = ck?.rounds ?? [];
  let epoch = ck?.epoch ?? 0;
  let round = ck?.round ?? 0;
  let daggerDone = ck?.daggerDone ?? 0;
  const secondsBefore = ck?.seconds ?? 0;
  // DAgger data already gathered before a resume is re-recorded deterministically
  if (daggerDone > 0) o.log(`resume: the ${daggerDone} DAgger round(s) before the checkpoint are not restored; continuing without their data\n`);
  const totalRounds = Math.ceil(o.epochs / o.roundEpochs);
  let train: SequenceData = toSequenceData(ds, (k) => !isVal(k));
  const val: SequenceData = toSequenceData(base, isVal);
  while (epoch < o.epochs) {
    const n = Math.min(o.roundEpochs, o.epochs - epoch);
    // cosine learning rate over the whole run, constant within a round
    const lr = o.lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * (epoch + n / 2)) / o.epochs)));
    const tr0 = performance.now();
    const common = {
      modelDoc: doc, data: train, epochs: n, batch: o.batch, seqLen: o.seqLen, lr, clip: 10, seed: o.seed * 1000 + round,
      onEpoch: (e: { epoch: number; loss: number; gradNorm: number; seconds: number }) => {
        o.log(`epoch ${epoch + e.epoch + 1}/${o.epochs}  loss ${e.loss.toExponential(3)}  grad ${e.gradNorm.toFixed(3)}  lr ${lr.toExponential(2)}  ${e.seconds.toFixed(1)} s\n`);
      },
    };
    const res = o.threads > 1
      ? await trainSequencesParallel({ ...common, threads: o.threads, ...(o.workerUrl !== undefined ? { workerUrl: o.workerUrl } : {}) })
      : trainSequences(common);
    epoch += n;
    round++;
    const trained = res.doc;
    const model = loadModel(trained);
    const valLoss = val.count > 0 ? evaluateLoss(paramView(model), val, { seqLen: o.seqLen, batch: o.batch }) : NaN;
    const v = await validate(model, o);
    const rec: RoundRecord = {
      round, epoch, loss: res.history[res.history.length - 1]?.loss ?? NaN, valLoss, valSuccess: v.success, valCte: v.cte,
      seconds: (performance.now() - tr0) / 1000,
    };
    rounds.push(rec);
    o.log(`round ${round}/${totalRounds}: val loss ${Number.isNaN(valLoss) ? 'n/a' : valLoss.toExponential(3)}  closed-loop success ${v.success.toFixed(2)} on ${o.valEpisodes} held-out tracks  mean |cte| ${v.cte.toFixed(3)} m\n`);
    doc = trained;
    if (better(rec, best?.rec ?? null)) best = { doc: trained, rec };
    if (o.checkpoint !== null) {
      const c: Checkpoint = { format: 'lnn-train-ckpt/1', epoch, round, doc, best, rounds, daggerDone, seconds: secondsBefore + (performance.now() - t0) / 1000 };
      saveJson(o.checkpoint, c);
    }
    if (daggerDone < o.dagger && epoch < o.epochs) {
      const recs = [];
      for (let i = 0; i < o.daggerEpisodes; i++) {
        const s = dataSeed + 5000 + daggerDone * 100 + i;
        recs.push({ ...recordLaneEpisode(s, { mode: 'dagger', learner: model, beta: 0.3, durationS: o.durationS, perturb: i % 3 === 2 ? 'sensor_noise=0.1' : '' }), perturb: i % 3 === 2 ? 'sensor_noise=0.1' : '' });
      }
      daggerDone++;
      ds = concatDatasets(ds, datasetFromRecordings(recs, { kind: 'dagger', round: daggerDone, beta: 0.3 }));
      train = toSequenceData(ds, (k) => !isVal(k) || k >= base.episodes.length);
      o.log(`dagger ${daggerDone}/${o.dagger}: +${recs.length} episodes, ${recs.reduce((a, r) => a + r.steps, 0)} frames (learner left the lane in ${recs.filter((r) => r.departures > 0).length})\n`);
    }
  }
  const seconds = secondsBefore + (performance.now() - t0) / 1000;
  const chosen = best ?? { doc, rec: rounds[rounds.length - 1] ?? null };
  const meta = {
    ...((chosen.doc.meta as Doc | undefined) ?? {}),
    camera: [16, base.pixels / 16], output: 'steer_rad',
    bc: {
      task: 'lane', cell: o.cell, episodes: o.episodes, dataSeed, durationS: o.durationS, dagger: o.dagger, daggerEpisodes: o.daggerEpisodes,
      epochs: o.epochs, chosenRound: chosen.rec?.round ?? null, trainSeconds: Math.round(seconds), command: o.command ?? null,
    },
  };
  return { doc: { ...chosen.doc, meta }, seconds, epochs: epoch, best: best?.rec ?? null, rounds, frames: train.count };
}
