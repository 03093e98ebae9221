// Sane limits for model documents, checked before anything is allocated. They are far above
// what a robot controller needs (the lane keeper has 19 neurons and ~20k parameters) and far
// below what would exhaust a 512 MB Pi Zero 2 W: 16 M float64 elements are 128 MB.

export const LIMITS = {
  /** Largest file we read into memory at once (a 16 M-parameter model in JSON is ~350 MB). */
  maxFileBytes: 512 * 1024 * 1024,
  /** Elements in one tensor. */
  maxTensorElements: 16 * 1024 * 1024,
  /** Elements across all tensors of a model. */
  maxModelElements: 32 * 1024 * 1024,
  /** Rank of a tensor (conv weights are rank 4). */
  maxRank: 4,
  /** Width of any vector between stages (a 256×256×3 camera frame is 196 608). */
  maxWidth: 1 << 20,
  /** Neurons in a recurrent cell. */
  maxUnits: 4096,
  /** Stages in a pipeline. */
  maxStages: 64,
  /** Backbone layers in a CfC cell, layers in a wired cell. */
  maxLayers: 16,
  /** LTC solver sub-steps per step. */
  maxOdeUnfolds: 1000,
  /** Conv kernel side and stride. */
  maxKernel: 31,
  maxStride: 16,
  /** Magnitude of any weight: larger is a corrupted or diverged file, not a trained policy. */
  maxAbsWeight: 1e6,
  /** Steps in one predict sequence, and elements in a predict input. */
  maxSequenceSteps: 1_000_000,
  maxInputElements: 16 * 1024 * 1024,
  /** Largest elapsed time per step, seconds (a day). */
  maxDtS: 86_400,
} as const;
