import * as vscode from 'vscode';
import type { LayerInfo } from '../core/analysis';
import type { AnswersView } from './answersView';
import { Commands } from './commandIds';
import type { Config } from './config';
import type { DetailKind, DetailRef } from './details';
import { toRange } from './ranges';
import { answerLens, checkLens, expectationLens, gradientLens, gradientsOf, isLiteralBinding, layerLens, networkLens, printLens, trainFullyOffered, trainingLens, valueLens } from './render';

/** CodeLens above bindings, grad/check/expect lines, layers and networks, from the cache. */
export class LensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(
    private readonly analyses: AnswersView,
    private readonly config: Config,
  ) {}

  refresh(): void {
    this.emitter.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.config.codeLensEnabled) return [];
    const version = document.version;
    const a = await this.analyses.get(document);
    if (!a || token.isCancellationRequested || document.version !== version) return [];
    const digits = this.config.precision;
    const uri = document.uri.toString();
    const lenses: vscode.CodeLens[] = [];
    const add = (span: { start: number; end: number }, title: string, kind: DetailKind, index: number, tooltip?: string) => {
      const ref: DetailRef = { uri, version, kind, index };
      lenses.push(new vscode.CodeLens(toRange(document, span), { title, tooltip, command: Commands.showDetails.id, arguments: [ref] }));
    };

    const showGradients = this.config.codeLensGradients;
    a.values.forEach((v, i) => {
      const grads = showGradients ? gradientsOf(a, i) : [];
      // `x0 = 1.0` needs no `x0 = 1` above it (only the gradients asked of it, if any).
      const literal = isLiteralBinding(document.getText(toRange(document, v.span)));
      if (literal && !grads.length) return;
      add(v.span, valueLens(v, digits, grads, literal), 'value', i, 'Show the full value');
    });
    a.gradients.forEach((g, i) => add(g.span, gradientLens(g, digits), 'gradient', i, 'Open the derivation'));
    a.checks.forEach((c, i) => add(c.span, checkLens(c), 'check', i, 'Show the gradient check'));
    if (a.hidden) {
      // Answers hidden (hiddenAnswers.ts): ✓/✗ per answer line, and a placeholder where a number was; the tooltip says why.
      for (const m of a.hidden.answers) lenses.push(new vscode.CodeLens(toRange(document, m.span), { title: m.title, tooltip: `${m.tooltip}\n\n${a.hidden.message}`, command: '' }));
      for (const it of a.hidden.items) lenses.push(new vscode.CodeLens(toRange(document, it.span), { title: it.title, tooltip: a.hidden.message, command: '' }));
    } else {
      a.expectations.forEach((e, i) => add(e.span, expectationLens(e, digits), 'expectation', i, 'Show both sides'));
      // The instructor's source (or a student's variant): each answer line with its key.
      for (const q of a.assignment?.questions ?? [])
        for (const ans of q.answers) lenses.push(new vscode.CodeLens(toRange(document, ans.span), { title: answerLens(ans, digits), tooltip: `${q.id} (${q.points} points): the key is what this line computes here`, command: '' }));
    }
    a.networks.forEach((n, i) => {
      add(n.span, networkLens(n), 'network', i, 'Show the network summary');
      const layer = (l: LayerInfo) => {
        add(l.span, layerLens(l), 'network', i, 'Show the network summary');
      };
      n.layers.forEach(layer);
    });
    // What a print(…) printed, above its line (all of it in the tooltip).
    for (const p of a.prints ?? []) lenses.push(new vscode.CodeLens(toRange(document, p.span), { title: printLens(p.text), tooltip: p.text, command: '' }));
    for (const t of a.trainings ?? []) {
      lenses.push(new vscode.CodeLens(toRange(document, t.span), { title: trainingLens(t, digits), tooltip: 'Show the loss curve in the GradLens panel', command: Commands.showPanel.id }));
      if (trainFullyOffered(t))
        lenses.push(new vscode.CodeLens(toRange(document, t.span), { title: '▶ Train fully', tooltip: 'Train again without the time limit (until it ends, Stop Training or an edit)', command: Commands.trainFully.id, arguments: [uri] }));
    }
    return lenses;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
