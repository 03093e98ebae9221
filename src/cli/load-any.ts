// `--model` accepts a native `*.lnn.json` or an ncps export; the document decides which.
import { readJsonFile, loadModel } from '../models/load.ts';
import { importNcps, isNcpsExport } from '../models/ncps-import.ts';
import type { Model } from '../models/types.ts';

export interface LoadedModel {
  readonly model: Model;
  /** ncps batch_first of an export; native models are batch-first */
  readonly batchFirst: boolean;
  readonly kind: 'lnn-model' | 'ncps-export';
}

export function loadAnyModel(file: string): LoadedModel {
  const doc = readJsonFile(file);
  if (isNcpsExport(doc)) {
    const imp = importNcps(doc, file);
    return { model: imp.model, batchFirst: imp.batchFirst, kind: 'ncps-export' };
  }
  return { model: loadModel(doc, file), batchFirst: true, kind: 'lnn-model' };
}
