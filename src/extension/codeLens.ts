import * as vscode from 'vscode';
import type { LayerInfo } from '../core/analysis';
import type { AnalysisService } from './analysisService';
import { Commands } from './commandIds';
import type { Config } from './config';
import type { DetailKind, DetailRef } from './details';
import { toRange } from './ranges';
import { checkLens, expectationLens, gradientLens, gradientsOf, layerLens, networkLens, printLens, trainingLens, valueLens } from './render';

/** CodeLens above bindings, grad/check/expect lines, layers and networks, from the cache. */
export class LensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(
    private readonly analyses: AnalysisService,
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
    a.values.forEach((v, i) => add(v.span, valueLens(v, digits, showGradients ? gradientsOf(a, i) : []), 'value', i, 'Show the full value'));
    a.gradients.forEach((g, i) => add(g.span, gradientLens(g, digits), 'gradient', i, 'Open the derivation'));
    a.checks.forEach((c, i) => add(c.span, checkLens(c), 'check', i, 'Show the gradient check'));
    a.expectations.forEach((e, i) => add(e.span, expectationLens(e, digits), 'expectation', i, 'Show both sides'));
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
    }
    return lenses;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
