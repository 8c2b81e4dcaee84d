/**
 * Networks (§5): build a `network` block into a model with state_dict-named parameters,
 * report shapes, parameter counts, MACs and memory, and run it as ops on the tape.
 */
import './ops/index';

export { buildNetwork, NetworkModel, type NetEnv, type NetParam, type NetBuffer } from './model';
export { callNetwork, type NetCallContext } from './run';
export { formatSummary } from './summary';
export { findLayer, layerNames, LAYERS } from './layers';
export * as dims from './dims';
