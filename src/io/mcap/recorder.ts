// MCAP recorder (DESIGN.md §6): every policy input, output and neuron state, and the loop status,
// as ROS 2 CDR messages in a chunked, indexed MCAP file that `mcap` and Foxglove open as is.
//
// The write path never blocks the caller's tick: write*() copies the values into a preallocated
// ring of float64s (no allocation, O(values)) and returns. An asynchronous drain on the event loop
// encodes the records with @foxglove/rosmsg2-serialization and hands them to @mcap/core's writer,
// which writes a chunk every `chunkBytes`. Memory is bounded by the ring plus one chunk: when the
// ring is full (the disk cannot keep up) records are dropped and counted, never queued without end.
// Call it on the thread that has an event loop (the main thread: the loop worker sleeps in
// Atomics.wait, where the drain would never run). close() drains, writes the summary (indexes,
// statistics) and closes the file: call it on SIGINT/SIGTERM too, or the file has no index.

import { McapWriter } from '@mcap/core';
import { LnnError } from '../../errors.ts';
import type { Model } from '../../models/types.ts';
import { modelJson } from '../../models/save.ts';
import { VERSION } from '../../version.ts';
import type { IoMapping, LoopStatus } from '../types.ts';
import { FileWritable } from './file-io.ts';
import { DEFINITIONS, getCodecs, nsToTime, SCHEMA, STREAM_KINDS, topicsFor, type StreamKind } from './schemas.ts';

export interface RecorderOptions {
  readonly model: Model;
  /** the backend the policy runs on (metadata; replay with the same one is bit exact) */
  readonly backend?: string;
  readonly mapping?: IoMapping;
  /** topic prefix (default `/lnn`): topics `<prefix>/input`, `/output`, `/state`, `/status` */
  readonly topicPrefix?: string;
  /** wall-clock time of loop time 0, ns since the epoch (default: now). Stamps are start + tS. */
  readonly startTimeNs?: bigint;
  /** header.frame_id of every message (default: the mapping's robotId, else '') */
  readonly frameId?: string;
  /** ring buffer size in bytes (default 4 MiB): how much may wait for the disk */
  readonly bufferBytes?: number;
  /** MCAP chunk size in bytes (default 512 KiB) */
  readonly chunkBytes?: number;
  /** attach the model document (lnn-model/1 JSON) so the recording replays on its own (default true) */
  readonly attachModel?: boolean;
  /** extra metadata, string → string (e.g. the command line) */
  readonly extraMetadata?: Readonly<Record<string, string>>;
}

export interface RecorderCounters {
  /** records accepted per stream */
  readonly written: Record<StreamKind, number>;
  /** records dropped because the ring was full or the recorder failed/closed */
  readonly dropped: Record<StreamKind, number>;
}

export interface Recorder {
  readonly file: string;
  readonly topics: Readonly<Record<StreamKind, string>>;
  readonly counters: RecorderCounters;
  /** the first write error (LNN_E_FILE_WRITE); recording stops after it, close() rejects with it */
  readonly error: LnnError | undefined;
  /**
   * The input handed to policy.step at loop time tS (seconds since start): x in model units, dtS
   * the dt handed to step (default: tS minus the previous input's tS, 1.0 for the first, as ncps).
   * Returns false when the record was dropped.
   */
  writeInput(tS: number, x: ArrayLike<number>, dtS?: number): boolean;
  /** What policy.step wrote (y, model units) for the latest input; `command` the actuator values. */
  writeOutput(tS: number, seq: number, y: ArrayLike<number>, command?: ArrayLike<number>): boolean;
  /** The state after the latest step (before any input: the initial state). */
  writeState(tS: number, h: ArrayLike<number>, c?: ArrayLike<number>): boolean;
  /** Marks that the policy state was reset (it applies to the next input). */
  writeReset(): void;
  /** The loop status (~1 Hz). */
  writeStatus(s: LoopStatus): boolean;
  /** Resolves when everything written so far is encoded and every finished chunk is in the file. */
  flush(): Promise<void>;
  /** Drains, writes the summary and footer, closes the file. Idempotent. */
  close(): Promise<void>;
}

