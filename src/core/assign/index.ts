/**
 * Assignments and grading (docs/grading.md): the markup is parsed by the `.nn` parser and
 * reported in Analysis.assignment; this module makes variants, handouts and keys, and grades.
 * Imported by the CLI and the editor (it is not re-exported by `src/core/index.ts`, which it
 * imports).
 */
export { handoutFor, variantFor, MAX_ATTEMPTS, STUDENT_ID, type AssignmentKind, type HandoutOptions, type HandoutResult, type KeyAnswer, type StudentKey, type VariantResult } from './handout';
export { selfcheckPasses, selfcheckRecords, selfcheckSalt, selfcheckStep } from './selfcheck';
export { allWithin, DEFAULT_TOLERANCE, toleranceText, toleranceWidth, withinTolerance, type Tolerance, type ToleranceKind } from './tolerance';
export { drawVaries, readVary, varySeed, type VarySpec } from './vary';
export { sha256Hex } from './sha256';
export type { AnswerInfo, AnswerStatus, AssignmentInfo, QuestionInfo } from '../analysis';
export { applyDraws } from './handout';
export { buildKey, constantValue, failedSubmission, csvCell, gradeSubmission, gradesCsv, gradescopeResults, keyCsv, prairielearnResults, readKey, safeFolderName, type AnswerGrade, type AnswerOutcome, type GradingKey, type QuestionGrade, type Submission, type SubmissionGrade } from './grade';
export { csvRows, readRoster } from './roster';
