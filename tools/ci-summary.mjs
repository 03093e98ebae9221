// Prints the closing line of a CI run, "tests: N passed, N failed, N skipped", from vitest's JSON
// report, so the result is readable without scrolling through the log.
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync('.cache/vitest-results.json', 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
process.stdout.write(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped\n`);