const KIND_CODE: Record<StreamKind, number> = { input: 1, output: 2, state: 3, status: 4 };
const CODE_KIND: readonly StreamKind[] = ['input', 'input', 'output', 'state', 'status'];
/** ring record header: kind, tS, a, b, n1, n2 (then n1 + n2 values) */
const REC_HEAD = 6;
/** status records carry their numbers in the ring; strings go in a small side queue */
const STATUS_NUMBERS = 18;
const MAX_STATUS_STRINGS = 64;

function tsToNs(start: bigint, tS: number): bigint {
  return start + BigInt(Math.round(tS * 1e9));
}

export async function makeRecorder(file: string, opts: RecorderOptions): Promise<Recorder> {
  const codecs = getCodecs();
  const topics = topicsFor(opts.topicPrefix ?? '/lnn');
  const startNs = opts.startTimeNs ?? BigInt(Date.now()) * 1_000_000n;
  const frameId = opts.frameId ?? opts.mapping?.robotId ?? '';
  const cap = Math.max(1024, Math.floor((opts.bufferBytes ?? 4 * 1024 * 1024) / 8));
  const model = opts.model;

  const out = await FileWritable.create(file);
  const mcap = new McapWriter({ writable: out, chunkSize: opts.chunkBytes ?? 512 * 1024, useChunks: true });
  const channel = {} as Record<StreamKind, number>;
  try {
    await mcap.start({ profile: 'ros2', library: `lnn-edge ${VERSION}` });
    for (const k of STREAM_KINDS) {
      const schemaId = await mcap.registerSchema({
        name: SCHEMA[k], encoding: 'ros2msg', data: new TextEncoder().encode(DEFINITIONS[k]),
      });
      channel[k] = await mcap.registerChannel({
        topic: topics[k], schemaId, messageEncoding: 'cdr', metadata: new Map(),
      });
    }
    await mcap.addMetadata({ name: 'lnn_model', metadata: modelMetadata(opts, startNs, topics) });
    if (opts.mapping !== undefined) {
      await mcap.addMetadata({ name: 'lnn_mapping', metadata: new Map([['json', JSON.stringify(opts.mapping)]]) });
    }
    if (opts.attachModel !== false) {
      await mcap.addAttachment({
        name: 'model.lnn.json', mediaType: 'application/json', logTime: startNs, createTime: startNs,
        data: new TextEncoder().encode(JSON.stringify(modelJson(model))),
      });
    }
  } catch (e) {
    await out.close().catch(() => undefined);
    throw e instanceof LnnError ? e : new LnnError('LNN_E_FILE_WRITE', `cannot start the recording: ${(e as Error).message}`, { file });
  }

  // ---- the ring: the only thing write*() touches ----
  const ring = new Float64Array(cap);
  let head = 0; // next write index
  let tail = 0; // next read index
  let used = 0;
  const statusStrings: [string, string][] = [];
  const written = { input: 0, output: 0, state: 0, status: 0 };
  const dropped = { input: 0, output: 0, state: 0, status: 0 };
  let stepIndex = -1;
  let lastInputTS = NaN;
  let resetPending = false;
  let closed = false;
  let error: LnnError | undefined;

  const put = (v: number): void => {
    ring[head] = v;
    head = head + 1 === cap ? 0 : head + 1;
  };
  const putAll = (a: ArrayLike<number> | undefined, n: number): void => {
    for (let i = 0; i < n; i++) put((a as ArrayLike<number>)[i]);
  };
  const take = (): number => {
    const v = ring[tail];
    tail = tail + 1 === cap ? 0 : tail + 1;
    return v;
  };
  const reserve = (k: StreamKind, values: number): boolean => {
    if (closed || error !== undefined || used + REC_HEAD + values > cap) {
      dropped[k]++;
      return false;
    }
    used += REC_HEAD + values;
    written[k]++;
    return true;
  };

  // ---- the drain: encode and write, asynchronously ----
  let draining: Promise<void> | null = null;
  let scheduled = false;
  const vec = (n: number): Float64Array => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = take();
    return a;
  };
  const header = (tS: number): { stamp: { sec: number; nanosec: number }; frame_id: string } =>
    ({ stamp: nsToTime(tsToNs(startNs, tS)), frame_id: frameId });

  async function drainOnce(): Promise<void> {
    let seqNo = 0;
    while (used > 0) {
      const code = take();
      const tS = take();
      const a = take();
      const b = take();
      const n1 = take();
      const n2 = take();
      const kind = CODE_KIND[code];
      let msg: unknown;
      switch (kind) {
        case 'input':
          msg = { header: header(tS), step: BigInt(b), dt: a, reset: code === 0, x: vec(n1) };
          break;
        case 'output':
          msg = { header: header(tS), step: BigInt(b), seq: BigInt(a), y: vec(n1), command: vec(n2) };
          break;
        case 'state':
          msg = { header: header(tS), step: BigInt(b), h: vec(n1), c: vec(n2) };
          break;
        case 'status': {
          const v = vec(n1);
          const [state, reason] = statusStrings.shift() ?? ['', ''];
          msg = statusMsg(header(tS), state, reason, v);
          break;
        }
      }
      used -= REC_HEAD + n1 + n2;
      const data = codecs[kind].writer.writeMessage(msg);
      const logTime = tsToNs(startNs, tS);
      try {
        await mcap.addMessage({ channelId: channel[kind], sequence: seqNo++ >>> 0, logTime, publishTime: logTime, data });
      } catch (e) {
        error ??= e instanceof LnnError ? e : new LnnError('LNN_E_FILE_WRITE', `recording failed: ${(e as Error).message}`, { file });
        head = tail = used = 0;
        return;
      }
    }
    // whatever the writer produced (finished chunks and their indexes) goes to the file now, so a
    // killed process loses at most the chunk being built (readRecording's `recover` salvages the rest)
    try {
      await out.flush();
    } catch (e) {
      error ??= e instanceof LnnError ? e : new LnnError('LNN_E_FILE_WRITE', `recording failed: ${(e as Error).message}`, { file });
      head = tail = used = 0;
    }
  }

  const runDrain = (): void => {
    scheduled = false;
    if (draining !== null) return; // the running drain picks the new records up
    draining = drainOnce().finally(() => {
      draining = null;
      if (used > 0 && error === undefined) schedule();
    });
  };
  const schedule = (): void => {
    if (scheduled || draining !== null) return;
    scheduled = true;
    setImmediate(runDrain);
  };

  const flush = async (): Promise<void> => {
    for (;;) {
      if (draining !== null) await draining;
      else if (used > 0 && error === undefined) runDrain();
      else return;
    }
  };

  let closing: Promise<void> | null = null;

  const rec: Recorder = {
    file,
    topics,
    counters: { written, dropped },
    get error() { return error; },

    writeInput(tS, x, dtS) {
      const n = x.length;
      const dt = dtS ?? (Number.isNaN(lastInputTS) ? 1.0 : tS - lastInputTS);
      lastInputTS = tS;
      // a dropped input still takes its step index: the gap tells replay where exactness ends
      stepIndex++;
      const reset = resetPending;
      resetPending = false;
      if (!reserve('input', n)) return false;
      put(reset ? 0 : KIND_CODE.input); put(tS); put(dt); put(stepIndex); put(n); put(0);
      putAll(x, n);
      schedule();
      return true;
    },

    writeOutput(tS, seq, y, command) {
      const n1 = y.length;
      const n2 = command === undefined ? 0 : command.length;
      if (!reserve('output', n1 + n2)) return false;
      put(KIND_CODE.output); put(tS); put(seq); put(stepIndex); put(n1); put(n2);
      putAll(y, n1);
      putAll(command, n2);
      schedule();
      return true;
    },

    writeState(tS, h, c) {
      const n1 = h.length;
      const n2 = c === undefined ? 0 : c.length;
      if (!reserve('state', n1 + n2)) return false;
      put(KIND_CODE.state); put(tS); put(0); put(stepIndex); put(n1); put(n2);
      putAll(h, n1);
      putAll(c, n2);
      schedule();
      return true;
    },

    writeReset() {
      resetPending = true;
    },

    writeStatus(s) {
      if (statusStrings.length >= MAX_STATUS_STRINGS || !reserve('status', STATUS_NUMBERS)) {
        if (statusStrings.length >= MAX_STATUS_STRINGS) dropped.status++;
        return false;
      }
      statusStrings.push([s.state, s.reason]);
      put(KIND_CODE.status); put(s.tS); put(0); put(0); put(STATUS_NUMBERS); put(0);
      put(s.ticks); put(s.tS); put(s.hz); put(s.achievedHz); put(s.periodErrP50Us); put(s.periodErrP99Us);
      put(s.periodErrMaxUs); put(s.deadlineMisses); put(s.cpuPct); put(s.tickP99Us); put(s.rejected); put(s.holding);
      put(s.inputs.received); put(s.inputs.dropped); put(s.inputs.malformed);
      put(s.outputs.received); put(s.outputs.dropped); put(s.outputs.malformed);
      schedule();
      return true;
    },

    flush,

    close() {
      closing ??= (async () => {
        await flush();
        closed = true;
        try {
          if (error === undefined) {
            await mcap.addMetadata({ name: 'lnn_counters', metadata: new Map(
              STREAM_KINDS.flatMap((k) => [[`${k}_written`, String(written[k])], [`${k}_dropped`, String(dropped[k])]]),
            ) });
            await mcap.end();
          }
        } catch (e) {
          error ??= e instanceof LnnError ? e : new LnnError('LNN_E_FILE_WRITE', `cannot finish the recording: ${(e as Error).message}`, { file });
        }
        try {
          await out.close();
        } catch (e) {
          error ??= e instanceof LnnError ? e : new LnnError('LNN_E_FILE_WRITE', `cannot close the recording: ${(e as Error).message}`, { file });
        }
        if (error !== undefined) throw error;
      })();
      return closing;
    },
  };
  return rec;
}

