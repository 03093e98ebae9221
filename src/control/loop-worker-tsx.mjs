// Loop-worker bootstrap for running from TypeScript sources (vitest, tsx): Node 20 cannot strip
// types, so load loop-worker.ts through tsx. The bundled CLI does not use this file (runner.ts).
import { tsImport } from 'tsx/esm/api';

await tsImport('./loop-worker.ts', import.meta.url);
