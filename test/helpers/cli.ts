// Runs the real `lnn` command (bin/lnn.mjs → dist/lnn.mjs), as a user would.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = `${ROOT}bin/lnn.mjs`;

export interface RunResult { code: number; stdout: string; stderr: string }

export function lnn(args: readonly string[], input?: string): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Parses the single JSON object a `--json` command prints. */
export function lnnJson<T = Record<string, unknown>>(args: readonly string[]): T {
  const r = lnn(args);
  if (r.code !== 0) throw new Error(`lnn ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
