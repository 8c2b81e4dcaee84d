/**
 * What a document shows when its analysis was ended from outside — the time limit
 * (`gradlens.analysis.timeout`) or the worker's memory limit (issue #15): what had been delivered
 * stays (the values stage: values, gradients, checks, expectations, diagnostics; or the epochs
 * a training had reported), and one diagnostic says which part was cut off, on the line it
 * concerns — never everything replaced by a warning at 0:0. Pure (no vscode): unit-tested.
 */
import { ANALYSIS_STAGES, type Analysis, type AnalysisStage } from '../core/analysis';

const STAGE_TEXT: Record<AnalysisStage, string> = { values: 'values', derivations: 'derivations', hovers: 'hovers', graph: 'the statement graph' };
import type { Diagnostic } from '../core/diagnostics';
import type { Span } from '../core/span';

export interface CutOff {
  readonly reason: { readonly kind: 'timeout'; readonly ms: number } | { readonly kind: 'out-of-memory'; readonly ms: number; readonly limitMb: number };
  /**
   * `explanation`: the values stage had arrived, the derivations, hovers and graph were cut off.
   * `evaluation`: nothing had arrived but training progress; the lines from the running one on were cut off.
   */
  readonly stage: 'explanation' | 'evaluation';
  /** The `train` line that was running (its progress had arrived), for `evaluation`. */
  readonly trainingLine?: number;
  readonly trainingTargets?: string;
  /** The 0-based line the worker was evaluating (AnalyzeOptions.onStatement), for `evaluation`. */
  readonly line?: number;
  /** The span of a 0-based line of the document (undefined past its end). */
  readonly lineSpan: (line: number) => Span | undefined;
}

function why(r: CutOff['reason']): { code: string; text: string; fix: string } {
  const s = `${(r.ms / 1000).toFixed(1)} s`;
  return r.kind === 'timeout'
    ? { code: 'gradlens.timeout', text: `The analysis was stopped after ${s} (the time limit)`, fix: 'Raise "gradlens.analysis.timeout" or lower "gradlens.analysis.workBudget".' }
    : {
        code: 'gradlens.out-of-memory',
        text: `The analysis ran out of memory after ${s} (the analysis worker may use ${r.limitMb} MB) and was ended`,
        fix: 'Use smaller tensors, fewer layers or a smaller file; a fresh worker analyses the next change.',
      };
}

/** `base` (what was delivered) with the diagnostic that says what was cut off and where. */
export function withCutOff(base: Analysis, c: CutOff): Analysis {
  const w = why(c.reason);
  let message: string;
  let span: Span | undefined;
  if (c.stage === 'explanation') {
    // The partial analysis says the last stage it holds (AnalysisStage); what came after is cut.
    const after = ANALYSIS_STAGES.slice(ANALYSIS_STAGES.indexOf(base.stage ?? 'values') + 1).map((s) => STAGE_TEXT[s]);
    const list = after.length <= 1 ? (after[0] ?? 'nothing') : `${after.slice(0, -1).join(', ')} and ${after[after.length - 1]}`;
    message = `${w.text} while writing ${list}: ${after.length === 1 ? 'it is' : 'those are'} cut off; the values, gradients, checks and diagnostics shown are complete. ${w.fix}`;
    // A derivation belongs to a `grad` line: the first one; without any, the first value's line.
    const line = base.gradients[0]?.line ?? base.values[0]?.line ?? 0;
    span = c.lineSpan(line);
  } else if (c.trainingLine !== undefined && (c.line === undefined || c.line === c.trainingLine)) {
    message = `${w.text} during this training${c.trainingTargets ? ` of ${c.trainingTargets}` : ''}: the epochs it reported are shown; this line and the lines after it were not finished (no values, checks or diagnostics from here on). ${w.fix}`;
    span = c.lineSpan(c.trainingLine);
  } else if (c.line !== undefined) {
    message = `${w.text} while evaluating this line: the document's results were not ready (the lines before it were evaluated, this one and those after it were not). ${w.fix}`;
    span = c.lineSpan(c.line);
  } else {
    message = `${w.text} before any result was ready: nothing of this document was evaluated. ${w.fix}`;
    span = c.lineSpan(0);
  }
  const diagnostic: Diagnostic = { code: w.code, severity: 'warning', message, span: span ?? { start: 0, end: 0 } };
  // The result stands for this version now: no longer "partial, more to come".
  const { stage: _stage, ...rest } = base;
  return { ...rest, diagnostics: [...base.diagnostics, diagnostic].sort((a, b) => a.span.start - b.span.start) };
}
