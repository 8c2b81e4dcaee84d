/** The misconception engine (docs/misconceptions.md). */
export { diagnoseAnswer, quantityText } from './diagnose';
export { diagnosisMarkdown } from './markdown';
export { contextOf, networkEnv, quantityOf } from './resolve';
export { TAPE_CATALOGUE, RESULT_CATALOGUE, type TapeMisconception, type ResultMisconception, type Proposal, type Scope } from './catalogue';
export { COUNT_CATALOGUE, type CountMisconception, type CountProposal } from './counting';
export type { AnalysisContext, AnswerExpectation, Diagnosis, EarlierAnswer, Quantity } from './types';
