// Public surface of src/train: BPTT for every stage, gradcheck, Adam, data, the training loop.
export { paramView, viewToDoc, applyConstraints, zeroFrozen, sliceOf, type ParamView, type ParamSlice, type DocOptions } from './params.ts';
export { mapModelTensors, listTensors, type TensorInfo } from './walk.ts';
export { GradEngine, SeqTape, type SeqBatch } from './seq-tape.ts';
export { mseLoss, lossNorm, curvatureWeights, type LossOptions } from './loss.ts';
export { gradcheck, analyticGradient, randomBatch, type GradcheckOptions, type GradcheckResult } from './gradcheck.ts';
export { Adam, clipGradNorm, gradNorm, type AdamOptions } from './adam.ts';
export { learningRate, type LrSchedule, type LrOptions } from './schedule.ts';
export { BatchLoader, fromEpisodes, makeWindows, type Episode, type SequenceData } from './data.ts';
export { ShardedGrad, shardRanges } from './shards.ts';
export { trainSequences, evaluateLoss, type TrainOptions, type TrainResult, type EpochRecord } from './train.ts';
export { trainSequencesParallel, DEFAULT_TRAIN_WORKER_URL, type TrainParallelOptions } from './parallel.ts';
export { filterTask, type FilterTaskOptions } from './synthetic.ts';
export { measureStepTime, type StepTime } from './speed.ts';
