/**
 * Extension-host tests of issue #14's editor side: answers hidden (the setting and a handout) and
 * "Preview Assignment as Student…". Registered into the main suite (index.ts) after its tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assert, assertIncludes, type Suite } from '../harness';
import { eventually, hoverText, lensTitles, lineOf, open, setSetting, until, workspaceFile } from './vscodeHelpers';

/** The part of the extension's API (src/extension/activate.ts) these tests read. */
interface PanelApi {
  panelState(): { file: string | null; questions?: { id: string; points: number; answers: { id: string; key?: string; status: string }[] }[]; hiddenNote?: string };
}

/**
 * test/fixtures/assignment-t1.nn, read from the worktree the tests run from (out/e2e/suite): T1
 * with x0 = 1.5 and w0 drawn per student (test/unit/extension/hiddenAnswers.test.ts). By hand, for
 * s001 (w0 = 0.5, the core's draw for seed 7): x1 = 0.85, z = 0.9025, ∂z/∂w0 = w1·x0 = −0.525,
 * ∂z/∂w1 = x1 = 0.85; the source itself (w0 = 0.3): x1 = 0.55.
 */
const SOURCE = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'assignment-t1.nn'), 'utf8');

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

  suite.test('#14: Preview Assignment as Student… picks s001 from roster.csv and opens the handout with their numbers and the variant with the key', async () => {
    const source = workspaceFile('assignment-t1.nn');
    await vscode.workspace.fs.writeFile(source, Buffer.from(SOURCE));
    await vscode.workspace.fs.writeFile(workspaceFile('roster.csv'), Buffer.from('id,name\ns001,Ada Lovelace\ns002,Alan Turing\n'));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(source));
    // The instructor's source: each answer line with its key (w0 = 0.3 here, the first choice: x1 = 0.55).
    const keys = await eventually(async () => {
      const t = await lensTitles(source);
      return t.some((x) => x.startsWith('key T1.2')) && t;
    }, 20_000, 'the key lenses of the source');
    assertIncludes(keys, 'key T1.1 = 0.55 · tolerance rel 0.01', 'key lens');
    assertIncludes(keys, 'key T1.2 = -0.525 · tolerance rel 0.01', 'key lens');
    // The panel: the key beside each question for the instructor.
    await vscode.commands.executeCommand('gradlens.showPanel');
    await vscode.window.showTextDocument(editor.document);
    const api = vscode.extensions.getExtension<PanelApi>('gradlens.gradlens')!.exports;
    const q = await until(() => {
      const st = api.panelState();
      return st.file?.endsWith('assignment-t1.nn') && st.questions?.[0];
    }, 20_000, 'the panel\'s questions of the source');
    assert(q.id === 'T1' && q.points === 4, `question ${JSON.stringify(q)}`);
    assert(JSON.stringify(q.answers.map((x) => x.key)) === JSON.stringify(['0.55 · tolerance rel 0.01', '-0.525 · tolerance rel 0.01', '0.55 · tolerance rel 0.01']), `panel keys ${JSON.stringify(q.answers)}`);
    // No student given: the quick pick lists roster.csv; its first row (s001) is accepted.
    const pending = Promise.resolve(vscode.commands.executeCommand<{ student: string; handout?: string; variant?: string }>('gradlens.previewAssignment', { uri: editor.document.uri.toString() }));
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    while (!settled) {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await Promise.race([pending.catch(() => undefined), new Promise((r) => setTimeout(r, 100))]);
    }
    const result = await pending;
    assert(result?.student === 's001' && result.handout && result.variant, `preview result ${JSON.stringify(result)}`);
    const handout = vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.handout)!;
    const variant = vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.variant)!;
    const text = handout.getText();
    for (const part of ['handout student "s001"', 'param w0 = 0.5', 'answer grad(z, w0) == ?', 'selfcheck T1.2']) assertIncludes(text, part, 'handout');
    assert(!text.includes('seed 7') && !text.includes('0.525'), 'the handout carries the seed or the key');
    assertIncludes(variant.getText(), 'param w0 = 0.5', 'variant');
    const variantLenses = await eventually(async () => {
      const t = await lensTitles(variant.uri);
      return t.some((x) => x.startsWith('key T1.2')) && t;
    }, 20_000, 'the key lenses of the variant');
    assertIncludes(variantLenses, 'key T1.1 = 0.85 · tolerance rel 0.01', 'variant key lens');
    assertIncludes(variantLenses, 'key T1.3 = 0.85 · tolerance rel 0.01', 'variant key lens');

    // The student fills in the handout: x1 right, ∂z/∂w1 with the sign flipped, ∂z/∂w0 left blank.
    const he = await vscode.window.showTextDocument(handout);
    const line = (start: string) => lineOf(handout, start);
    await he.edit((b) => {
      b.replace(handout.lineAt(line('answer x1')).range, 'answer x1 == 0.85');
      b.replace(handout.lineAt(line('answer grad(z, w1)')).range, 'answer grad(z, w1) == -0.85');
    });
    const titles = await eventually(async () => {
      const t = await lensTitles(handout.uri);
      return t.includes('✓ T1.1 x1') && t;
    }, 20_000, 'the ✓/✗ lenses of the filled-in handout');
    assertIncludes(titles, '✗ T1.3 grad(z, w1) · sign-flip', 'handout lens');
    assertIncludes(titles, '○ T1.2 grad(z, w0)', 'handout lens');
    assertIncludes(titles, 'x1 = ▢', 'handout lens');
    // No answer number on any lens: the key −0.525, z = 0.9025, y1 = −0.5975.
    for (const n of ['0.525', '0.9025', '0.5975']) assert(!titles.some((t) => t.includes(n)), `a lens shows ${n}: ${titles.join(' | ')}`);
    const w0 = await hoverText(handout.uri, new vscode.Position(line('param w0'), 'param w'.length));
    assertIncludes(w0, 'w0 = 0.5', 'hover of w0 in the handout');
    assert(!w0.includes('∂z') && !w0.includes('0.525'), `the hover of w0 shows a gradient: ${w0}`);
    const why = await hoverText(handout.uri, new vscode.Position(line('z = ReLU'), 0));
    assertIncludes(why, 'this is a handout (student s001)', 'hover of a hidden line');
    // Worked solutions are off in the handout (no release flag).
    const md = await vscode.commands.executeCommand<string | undefined>('gradlens.copyWorkedSolution', { uri: handout.uri.toString() });
    assert(md === undefined, 'Copy Worked Solution gave a solution in a handout');
    for (const d of [handout, variant]) {
      await vscode.window.showTextDocument(d);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
}

