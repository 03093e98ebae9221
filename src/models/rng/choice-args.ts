// The argument checks numpy's choice() makes, shared by the legacy and Generator ports. These are
// internal misuse (wirings always pass valid sizes), hence LNN_E_INTERNAL.
import { LnnError } from '../../errors.ts';

export function checkChoiceArgs(n: number, size: number | undefined): void {
  if (size === undefined) {
    if (n === 0) throw new LnnError('LNN_E_INTERNAL', 'choice from an empty list');
    return;
  }
  if (!Number.isInteger(size) || size < 0) {
    throw new LnnError('LNN_E_INTERNAL', `choice size must be a non-negative integer (given ${size})`);
  }
  if (n === 0 && size > 0) {
    throw new LnnError('LNN_E_INTERNAL', 'choice: a cannot be empty unless no samples are taken');
  }
}
