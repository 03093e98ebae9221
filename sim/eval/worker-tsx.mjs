// Worker bootstrap for running from TypeScript sources (vitest, tsx): Node 20 cannot strip types,
// so load worker.ts through tsx. The bundled CLI does not use this file: it passes the URL of its
// own bundled worker (see sim/docs/eval.md).
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