function u64(v: number): bigint {
  return Number.isFinite(v) && v > 0 ? BigInt(Math.floor(v)) : 0n;
}

function statusMsg(header: unknown, state: string, reason: string, v: Float64Array): unknown {
  return {
    header, state, reason,
    ticks: u64(v[0]), t: v[1], hz: v[2], achieved_hz: v[3],
    period_err_p50_us: v[4], period_err_p99_us: v[5], period_err_max_us: v[6],
    deadline_misses: u64(v[7]), cpu_pct: v[8], tick_p99_us: v[9], rejected: u64(v[10]),
    holding: Math.max(0, Math.min(0xffffffff, Math.floor(v[11]) || 0)),
    inputs_received: u64(v[12]), inputs_dropped: u64(v[13]), inputs_malformed: u64(v[14]),
    outputs_received: u64(v[15]), outputs_dropped: u64(v[16]), outputs_malformed: u64(v[17]),
  };
}

function modelMetadata(o: RecorderOptions, startNs: bigint, topics: Record<StreamKind, string>): Map<string, string> {
  const m = o.model;
  const md = new Map<string, string>([
    ['format', 'lnn-recording/1'],
    ['lnn_edge_version', VERSION],
    ['model_name', m.name],
    ['model_description', m.description],
    ['backend', o.backend ?? ''],
    ['input_size', String(m.inputSize)],
    ['output_size', String(m.outputSize)],
    ['input_names', JSON.stringify(o.mapping?.inputs.map((f) => f.name) ?? m.inputNames ?? [])],
    ['output_names', JSON.stringify(o.mapping?.outputs.map((f) => f.name) ?? m.outputNames ?? [])],
    ['cell', m.cellIndex >= 0 ? m.stages[m.cellIndex].type : ''],
    ['start_time_ns', String(startNs)],
    ['topics', JSON.stringify(topics)],
  ]);
  for (const [k, v] of Object.entries(o.extraMetadata ?? {})) md.set(k, v);
  return md;
}
