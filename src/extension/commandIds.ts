/**
 * Every command the extension contributes, in one table. `package.json` must agree with it:
 * test/unit/extension/manifest.test.ts checks ids, titles and palette visibility.
 * No vscode import here, so the table can be read by unit tests.
 */
export interface CommandSpec {
  readonly id: string;
  readonly title: string;
  /** Shown in the Command Palette (false: only reachable from CodeLens and other UI). */
  readonly palette: boolean;
}

export const CATEGORY = 'GradLens';

export const Commands = {
  explainGradient: { id: 'gradlens.explainGradient', title: 'Explain Gradient…', palette: true },
  showPanel: { id: 'gradlens.showPanel', title: 'Show Panel', palette: true },
  copyDerivation: { id: 'gradlens.copyDerivation', title: 'Copy Derivation as LaTeX', palette: true },
  runGradientCheck: { id: 'gradlens.runGradientCheck', title: 'Run Gradient Check', palette: true },
  newExercise: { id: 'gradlens.newExercise', title: 'New Exercise from Template', palette: true },
  toggleInlineValues: { id: 'gradlens.toggleInlineValues', title: 'Toggle Inline Values', palette: true },
  copyWorkedSolution: { id: 'gradlens.copyWorkedSolution', title: 'Copy Worked Solution', palette: true },
  insertWorkedSolution: { id: 'gradlens.insertWorkedSolution', title: 'Insert Worked Solution', palette: true },
  stopTraining: { id: 'gradlens.stopTraining', title: 'Stop Training', palette: true },
  showDetails: { id: 'gradlens.showDetails', title: 'Show Details', palette: false },
  trainFully: { id: 'gradlens.trainFully', title: 'Train Fully', palette: true },
  previewAssignment: { id: 'gradlens.previewAssignment', title: 'Preview Assignment as Student…', palette: true },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof Commands;

export const allCommands: readonly CommandSpec[] = Object.values(Commands);
