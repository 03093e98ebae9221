// The one catalogue of user-facing error codes (DESIGN.md §7). A code is stable once shipped:
// scripts and tests match on it. Add new codes at the end of their group; never reuse one.

export const ERROR_CODES = {
  // Command line
  LNN_E_USAGE: 'bad command-line usage (unknown command, option or value)',
  // Files
  LNN_E_FILE_NOT_FOUND: 'a file named on the command line does not exist',
  LNN_E_FILE_READ: 'a file could not be read',
  LNN_E_FILE_WRITE: 'a file could not be written',
  LNN_E_JSON: 'a file is not valid JSON (malformed or truncated)',
  // Model and export documents
  LNN_E_FORMAT: 'unknown or unsupported document format or version',
  LNN_E_MISSING_KEY: 'a required key is missing',
  LNN_E_TYPE: 'a value has the wrong JSON type',
  LNN_E_SHAPE: 'a tensor has the wrong shape',
  LNN_E_COUNT: 'a tensor has the wrong number of elements for its shape',
  LNN_E_NONFINITE: 'a value is NaN or infinite',
  LNN_E_RANGE: 'a value is outside its sane range',
  LNN_E_LIMIT: 'a size is beyond the sane limits (would exhaust memory or time)',
  LNN_E_UNKNOWN_STAGE: 'unknown stage type',
  LNN_E_UNKNOWN_CELL: 'unknown recurrent cell type',
  LNN_E_UNKNOWN_MODE: 'unknown CfC mode',
  LNN_E_UNKNOWN_ACTIVATION: 'unknown activation function',
  LNN_E_UNKNOWN_KEY: 'a key that this format does not define',
  LNN_E_PIPELINE: 'stages do not chain (a stage input does not match the previous output)',
  // Wirings
  LNN_E_WIRING: 'invalid wiring arguments',
  // Running a policy
  LNN_E_INPUT_WIDTH: 'input width does not match the model',
  LNN_E_INPUT: 'invalid inputs document for predict',
  LNN_E_BACKEND_UNKNOWN: 'unknown backend name',
  LNN_E_BACKEND_UNSUPPORTED: 'the backend asked for cannot run this model',
  LNN_E_BACKEND_UNAVAILABLE: 'the backend asked for is not installed on this machine',
  // Installation
  LNN_E_INSTALL: 'lnn-edge is not fully installed (a build step or a package is missing)',
  // Anything we did not foresee; reported with --debug for a stack trace
  LNN_E_INTERNAL: 'internal error (a bug: please report it with --debug output)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in a document a problem sits: file, dotted field path, element index. */
export interface ErrorWhere {
  readonly file?: string;
  readonly field?: string;
  readonly index?: number;
}

/** A user-facing failure: a stable code and a one-line message naming file, field and index. */
export class LnnError extends Error {
  readonly code: ErrorCode;
  readonly where: ErrorWhere;
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, where: ErrorWhere = {}) {
    super(formatMessage(code, detail, where));
    this.name = 'LnnError';
    this.code = code;
    this.where = where;
    this.detail = detail;
  }

  /** The same error with a file name attached (loaders learn the file late). */
  inFile(file: string): LnnError {
    if (this.where.file !== undefined) return this;
    const e = new LnnError(this.code, this.detail, { ...this.where, file });
    e.stack = this.stack;
    return e;
  }
}

function formatMessage(code: ErrorCode, detail: string, where: ErrorWhere): string {
  const parts: string[] = [code];
  if (where.file !== undefined) parts.push(oneLine(where.file));
  if (where.field !== undefined) {
    parts.push(oneLine(where.index !== undefined ? `${where.field}[${where.index}]` : where.field));
  } else if (where.index !== undefined) {
    parts.push(`[${where.index}]`);
  }
  return `${parts.join(': ')}: ${oneLine(detail)}`;
}

/** Messages are one line: control characters quoted from a document are escaped (\n, \u0000). */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    const j = JSON.stringify(c);
    return j.slice(1, -1);
  });
}

export function isLnnError(e: unknown): e is LnnError {
  return e instanceof LnnError;
}

/** Exit codes of the CLI: 2 for user errors (bad input, bad file), 1 for internal errors. */
export const EXIT_USER_ERROR = 2;
export const EXIT_INTERNAL_ERROR = 1;
