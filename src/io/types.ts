// The two small interfaces every IO adapter implements (DESIGN.md §6), and the mapping that ties
// named model inputs/outputs to an adapter's topics or pins. This file is a contract between
// src/control (the loop) and src/io/* (mqtt, ros2, board, sim): extend it, never change it.
//
// Units: every time is in seconds (suffix S), every rate is per second (suffix PerS). Values are in
// physical (raw, un-normalised) units: the loop normalises inputs and de-normalises outputs itself.
//
// Threads: adapters live on the main thread. The control loop runs in a worker thread and talks to
// them only through SharedArrayBuffers (src/control/transport.ts); the `SampleSink` a source is given
// copies each sample into shared memory, so the loop reads the latest one without allocating.

/** Counters every source and sink keeps; monotonically increasing from 0 at `start()`. */
export interface IoCounters {
  /** messages or samples that arrived (well-formed or not). */
  received: number;
  /** well-formed ones not used: overwritten before the loop read them, queue full, too old. */
  dropped: number;
  /** ones that could not be parsed: bad JSON, wrong length, wrong types. Counted, never fatal. */
  malformed: number;
}

/** Operator commands (MQTT `cmd` topic, panel buttons, ROS 2 service, CLI). */
export type LoopCommand = 'arm' | 'disarm' | 'estop' | 'reset';

/**
 * Where a source puts what it receives. Implemented by the control side; cheap to call from a
 * message handler (copies into shared memory, no allocation).
 */
export interface SampleSink {
  /**
   * One sample. `tS` is the sender's timestamp in seconds (for telemetry and recording; ages are
   * measured on the loop's own clock from the moment `push` is called, so clocks need no sync).
   * `values` are raw physical values: the whole input vector (length `mapping.inputSize`) when
   * `field` is omitted, else exactly the values of `mapping.inputs[field]` (length `size`).
   * Returns false (and counts it malformed) on a wrong length or field index; NaN/Inf are accepted
   * here and rejected per field by the loop's validator.
   */
  push(tS: number, values: ArrayLike<number>, field?: number): boolean;
  /** An operator command received by this adapter (e.g. MQTT `lnn/<id>/cmd`). */
  command(cmd: LoopCommand): void;
}

/** A source of sensor samples: an MQTT subscription, ROS 2 topics, board pins, the simulator. */
export interface SensorSource {
  /** short name for logs and status, e.g. `mqtt:lnn/robot/in`. */
  readonly name: string;
  readonly counters: Readonly<IoCounters>;
  /** Connect/subscribe and begin calling `sink.push`. Rejects with an LnnError if it cannot. */
  start(sink: SampleSink): Promise<void>;
  /** Stop delivering and release resources. Idempotent. */
  stop(): Promise<void>;
}

/** A sink for actuator commands: an MQTT topic, ROS 2 publishers, servos/ESCs. */
export interface ActuatorSink {
  readonly name: string;
  readonly counters: Readonly<IoCounters>;
  start(): Promise<void>;
  /**
   * One command, already validated, clamped and rate limited by the loop (physical units, length
   * `mapping.outputSize`). `tS` is the loop time of the tick that produced it (seconds since the run
   * started, monotonic); `seq` the tick number (gaps: ticks whose command was superseded before
   * the main thread delivered it — it was busy, or the loop runs above 250 Hz and wakes it every
   * ⌈hz/250⌉ ticks; count them as dropped). `y` is reused: copy it if you keep it.
   */
  write(y: Float64Array, tS: number, seq: number): void;
  /** Put the actuators in their safe state now (mapping failsafe values, motors off). Idempotent. */
  failsafe(): void;
  /** Optional: publish the loop status (MQTT retained `status`, ROS 2 diagnostics). ~1 Hz. */
  status?(s: LoopStatus): void;
  /** Failsafe, then disconnect. Idempotent. */
  stop(): Promise<void>;
}

/** A built adapter: what `makeMqttIo(url, mapping, opts)` and friends return. */
export interface IoAdapter {
  readonly name: string;
  readonly sources: readonly SensorSource[];
  readonly sinks: readonly ActuatorSink[];
  /** Called after every source and sink has stopped (close a shared connection/broker). */
  close?(): Promise<void>;
}

/** Loop states. Only `armed` sends policy outputs; every other state sends failsafe values. */
export type LoopState = 'disarmed' | 'armed' | 'failsafe' | 'estop';

/** What the loop reports ~1 Hz: logged, published by sinks that implement `status`, shown on the panel. */
export interface LoopStatus {
  state: LoopState;
  /** why the loop is in failsafe/estop ('' when armed or disarmed), e.g. `stale input camera`. */
  reason: string;
  /** ticks since start. */
  ticks: number;
  /** loop time in seconds since start. */
  tS: number;
  /** target rate and the rate achieved over the last report window, Hz. */
  hz: number;
  achievedHz: number;
  /** period error |actual − target| over the window, microseconds. */
  periodErrP50Us: number;
  periodErrP99Us: number;
  periodErrMaxUs: number;
  /** ticks that started later than one period after their deadline, since start. */
  deadlineMisses: number;
  /** worker CPU over the window, percent of one core. */
  cpuPct: number;
  /** tick duration (read sensors → actuate, incl. policy.step) p99 over the window, microseconds. */
  tickP99Us: number;
  /** input values rejected by validation (NaN, Inf, out of range), all fields, since start. */
  rejected: number;
  /** input fields currently being held at their last good value. */
  holding: number;
  inputs: IoCounters;
  outputs: IoCounters;
}

/** One named model input field: a slice of the model's input vector. */
export interface InputField {
  readonly name: string;
  /** adapter-specific address: MQTT sub-topic, ROS 2 topic, board pin ('' = adapter default). */
  readonly topic: string;
  /** number of values (1 for a scalar, 1024 for a 16×64 image). */
  readonly size: number;
  /** index of the first value in the model input vector. */
  readonly offset: number;
  /** valid raw range; a value outside it is rejected (the field is held). */
  readonly min: number;
  readonly max: number;
  /** normalisation applied by the loop: model value = (raw − mean) / std. */
  readonly mean: number;
  readonly std: number;
  /** hold the last good value at most this long after it arrived, then failsafe. */
  readonly maxAgeS: number;
}

/** One named model output field: a slice of the model's output vector. */
export interface OutputField {
  readonly name: string;
  readonly topic: string;
  readonly size: number;
  readonly offset: number;
  /** de-normalisation applied by the loop: raw = model value × scale + bias. */
  readonly scale: number;
  readonly bias: number;
  /** clamp, physical units. */
  readonly min: number;
  readonly max: number;
  /** max change per second, physical units per second (Infinity = no limit). */
  readonly ratePerS: number;
  /** value sent when not armed or in failsafe/estop. */
  readonly failsafe: number;
}

/** A parsed, validated mapping config (see docs/run.md for the JSON form). */
export interface IoMapping {
  readonly inputs: readonly InputField[];
  readonly outputs: readonly OutputField[];
  /** sum of input sizes = model input width; sum of output sizes = model output width. */
  readonly inputSize: number;
  readonly outputSize: number;
  /** no sample at all on any input for this long → failsafe (sensor watchdog). */
  readonly watchdogS: number;
  /** arm automatically at start (sim, tests); otherwise wait for an `arm` command. */
  readonly autoArm: boolean;
  /** robot id for topic prefixes (MQTT `lnn/<robotId>/`). */
  readonly robotId: string;
}
