// MCAP recording and replay (DESIGN.md §6). See docs/recording.md.
export { makeRecorder } from './recorder.ts';
export type { Recorder, RecorderCounters, RecorderOptions } from './recorder.ts';
export { readRecording, recordedModel, replay } from './replay.ts';
export type { ReadOptions, RecordedInput, RecordedOutput, RecordedState, RecordedStatus, Recording, ReplayResult } from './replay.ts';
export { DEFINITIONS, SCHEMA, topicsFor } from './schemas.ts';
export type { StreamKind } from './schemas.ts';
