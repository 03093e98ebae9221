// Reading a recording back (@mcap/core's indexed reader over a file handle, every message decoded
// with @foxglove/rosmsg2-serialization), and replaying its inputs through a policy. Replaying a
// recording with the model and backend that made it reproduces the recorded outputs bit for bit:
// the recorded x and dt are exactly what policy.step was handed, and a step is deterministic.

import { McapIndexedReader, McapStreamReader, type McapTypes } from '@mcap/core';
import { LnnError } from '../../errors.ts';
import { loadModel } from '../../models/load.ts';
import type { Model } from '../../models/types.ts';
import type { Policy } from '../../runtime/policy.ts';
import { FileReadable } from './file-io.ts';
import { getCodecs, SCHEMA, timeToNs, type InputMsg, type OutputMsg, type StateMsg, type StatusMsg, type StreamKind } from './schemas.ts';

export interface RecordedInput { readonly tS: number; readonly step: number; readonly dtS: number; readonly reset: boolean; readonly x: Float64Array }
export interface RecordedOutput { readonly tS: number; readonly step: number; readonly seq: number; readonly y: Float64Array; readonly command: Float64Array }
export interface RecordedState { readonly tS: number; readonly step: number; readonly h: Float64Array; readonly c: Float64Array }
export interface RecordedStatus { readonly tS: number; readonly msg: StatusMsg }

export interface Recording {
  readonly file: string;
  /** the `lnn_model` metadata record (model name, backend, sizes, input/output names, start time) */
  readonly meta: ReadonlyMap<string, string>;
  /** every other metadata record by name (lnn_mapping, lnn_counters, ...) */
  readonly metadata: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** wall-clock ns of loop time 0 */
  readonly startTimeNs: bigint;
  /** in step order */
  readonly inputs: readonly RecordedInput[];
  readonly outputs: readonly RecordedOutput[];
  readonly states: readonly RecordedState[];
  readonly statuses: readonly RecordedStatus[];
  /** the attached model document (lnn-model/1 JSON), when the recorder attached it */
  readonly modelDoc: unknown;
  /** messages decoded on the four lnn topics */
  readonly messageCount: number;
  /**
   * inputs[0 .. contiguousSteps) are steps 0, 1, 2, ... with none missing; less than inputs.length
   * when the recorder dropped inputs (its buffer was full). Replay stops at the first gap.
   */
  readonly contiguousSteps: number;
  /** true when read with `recover` from a file that was never closed (a prefix of the run) */
  readonly recovered: boolean;
}

const KIND_BY_SCHEMA = new Map<string, StreamKind>(Object.entries(SCHEMA).map(([k, v]) => [v, k as StreamKind]));

function formatError(file: string, detail: string): LnnError {
  return new LnnError('LNN_E_FORMAT', `not a readable lnn MCAP recording: ${detail}`, { file });
}

export interface ReadOptions {
  /**
   * Salvage a recording that was never closed (process killed, power lost): when the file has no
   * valid summary, read it front to back and keep every complete chunk. Default false: such a file
   * is an LNN_E_FORMAT error.
   */
  readonly recover?: boolean;
}

/** Reads and decodes every message. Truncated or corrupt files give LNN_E_FORMAT, unreadable ones LNN_E_FILE_READ. */
export async function readRecording(file: string, opts: ReadOptions = {}): Promise<Recording> {
  const readable = await FileReadable.open(file);
  try {
    let raw: RawRecording;
    try {
      raw = await readIndexed(readable);
    } catch (e) {
      if (e instanceof LnnError && e.code === 'LNN_E_FILE_READ') throw e;
      if (opts.recover !== true) throw formatError(file, e instanceof Error ? e.message : String(e));
      raw = await readStream(readable, file);
    }
    return await decodeAll(raw, file);
  } catch (e) {
    if (e instanceof LnnError) throw e.inFile(file);
    throw formatError(file, e instanceof Error ? e.message : String(e));
  } finally {
    await readable.close().catch(() => undefined);
  }
}

/** What either reader gives: the records, undecoded. */
interface RawRecording {
  readonly schemas: ReadonlyMap<number, McapTypes.Schema>;
  readonly channels: ReadonlyMap<number, McapTypes.Channel>;
  readonly metadata: readonly McapTypes.Metadata[];
  readonly attachments: readonly McapTypes.Attachment[];
  readonly messages: AsyncIterable<McapTypes.Message> | Iterable<McapTypes.Message>;
  readonly recovered: boolean;
}

