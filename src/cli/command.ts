// The shape of an `lnn` command: a declared option table and a run function over parsed args.
import type { CommandSpec, Parsed } from './args.ts';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  readonly spec: CommandSpec;
  run(p: Parsed, io: CliIo): Promise<number> | number;
}

/** One JSON object on stdout, the `--json` contract of DESIGN.md §8.2. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value)}\n`);
}
