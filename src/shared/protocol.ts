/**
 * Messages between the extension and the GradLens panel (webview). Discriminated on `type`.
 * The webview sends `ready` once its script runs and then receives its state as a message;
 * state is never pasted into the HTML.
 */

/** What the (placeholder) panel shows about the active document. */
export interface PanelState {
  readonly file: string | null;
  readonly values: number;
  readonly gradients: number;
  readonly checks: { readonly passed: number; readonly total: number };
  readonly expectations: { readonly passed: number; readonly total: number };
  readonly networks: readonly { readonly name: string; readonly params: string; readonly layers: number }[];
  readonly diagnostics: { readonly errors: number; readonly warnings: number };
}

export type ToPanel = { readonly type: 'state'; readonly state: PanelState };

export type FromPanel = { readonly type: 'ready' } | { readonly type: 'reveal'; readonly line: number };
