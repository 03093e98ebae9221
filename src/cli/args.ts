// A small, strict option parser: every command declares its options, unknown ones are errors,
// numbers are checked, and `--help` is generated from the same table.

import { LnnError } from '../errors.ts';

export type OptKind = 'string' | 'int' | 'number' | 'bool';

export interface OptSpec {
  readonly name: string;
  readonly kind: OptKind;
  readonly help: string;
  readonly required?: boolean;
  /** shown in help as --name <value> */
  readonly value?: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: readonly OptSpec[];
  /** extra help text after the option list */
  readonly notes?: string;
}

export type OptValue = string | number | boolean;

export interface Parsed {
  readonly opts: ReadonlyMap<string, OptValue>;
  readonly positional: readonly string[];
  readonly help: boolean;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: readonly OptSpec[] = [
  { name: 'help', kind: 'bool', help: 'show this help' },
  { name: 'debug', kind: 'bool', help: 'show stack traces on errors' },
];

export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const all = [...spec.options, ...COMMON_OPTIONS];
  const opts = new Map<string, OptValue>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-h' || a === '--help') { help = true; continue; }
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) { positional.push(a); continue; }
    const short = a === '-o' ? 'out' : null;
    const eq = a.indexOf('=');
    const name = short ?? (a.startsWith('--') ? a.slice(2, eq < 0 ? undefined : eq) : '');
    const o = all.find((x) => x.name === name);
    if (o === undefined) {
      throw usage(spec, `unknown option ${a.split('=')[0]}`);
    }
    if (o.kind === 'bool') {
      if (eq >= 0) {
        const v = a.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw usage(spec, `--${name} takes no value or =true/=false`);
        opts.set(name, v === 'true');
      } else {
        opts.set(name, true);
      }
      continue;
    }
    let raw: string | undefined;
    if (eq >= 0 && short === null) raw = a.slice(eq + 1);
    else raw = argv[++i];
    if (raw === undefined) throw usage(spec, `--${name} needs a value`);
    opts.set(name, convert(spec, o, raw));
  }
  if (opts.get('help') === true) help = true;
  if (!help) {
    for (const o of spec.options) {
      if (o.required === true && !opts.has(o.name)) throw usage(spec, `missing required option --${o.name}`);
    }
  }
  return { opts, positional, help };
}

function convert(spec: CommandSpec, o: OptSpec, raw: string): OptValue {
  switch (o.kind) {
    case 'string': return raw;
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) throw usage(spec, `--${o.name} expects an integer, got "${raw}"`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw usage(spec, `--${o.name} is out of range: ${raw}`);
      return n;
    }
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw usage(spec, `--${o.name} expects a finite number, got "${raw}"`);
      return n;
    }
    case 'bool': return true;
  }
}

export function usage(spec: CommandSpec | null, msg: string): LnnError {
  const hint = spec === null ? "see 'lnn --help'" : `see 'lnn ${spec.name} --help'`;
  return new LnnError('LNN_E_USAGE', `${msg} (${hint})`);
}

export function helpText(spec: CommandSpec): string {
  const rows = [...spec.options, ...COMMON_OPTIONS].map((o) => {
    const left = `  --${o.name}${o.kind === 'bool' ? '' : ` <${o.value ?? o.kind}>`}`;
    return `${left.padEnd(32)} ${o.help}${o.required === true ? ' (required)' : ''}`;
  });
  const notes = spec.notes === undefined ? '' : `\n${spec.notes.trimEnd()}\n`;
  return `lnn ${spec.name}: ${spec.summary}\n\nUsage: ${spec.usage}\n\nOptions:\n${rows.join('\n')}\n${notes}`;
}

export function getString(p: Parsed, name: string): string | undefined {
  const v = p.opts.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function getNumber(p: Parsed, name: string): number | undefined {
  const v = p.opts.get(name);
  return typeof v === 'number' ? v : undefined;
}

export function getBool(p: Parsed, name: string): boolean {
  return p.opts.get(name) === true;
}
