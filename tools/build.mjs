// Bundles the TypeScript sources into dist/ with esbuild, so `lnn` starts from plain JS
// (Node 20 cannot strip types) and a Pi install needs no compiler. Packages stay external:
// optional ones (onnxruntime-node, rclnodejs, johnny-five) are imported lazily at run time.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

// sim-worker: the episode worker threads of `lnn eval` load it from beside the CLI bundle.
// train-worker: the gradient worker threads of `lnn train`.
const entries = {
  lnn: 'src/cli/main.ts', index: 'src/index.ts', 'sim-worker': 'sim/eval/worker.ts', 'train-worker': 'src/train/grad-worker.ts',
};
const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(p)));

try {
  await build({
    entryPoints,
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
} catch {
  // esbuild already printed the diagnostics.
  process.exit(1);
}
