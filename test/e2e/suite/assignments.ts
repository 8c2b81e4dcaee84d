/**
 * Extension-host tests of issue #14's editor side: answers hidden (the setting and a handout) and
 * "Preview Assignment as Student…". Registered into the main suite (index.ts) after its tests.
 */
import * as vscode from 'vscode';
import { assert, assertIncludes, type Suite } from '../harness';
import { eventually, hoverText, lensTitles, lineOf, open, setSetting } from './vscodeHelpers';

export function assignmentTests(suite: Suite): void {
  suite.test('#14: with gradlens.answersHidden on, T1 shows ✓/✗ and placeholders, no gradient in lenses, hovers or inline values', async () => {
    const editor = await open('hw4-t1-residual.nn');
    const uri = editor.document.uri;
    await setSetting('answersHidden', true);
    await setSetting('inlineValues.enabled', true);
    try {
      // The lenses follow the setting (a presentation change): wait until the placeholders are there.
      let titles: string[] = [];
      await eventually(async () => (titles = await lensTitles(uri)).includes('∂z/∂w0 = ▢'), 20_000, 'the hidden lenses');
      // The homework's answers (∂z/∂w0 = −0.2, ∂z/∂w1 = 0.4, ∂z/∂b1 = 1) are not on any lens; ✓ per expect line.
      assert(!titles.some((t) => t.startsWith('∂z/∂') && !t.endsWith('▢')), `a gradient lens: ${titles.join(' | ')}`);
      for (const t of ['✓ grad(z, w0)', '✓ grad(z, w1)', '✓ grad(z, b0)', '✓ grad(z, b1)', '∂z/∂b1 = ▢']) assertIncludes(titles, t, 'hidden lenses');
      // The student's own lines keep their values.
      assertIncludes(titles, 'x1 = 0.4', 'value lens');
      const doc = editor.document;
      const w0 = await hoverText(uri, new vscode.Position(lineOf(doc, 'param w0'), 'param w'.length));
      assertIncludes(w0, 'w0 = 0.3', 'hover of w0');
      assert(!w0.includes('∂z'), `the hover of w0 shows a gradient: ${w0}`);
      const gradLine = lineOf(doc, 'grad z wrt');
      assertIncludes(await hoverText(uri, new vscode.Position(gradLine, 1)), 'Answers hidden', 'hover of the grad line');
      const hints = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', uri, new vscode.Range(0, 0, doc.lineCount, 0))) ?? [];
      const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
      assertIncludes(labels, '= 0.62', 'inline value of z');
      // Worked solutions and derivations are off, with a message (the command returns nothing).
      const md = await vscode.commands.executeCommand<string | undefined>('gradlens.copyWorkedSolution', { uri: uri.toString() });
      assert(md === undefined, 'Copy Worked Solution gave a solution while answers are hidden');
      const tex = await vscode.commands.executeCommand<string | undefined>('gradlens.copyDerivation', { uri: uri.toString(), of: 'z', wrt: 'w0' });
      assert(tex === undefined, 'Copy Derivation gave a derivation while answers are hidden');
      // New Exercise from Template: blanks instead of the homework's numbers.
      const created = await vscode.commands.executeCommand<vscode.Uri>('gradlens.newExercise', 't1-graph');
      const text = vscode.workspace.textDocuments.find((d) => d.uri.toString() === created.toString())!.getText();
      assertIncludes(text, 'answer grad(z, w0) == ?', 'blank template');
      assert(!text.includes('dz/dw0 = -0.2'), 'the template still has the homework\'s answers');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      await setSetting('answersHidden', undefined);
      await setSetting('inlineValues.enabled', undefined);
    }
    await eventually(async () => (await lensTitles(uri)).includes('∂z/∂w0 = -0.2'), 20_000, 'the gradients to come back');
  });
}
