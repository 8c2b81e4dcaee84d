/**
 * Training (docs/training.md): the `train` statement's runner, PyTorch's optimisers,
 * `load_csv` and `accuracy`, and a text sparkline for reports.
 */
import './csv';
import './metrics';

export { runTraining } from './run';
export type { TrainHost, TrainProgress, ProgressCallback } from './host';
export { createOptimizer, SGD_DEFAULTS, ADAM_DEFAULTS, ADAMW_DEFAULTS, type Optimizer, type OptimizerSpec } from './optim';
export { describeOptimizer } from './optimizerArgs';
export { parseCsv, isCsvProblem, type CsvTable } from './csv';
export { accuracyOf } from './metrics';
export { sparkline } from './sparkline';
