// Lazy loaders for the board adapter's optional peers (DESIGN.md §2): johnny-five drives pins,
// firmata-io speaks the protocol. Both are imported only when a board adapter starts; a missing
// one gives LNN_E_INSTALL naming the package. johnny-five's own optional `firmata` + `serialport@8`
// are never used: we hand it `new Firmata(link)` as its `io` (shared/research/ecosystem.md §3).

/// <reference path="../../../types/johnny-five.d.ts" />
/// <reference path="../../../types/firmata-io.d.ts" />
import { LnnError } from '../../errors.ts';

export const BOARD_DOC = 'docs/boards.md';

export interface BoardLibs {
  readonly five: typeof import('johnny-five').default;
  readonly Firmata: typeof import('firmata-io').Firmata;
}

async function need<T>(name: string, load: () => Promise<{ default: T }>): Promise<T> {
  try {
    return (await load()).default;
  } catch (e) {
    throw new LnnError('LNN_E_INSTALL', `the board adapter needs the optional package "${name}": npm install johnny-five firmata-io serialport; see ${BOARD_DOC} (${(e as Error).message.split('\n')[0]})`);
  }
}

export async function loadBoardLibs(): Promise<BoardLibs> {
  const [five, fio] = await Promise.all([need('johnny-five', () => import('johnny-five')), need('firmata-io', () => import('firmata-io'))]);
  return { five, Firmata: fio.Firmata };
}
