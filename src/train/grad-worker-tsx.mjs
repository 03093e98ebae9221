// Worker bootstrap for running from TypeScript sources (vitest, tsx): Node 20 cannot strip types,
// so load grad-worker.ts through tsx. A bundled build passes the URL of its own bundled worker
// (TrainParallelOptions.workerUrl), as the sim eval pool does.
import { tsImport } from 'tsx/esm/api';

await tsImport('./grad-worker.ts', import.meta.url);
