#!/usr/bin/env node
// The `lnn` command. It runs the esbuild bundle in dist/ (built by `npm install` through the
// `prepare` script, or by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/lnn.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('lnn: LNN_E_INSTALL: dist/lnn.mjs is missing; run `npm run build` in the lnn-edge folder\n');
  process.exit(2);
}
const { main } = await import(bundle);
process.exitCode = await main(process.argv.slice(2));