async function readIndexed(readable: FileReadable): Promise<RawRecording> {
  const reader = await McapIndexedReader.Initialize({ readable });
  const metadata: McapTypes.Metadata[] = [];
  for await (const m of reader.readMetadata()) metadata.push(m);
  const attachments: McapTypes.Attachment[] = [];
  for await (const a of reader.readAttachments({ name: 'model.lnn.json', validateCrcs: true })) attachments.push(a);
  return {
    schemas: reader.schemasById, channels: reader.channelsById, metadata, attachments,
    messages: reader.readMessages({ validateCrcs: true }), recovered: false,
  };
}

/** Front to back over whatever was written; stops at the first incomplete or corrupt record. */
async function readStream(readable: FileReadable, file: string): Promise<RawRecording> {
  const size = await readable.size();
  const bytes = await readable.read(0n, size);
  const sr = new McapStreamReader({ validateCrcs: true });
  sr.append(bytes);
  const schemas = new Map<number, McapTypes.Schema>();
  const channels = new Map<number, McapTypes.Channel>();
  const metadata: McapTypes.Metadata[] = [];
  const attachments: McapTypes.Attachment[] = [];
  const messages: McapTypes.Message[] = [];
  let records = 0;
  try {
    for (let r = sr.nextRecord(); r !== undefined; r = sr.nextRecord()) {
      records++;
      switch (r.type) {
        case 'Schema': schemas.set(r.id, r); break;
        case 'Channel': channels.set(r.id, r); break;
        case 'Metadata': metadata.push(r); break;
        case 'Attachment': if (r.name === 'model.lnn.json') attachments.push(r); break;
        case 'Message': messages.push(r); break;
        default: break;
      }
    }
  } catch {
    // corrupt from here on: keep what came before
  }
  if (records === 0) throw formatError(file, 'nothing recoverable (not an MCAP file, or empty)');
  messages.sort((a, b) => (a.logTime < b.logTime ? -1 : a.logTime > b.logTime ? 1 : 0));
  return { schemas, channels, metadata, attachments, messages, recovered: true };
}

async function decodeAll(raw: RawRecording, file: string): Promise<Recording> {
  const codecs = getCodecs();
  const kindOf = new Map<number, StreamKind>();
  for (const ch of raw.channels.values()) {
    const schema = raw.schemas.get(ch.schemaId);
    const kind = schema === undefined ? undefined : KIND_BY_SCHEMA.get(schema.name);
    if (kind === undefined) continue; // a foreign channel: ignore it
    if (schema?.encoding !== 'ros2msg' || ch.messageEncoding !== 'cdr') {
      throw formatError(file, `channel ${ch.topic} is ${schema?.encoding}/${ch.messageEncoding}, expected ros2msg/cdr`);
    }
    kindOf.set(ch.id, kind);
  }
  const metadata = new Map<string, ReadonlyMap<string, string>>();
  for (const m of raw.metadata) metadata.set(m.name, m.metadata);
  const meta = metadata.get('lnn_model');
  if (meta === undefined) throw formatError(file, 'no lnn_model metadata');
  metadata.delete('lnn_model');
  const startTimeNs = BigInt(meta.get('start_time_ns') ?? '0');
  const tOf = (stamp: { sec: number; nanosec: number }): number => Number(timeToNs(stamp) - startTimeNs) / 1e9;

  let modelDoc: unknown = null;
  for (const a of raw.attachments) {
    try {
      modelDoc = JSON.parse(new TextDecoder().decode(a.data));
    } catch {
      throw formatError(file, 'the attached model.lnn.json is not JSON');
    }
  }

  const inputs: RecordedInput[] = [];
  const outputs: RecordedOutput[] = [];
  const states: RecordedState[] = [];
  const statuses: RecordedStatus[] = [];
  let count = 0;
  for await (const m of raw.messages) {
    const kind = kindOf.get(m.channelId);
    if (kind === undefined) continue;
    count++;
    const msg = codecs[kind].reader.readMessage(m.data);
    switch (kind) {
      case 'input': {
        const v = msg as InputMsg;
        inputs.push({ tS: tOf(v.header.stamp), step: Number(v.step), dtS: v.dt, reset: v.reset, x: Float64Array.from(v.x) });
        break;
      }
      case 'output': {
        const v = msg as OutputMsg;
        outputs.push({ tS: tOf(v.header.stamp), step: Number(v.step), seq: Number(v.seq), y: Float64Array.from(v.y), command: Float64Array.from(v.command) });
        break;
      }
      case 'state': {
        const v = msg as StateMsg;
        states.push({ tS: tOf(v.header.stamp), step: Number(v.step), h: Float64Array.from(v.h), c: Float64Array.from(v.c) });
        break;
      }
      case 'status': {
        const v = msg as StatusMsg;
        statuses.push({ tS: tOf(v.header.stamp), msg: v });
        break;
      }
    }
  }
  // messages come in log-time order; steps sharing a stamp keep their step order (stable sort)
  const byStep = <T extends { step: number }>(a: T[]): T[] => a.sort((p, q) => p.step - q.step);
  byStep(inputs);
  let contiguousSteps = inputs.length;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].step !== i) { contiguousSteps = i; break; }
  }
  return {
    file, meta, metadata, startTimeNs, inputs, outputs: byStep(outputs), states: byStep(states), statuses, modelDoc,
    messageCount: count, recovered: raw.recovered, contiguousSteps,
  };
}

