import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORY, Commands, allCommands } from '../../../src/extension/commandIds';
import { SECTION, Settings } from '../../../src/extension/settings';

const root = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

describe('package.json agrees with the extension code', () => {
  it('contributes exactly the commands of the table, with titles and the GradLens category', () => {
    const declared = contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, c.title, c.category]);
    expect(declared).toEqual(allCommands.map((c) => [c.id, c.title, CATEGORY]));
    for (const c of allCommands) expect(c.id.startsWith('gradlens.')).toBe(true);
  });

  it('hides from the Command Palette exactly the commands the table marks as not for the palette', () => {
    const hidden = contributes.menus.commandPalette.filter((m: { when: string }) => m.when === 'false').map((m: { command: string }) => m.command);
    expect(hidden.sort()).toEqual(allCommands.filter((c) => !c.palette).map((c) => c.id).sort());
    expect(Commands.showPanel.palette).toBe(true);
  });

  it('declares every setting with its default and a description, and nothing else', () => {
    const props = contributes.configuration.properties as Record<string, { default: unknown; description?: string; markdownDescription?: string }>;
    const expected = Object.values(Settings).map((s) => `${SECTION}.${s.key}`);
    expect(Object.keys(props).sort()).toEqual(expected.sort());
    for (const s of Object.values(Settings)) {
      const p = props[`${SECTION}.${s.key}`];
      expect(p.default).toEqual(s.default);
      expect((p.description ?? p.markdownDescription ?? '').length).toBeGreaterThan(20);
    }
  });

  it('activates through contributions only: the nn language has a configuration; Markdown, Python and Jupyter notebooks by their events', () => {
    expect(manifest.activationEvents).toEqual(['onLanguage:markdown', 'onLanguage:python', 'onNotebook:jupyter-notebook']);
    const nn = contributes.languages.find((l: { id: string }) => l.id === 'nn');
    expect(nn.extensions).toContain('.nn');
    // Without `configuration`, VS Code adds no implicit onLanguage:nn and the extension never activates.
    expect(existsSync(join(root, nn.configuration))).toBe(true);
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.capabilities.virtualWorkspaces).toBe(true);
  });

  it('Restricted Mode (issues #15, #14): a workspace cannot raise the budget or the timeout, nor turn hidden answers off; load_csv is limited', () => {
    const u = manifest.capabilities.untrustedWorkspaces;
    expect(u.supported).toBe('limited');
    expect(u.description).toContain('load_csv reads no files');
    // The ids the extension reads (settings.ts), so a renamed setting cannot silently drop out.
    expect(u.restrictedConfigurations).toEqual([`${SECTION}.${Settings.workBudget.key}`, `${SECTION}.${Settings.timeout.key}`, `${SECTION}.${Settings.answersHidden.key}`]);
    for (const id of u.restrictedConfigurations) expect(contributes.configuration.properties[id], id).toBeDefined();
  });

  it('points at grammars that exist and parse, including the ```nn injection into Markdown', () => {
    for (const g of contributes.grammars) {
      const grammar = JSON.parse(readFileSync(join(root, g.path), 'utf8'));
      expect(grammar.scopeName).toBe(g.scopeName);
    }
    const injection = contributes.grammars.find((g: { injectTo?: string[] }) => g.injectTo);
    expect(injection.injectTo).toEqual(['text.html.markdown']);
  });

  it('keeps the engine at or below the tested VS Code (code-server 4.100.3 = VS Code 1.100.3)', () => {
    expect(manifest.engines.vscode).toBe('^1.100.0');
    expect(manifest.devDependencies['@types/vscode']).toBe('1.100.0');
  });
});
