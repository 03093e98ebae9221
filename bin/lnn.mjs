#!/usr/bin/env node
// The `lnn` command. It runs the esbuild bundle in dist/, which `npm install` builds through the
// `prepare` script. If a package manager skipped that script (npm 12 will not run unapproved
// install scripts), a source checkout builds it here once.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/lnn.mjs', import.meta.url));
const builder = fileURLToPath(new URL('../tools/build.mjs', import.meta.url));
if (!existsSync(bundle) && existsSync(builder)) {
  spawnSync(process.execPath, [builder], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' });
}
if (!existsSync(bundle)) {
  process.stderr.write('lnn: LNN_E_INSTALL: dist/lnn.mjs is missing; run `npm run build` in the lnn-edge folder\n');
  process.exit(2);
}
const { main } = await import(bundle);
process.exitCode = await main(process.argv.slice(2));