/** The model the recording attached (throws LNN_E_FORMAT when it has none). */
export function recordedModel(rec: Recording): Model {
  if (rec.modelDoc === null) throw new LnnError('LNN_E_FORMAT', 'the recording has no model attached', { file: rec.file });
  return loadModel(rec.modelDoc, `${rec.file}#model.lnn.json`);
}

export interface ReplayResult {
  readonly recording: Recording;
  /** (steps × outputSize) row-major: the policy's output for every replayed input */
  readonly outputs: Float64Array;
  /** inputs replayed: all of them, or up to the first missing step (`complete` false) */
  readonly steps: number;
  readonly complete: boolean;
  /** recorded outputs compared (the first output of each replayed step) and how many differ in any bit */
  readonly compared: number;
  readonly mismatches: number;
  /** the first step whose output differs, -1 when none does */
  readonly firstMismatchStep: number;
  /** the largest |replayed − recorded| over all compared values */
  readonly maxAbsDiff: number;
}

/**
 * Feeds the recorded inputs, with their recorded dt and resets, through `policy` from the recorded
 * initial state (a state with step −1) or from a reset, and compares with the recorded outputs.
 * Synchronous policies only (an AsyncPolicy: step it yourself over readRecording's inputs).
 */
export async function replay(source: string | Recording, policy: Policy): Promise<ReplayResult> {
  const rec = typeof source === 'string' ? await readRecording(source) : source;
  const nIn = policy.inputSize;
  const nOut = policy.outputSize;
  const steps = rec.contiguousSteps;
  for (let k = 0; k < steps; k++) {
    const i = rec.inputs[k];
    if (i.x.length !== nIn) {
      throw new LnnError('LNN_E_INPUT_WIDTH', `recorded input has ${i.x.length} values, the policy takes ${nIn}`, { file: rec.file, index: i.step });
    }
  }
  policy.reset();
  const init = rec.states.find((s) => s.step === -1);
  if (init !== undefined && init.h.length === policy.stateSize) {
    policy.setState(init.h, policy.cellStateSize > 0 && init.c.length === policy.cellStateSize ? init.c : undefined);
  }
  const outputs = new Float64Array(steps * nOut);
  const x = new Float64Array(nIn);
  const y = new Float64Array(nOut);
  for (let k = 0; k < steps; k++) {
    const inp = rec.inputs[k];
    if (inp.reset) policy.reset();
    x.set(inp.x);
    policy.step(x, inp.dtS, y);
    outputs.set(y, k * nOut);
  }
  let compared = 0;
  let mismatches = 0;
  let firstMismatchStep = -1;
  let maxAbsDiff = 0;
  let last = -2;
  for (const o of rec.outputs) {
    if (o.step < 0 || o.step >= steps || o.step === last || o.y.length !== nOut) continue;
    last = o.step;
    compared++;
    let differs = false;
    for (let j = 0; j < nOut; j++) {
      const r = outputs[o.step * nOut + j];
      if (!Object.is(r, o.y[j])) differs = true;
      const d = Math.abs(r - o.y[j]);
      if (Number.isNaN(d)) { if (!Object.is(r, o.y[j])) maxAbsDiff = Infinity; } else if (d > maxAbsDiff) maxAbsDiff = d;
    }
    if (differs) {
      mismatches++;
      if (firstMismatchStep < 0) firstMismatchStep = o.step;
    }
  }
  return { recording: rec, outputs, steps, complete: steps === rec.inputs.length, compared, mismatches, firstMismatchStep, maxAbsDiff };
}
