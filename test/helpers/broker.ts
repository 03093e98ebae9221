// A real mosquitto for tests: started on a free loopback port from a temporary config, stopped and
// restarted by PID (never by name). mosquitto_pub / mosquitto_sub are the independent clients.
// Without mosquitto: tests skip with a message naming the apt package, except under CI=true, where
// a missing broker is a failure (CI must install it).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActuatorSink, IoMapping, LoopCommand, LoopState, LoopStatus, SampleSink } from '../../src/io/types.ts';

export const MOSQUITTO_MISSING =
  'mosquitto is not installed: `apt-get install -y mosquitto mosquitto-clients` (needed, with coreutils\' stdbuf, for the MQTT tests against a real broker)';

function which(cmd: string, extra: readonly string[]): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...extra]) {
    if (dir !== '' && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** Paths of mosquitto, mosquitto_pub and mosquitto_sub, or null if any is missing. */
export function findMosquitto(): { broker: string; pub: string; sub: string } | null {
  const broker = which('mosquitto', ['/usr/sbin', '/usr/local/sbin']);
  const pub = which('mosquitto_pub', []);
  const sub = which('mosquitto_sub', []);
  const stdbuf = which('stdbuf', []); // coreutils: see subscribe()
  return broker !== null && pub !== null && sub !== null && stdbuf !== null ? { broker, pub, sub } : null;
}

/**
 * Whether the real-broker tests can run. Under CI=true a missing mosquitto throws (the suite fails
 * with the apt hint); otherwise it prints the hint once and returns false so the suite skips.
 */
export function mosquittoAvailable(): boolean {
  if (findMosquitto() !== null) return true;
  if (process.env.CI === 'true') throw new Error(MOSQUITTO_MISSING);
  process.stderr.write(`skipping real-broker MQTT tests: ${MOSQUITTO_MISSING}\n`);
  return false;
}

/** A free TCP port on 127.0.0.1 (free now; a race with other processes is possible but rare). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface TlsFiles { readonly cafile: string; readonly certfile: string; readonly keyfile: string }

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** PID of the running broker, null while stopped. */
  readonly pid: number | null;
  /** SIGKILL by PID (an outage, not a clean shutdown); resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT by PID: a hung broker, whose sockets stay open but never answer. */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port and config; resolves when it accepts connections. */
  restart(): Promise<void>;
  /** SIGTERM by PID and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * `tls`: serve TLS on the port with these PEM files; `passwordFile`: refuse anonymous clients;
 * `nodelay`: `set_tcp_nodelay true` (what docs/mqtt.md recommends for multi-segment messages).
 */
export async function startMosquitto(opts: { tls?: TlsFiles; passwordFile?: string; nodelay?: boolean } = {}): Promise<Mosquitto> {
  const bins = findMosquitto();
  if (bins === null) throw new Error(MOSQUITTO_MISSING);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lnn-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type error'];
  lines.push(...(opts.passwordFile !== undefined ? ['allow_anonymous false', `password_file ${opts.passwordFile}`] : ['allow_anonymous true']));
  if (opts.nodelay === true) lines.push('set_tcp_nodelay true');
  if (opts.tls !== undefined) lines.push(`cafile ${opts.tls.cafile}`, `certfile ${opts.tls.certfile}`, `keyfile ${opts.tls.keyfile}`);
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let proc: ChildProcess | null = null;
  let stderr = '';

  const launch = async (): Promise<void> => {
    const p = spawn(bins.broker, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = p;
    p.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    await waitFor(`mosquitto on port ${port} (stderr: ${stderr.trim()})`, async () => {
      if (p.exitCode !== null) throw new Error(`mosquitto exited with ${p.exitCode}: ${stderr.trim()}`);
      return accepting(port);
    });
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const p = proc;
    proc = null;
    if (p === null || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    process.kill(p.pid as number, 'SIGCONT'); // a paused broker would hold a SIGTERM pending
    process.kill(p.pid as number, signal);
    await gone;
  };

  try {
    await launch();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    get pid() { return (proc as ChildProcess | null)?.pid ?? null; },
    kill: () => end('SIGKILL'),
    pause: () => { if (proc?.pid !== undefined) process.kill(proc.pid, 'SIGSTOP'); },
    resume: () => { if (proc?.pid !== undefined) process.kill(proc.pid, 'SIGCONT'); },
    restart: launch,
    async stop() {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** mosquitto_pub / mosquitto_sub still running, so a failed test does not leave them behind. */
const clients = new Set<ChildProcess>();
function track<T extends ChildProcess>(p: T): T {
  clients.add(p);
  p.once('exit', () => clients.delete(p));
  return p;
}

/** Kills (by PID, SIGTERM) every client this helper started that is still running. For afterAll. */
export function stopClients(): void {
  for (const p of clients) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
}

export interface Received { topic: string; payload: string; retained: boolean }

/**
 * mosquitto_sub (under coreutils' stdbuf) on `topic` until `count` messages arrived (then it exits by itself, `-C`). Lines are
 * `topic<TAB>retained<TAB>payload` (`-F '%t\t%r\t%p'`). `ready` resolves once it has subscribed.
 */
export function subscribe(port: number, topic: string, count: number, extra: readonly string[] = []): { ready: Promise<void>; done: Promise<Received[]>; stop(): void } {
  const bins = findMosquitto();
  if (bins === null) throw new Error(MOSQUITTO_MISSING);
  // stdbuf -oL: piped, mosquitto_sub's stdout is block-buffered and SUBACK would never be seen in time.
  const p = track(spawn('stdbuf', ['-oL', bins.sub, '-h', '127.0.0.1', '-p', String(port), '-t', topic, '-C', String(count), '-F', '%t\t%r\t%p', '-d', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let partial = '';
  let subscribed = false;
  const ready = new Promise<void>((resolve, reject) => {
    p.stdout.on('data', (d: Buffer) => {
      // -d interleaves debug lines ("Client (null) received SUBACK") with the messages on stdout.
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() as string;
      for (const line of lines) {
        if (line.startsWith('Client ') || line.startsWith('Subscribed ')) {
          if (line.includes('received SUBACK')) { subscribed = true; resolve(); }
        } else if (subscribed) out += `${line}\n`;
      }
    });
    p.once('exit', (code) => reject(new Error(`mosquitto_sub exited ${String(code)} before subscribing`)));
  });
  const done = new Promise<Received[]>((resolve, reject) => {
    p.once('exit', (code, sig) => {
      if (code !== 0 && sig !== 'SIGTERM') { reject(new Error(`mosquitto_sub exited ${String(code ?? sig)}`)); return; }
      resolve(out.split('\n').filter((l) => l !== '').map((l) => {
        const [t, r, ...rest] = l.split('\t');
        return { topic: t as string, retained: r === '1', payload: rest.join('\t') };
      }));
    });
  });
  ready.catch(() => undefined);
  return { ready, done, stop: () => { if (p.exitCode === null) p.kill('SIGTERM'); } };
}

/**
 * mosquitto_pub one message (`-m`), or one per line of `lines` (`-l`, one connection). Asynchronous:
 * the embedded broker lives in this process and must keep serving while the client runs.
 */
export async function publish(port: number, topic: string, message: string | readonly string[], opts: { retain?: boolean; qos?: 0 | 1; extra?: readonly string[] } = {}): Promise<void> {
  const bins = findMosquitto();
  if (bins === null) throw new Error(MOSQUITTO_MISSING);
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-q', String(opts.qos ?? 1)];
  if (opts.retain === true) args.push('-r');
  args.push(...(opts.extra ?? []));
  const many = typeof message !== 'string';
  const p = track(spawn(bins.pub, many ? [...args, '-l'] : [...args, '-m', message], { stdio: [many ? 'pipe' : 'ignore', 'ignore', 'pipe'] }));
  let err = '';
  p.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  if (many) p.stdin?.end(`${message.join('\n')}\n`);
  const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
  if (code !== 0) throw new Error(`mosquitto_pub exited ${String(code)}: ${err}`);
}

// ---- a minimal fake loop: y = 2x, one output per input, seq counting from 0 ----

export function echoMapping(n: number, robotId = 'robot'): IoMapping {
  return {
    inputs: [{ name: 'x', topic: '', size: n, offset: 0, min: -1e9, max: 1e9, mean: 0, std: 1, maxAgeS: 1 }],
    outputs: [{ name: 'y', topic: '', size: n, offset: 0, scale: 1, bias: 0, min: -1e9, max: 1e9, ratePerS: Infinity, failsafe: 0 }],
    inputSize: n, outputSize: n, watchdogS: 1, autoArm: true, robotId,
  };
}

export class EchoLoop implements SampleSink {
  seq = 0;
  readonly samples: { tS: number; x: number[] }[] = [];
  readonly commands: LoopCommand[] = [];
  private readonly y: Float64Array;

  constructor(private readonly out: ActuatorSink | null, private readonly n: number) {
    this.y = new Float64Array(n);
  }

  push(tS: number, values: ArrayLike<number>, field?: number): boolean {
    if (field !== undefined || values.length !== this.n) return false;
    this.samples.push({ tS, x: Array.from(values) });
    for (let i = 0; i < this.n; i++) this.y[i] = 2 * (values[i] as number);
    this.out?.write(this.y, tS, this.seq++);
    return true;
  }

  command(cmd: LoopCommand): void {
    this.commands.push(cmd);
  }
}

export function loopStatus(state: LoopState, reason = ''): LoopStatus {
  const c = { received: 0, dropped: 0, malformed: 0 };
  return {
    state, reason, ticks: 1, tS: 0.01, hz: 100, achievedHz: 100, periodErrP50Us: 1, periodErrP99Us: 2, periodErrMaxUs: 3,
    deadlineMisses: 0, cpuPct: 1, tickP99Us: 1, rejected: 0, holding: 0, inputs: c, outputs: c,
  };
}
