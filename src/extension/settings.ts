/**
 * Setting keys and defaults, in one table (no vscode import: the manifest test reads it).
 * `config.ts` reads them at use through typed getters.
 */
export const SECTION = 'gradlens';

export const Settings = {
  precision: { key: 'precision', default: 4 },
  codeLensEnabled: { key: 'codeLens.enabled', default: true },
  codeLensGradients: { key: 'codeLens.gradients', default: true },
  inlineValues: { key: 'inlineValues.enabled', default: false },
  checkTolerance: { key: 'gradientCheck.tolerance', default: 1e-6 },
  debounce: { key: 'analysis.debounce', default: 50 },
  workBudget: { key: 'analysis.workBudget', default: 50_000_000 },
  timeout: { key: 'analysis.timeout', default: 10_000 },
  trainingTimeLimit: { key: 'training.timeLimit', default: 60 },
  pythonEnabled: { key: 'python.enabled', default: true },
  answersHidden: { key: 'answersHidden', default: false },
} as const;

export type SettingName = keyof typeof Settings;
