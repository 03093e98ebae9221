// The MQTT adapter (DESIGN.md §6, docs/mqtt.md): one connection, three parts.
//
//   lnn/<id>/in      {"t": s, "x": [..]}          → MqttInputSource   → SampleSink.push
//   lnn/<id>/cmd     {"cmd": "arm" | ...}         → MqttCommandSource → SampleSink.command
//   lnn/<id>/out     {"t": s, "seq": n, "y": [..]} ← MqttOutputSink.write
//   lnn/<id>/status  retained {"state", ...}       ← MqttOutputSink.status; last will {"state":"offline"}
//
// `makeMqttIo` allocates and checks options only; nothing connects until a part's `start()`.
// Ownership: the adapter owns the link and, without a URL, the embedded aedes broker; the last
// part to stop (or `close()`) disconnects cleanly after publishing `offline`, then stops the broker.

import { LnnError } from '../../errors.ts';
import type { IoAdapter, IoMapping } from '../types.ts';
import { MqttLink, OFFLINE_STATUS } from './link.ts';
import { resolveMqttConfig, type MqttConfig, type MqttOptions } from './options.ts';
import { MqttOutputSink } from './sink.ts';
import { MqttCommandSource, MqttInputSource, type Session } from './sources.ts';

export type { MqttOptions, MqttTlsOptions, Qos } from './options.ts';
export type { MqttActuatorSink, MqttState } from './sink.ts';
export { OFFLINE_STATUS } from './link.ts';
export { formatOutput, parseCommand, parseInput } from './parse.ts';

export interface MqttIo extends IoAdapter {
  readonly config: MqttConfig;
  readonly input: MqttInputSource;
  readonly commands: MqttCommandSource;
  readonly output: MqttOutputSink;
  /** the broker in use, known once started (`mqtt://127.0.0.1:<port>` when embedded). */
  readonly url: string;
  /** whether the link to the broker is up now. */
  readonly connected: boolean;
  /** Called with true on every (re)connection, false on every loss; returns an unsubscribe. */
  onLink(cb: (up: boolean) => void): () => void;
  /** Stops every part and the link (and the embedded broker). Idempotent. */
  close(): Promise<void>;
}

const SCHEMES = new Set(['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ssl:', 'ws:', 'wss:']);

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LnnError('LNN_E_USAGE', `"${url}" is not a broker URL (e.g. mqtt://host:1883)`, { field: 'mqtt.url' });
  }
  if (!SCHEMES.has(u.protocol)) {
    throw new LnnError('LNN_E_USAGE', `broker URL scheme "${u.protocol}" is not one of ${[...SCHEMES].join(' ')}`, { field: 'mqtt.url' });
  }
}

/**
 * The MQTT adapter for `mapping`: `sources` = [inputs, commands], `sinks` = [outputs + status].
 * `url` null: start an embedded aedes broker on `opts.host`:`opts.port` (127.0.0.1:1883) and use it.
 */
export function makeMqttIo(url: string | null, mapping: IoMapping, opts: MqttOptions = {}): MqttIo {
  if (url !== null) checkUrl(url);
  const cfg = resolveMqttConfig(mapping, opts);
  const link = new MqttLink(cfg, url);
  let users = 0;
  const session: Session = {
    cfg,
    link,
    async acquire() {
      users++;
      await link.open();
    },
    async release() {
      if (--users === 0) await link.close(cfg.topics.status, OFFLINE_STATUS);
    },
  };
  const input = new MqttInputSource(session);
  const commands = new MqttCommandSource(session);
  const output = new MqttOutputSink(session, mapping, { in: input.tally, cmd: commands.tally });
  return {
    name: `mqtt:${cfg.prefix}`,
    config: cfg,
    input,
    commands,
    output,
    sources: [input, commands],
    sinks: [output],
    get url() { return link.url; },
    get connected() { return link.connected; },
    onLink: (cb) => link.onLink(cb),
    async close() {
      await Promise.all([input.stop(), commands.stop(), output.stop()]);
      await link.close(cfg.topics.status, OFFLINE_STATUS);
    },
  };
}
