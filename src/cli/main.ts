// `lnn`: thin commands over the library. Errors with a code print one line and exit 2; anything
// unforeseen is LNN_E_INTERNAL (exit 1), with the stack only under --debug.

import { EXIT_INTERNAL_ERROR, EXIT_USER_ERROR, isLnnError } from '../errors.ts';
import { helpText, parseArgs, usage } from './args.ts';
import type { CliIo, Command } from './command.ts';
import { importCommand } from './cmd-import.ts';
import { inspectCommand } from './cmd-inspect.ts';
import { predictCommand } from './cmd-predict.ts';
import { wiringCommand } from './cmd-wiring.ts';
import { benchCommand } from './cmd-bench.ts';
import { evalCommand } from './cmd-eval.ts';
import { simCommand } from './cmd-sim.ts';
import { exportCommand } from './cmd-export.ts';
import { quantizeCommand } from './cmd-quantize.ts';
import { trainCommand } from './cmd-train.ts';
import { runCommand } from './cmd-run.ts';
import { VERSION } from '../version.ts';

const COMMANDS: readonly Command[] = [
  inspectCommand, predictCommand, importCommand, wiringCommand, benchCommand, simCommand, evalCommand,
  exportCommand, quantizeCommand, trainCommand, runCommand,
];

const stdio: CliIo = {
  out: (t) => { process.stdout.write(t); },
  err: (t) => { process.stderr.write(t); },
};

function overview(): string {
  const rows = COMMANDS.map((c) => `  ${c.spec.name.padEnd(10)} ${c.spec.summary}`);
  return `lnn ${VERSION}: Liquid Neural Network controllers (CfC/LTC/NCP) for robots\n\n` +
    `Usage: lnn <command> [options]    (lnn <command> --help for details)\n\nCommands:\n${rows.join('\n')}\n`;
}

export async function main(argv: readonly string[], io: CliIo = stdio): Promise<number> {
  if (io === stdio) {
    // `lnn ... | head` closes the pipe early: that is the reader's choice, not an error.
    process.stdout.once('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); });
  }
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      io.err(overview());
      return EXIT_USER_ERROR;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      io.out(overview());
      return 0;
    }
    if (name === '--version' || name === '-V') {
      io.out(`${VERSION}\n`);
      return 0;
    }
    const cmd = COMMANDS.find((c) => c.spec.name === name);
    if (cmd === undefined) throw usage(null, `unknown command "${name}" (commands: ${COMMANDS.map((c) => c.spec.name).join(', ')})`);
    const parsed = parseArgs(cmd.spec, rest);
    if (parsed.help) {
      io.out(helpText(cmd.spec));
      return 0;
    }
    return await cmd.run(parsed, io);
  } catch (e) {
    if (isLnnError(e)) {
      io.err(`lnn: ${e.message}\n`);
      if (debug && e.stack !== undefined) io.err(`${e.stack}\n`);
      return EXIT_USER_ERROR;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`lnn: LNN_E_INTERNAL: ${msg} (a bug: please report it with the --debug output)\n`);
    if (debug && e instanceof Error && e.stack !== undefined) io.err(`${e.stack}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}
