/**
 * The GradLens panel (a placeholder for now): shows a summary of the active document.
 * Browser code: imports shared/ only; all user text goes through textContent.
 */
import type { FromPanel, PanelState, ToPanel } from '../shared/protocol';

declare function acquireVsCodeApi(): { postMessage(message: FromPanel): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;

function el(tag: string, text?: string, className?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function render(state: PanelState): void {
  root.replaceChildren();
  root.appendChild(el('h1', 'GradLens'));
  if (!state.file) {
    root.appendChild(el('p', 'Open a .nn file or a Markdown file with ```nn blocks.', 'muted'));
    return;
  }
  root.appendChild(el('p', state.file, 'file'));
  const list = el('ul');
  const item = (text: string) => list.appendChild(el('li', text));
  item(`${state.values} values, ${state.gradients} gradients`);
  if (state.checks.total) item(`gradient checks: ${state.checks.passed}/${state.checks.total} pass`);
  if (state.expectations.total) item(`expectations: ${state.expectations.passed}/${state.expectations.total} hold`);
  for (const n of state.networks) item(`network ${n.name}: ${n.params} parameters, ${n.layers} layers`);
  item(`${state.diagnostics.errors} errors, ${state.diagnostics.warnings} warnings`);
  root.appendChild(list);
  root.appendChild(el('p', 'The computation graph view will appear here.', 'muted'));
}

window.addEventListener('message', (event: MessageEvent<ToPanel>) => {
  const m = event.data;
  if (m && m.type === 'state') render(m.state);
});

vscode.postMessage({ type: 'ready' });
