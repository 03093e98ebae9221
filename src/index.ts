// The library surface of lnn-edge: load or import a model, compile it for a backend, step it.
export { LnnError, ERROR_CODES, type ErrorCode } from './errors.ts';
export { loadModel, loadModelFile, readJsonFile } from './models/load.ts';
export { modelJson, writeJsonFile } from './models/save.ts';
export { importNcps, isNcpsExport } from './models/ncps-import.ts';
export { summarizeModel } from './models/summary.ts';
export type { Model, Stage, CfcStage, LtcStage, LstmStage, Activation, CfcMode } from './models/types.ts';
export * from './models/wiring/index.ts';
export { compile, compileAsync, compileBatch, parseBackend, type CompileOptions } from './runtime/compile.ts';
export { initCfcDoc, initLstmDoc, initLtcDoc, initWiredCfcDoc } from './models/init.ts';
export { initLanePolicyDoc, laneNcpWiring } from './models/init-policies.ts';
export type { Policy, BatchPolicy, AsyncPolicy, BackendName, ConcreteBackend } from './runtime/policy.ts';
export { predict, readPredictInputs } from './runtime/predict.ts';
export { VERSION } from './version.ts';
