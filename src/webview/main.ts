/**
 * The GradLens panel (browser code; imports shared/ and the pure modules beside it, never core).
 * The extension posts a PanelState after every analysis; this script patches the page in place
 * (keyed SVG nodes, zoom/pan kept) and answers `rendered` with how long it took. All user text
 * goes through textContent; KaTeX builds its DOM itself (no innerHTML), so the CSP needs no
 * 'unsafe-inline'.
 */
import katex from 'katex';
import type { ExportFormat, FromPanel, PanelGradient, PanelLiveTraining, PanelMisconception, PanelNetwork, PanelState, PanelTraining, ToPanel } from '../shared/protocol';
import { lineChart } from './chart';
import { displayGraph, displayPaths, displayRequest, focusGraph, FOCUS_LIMIT, gradientPaths, visibleGraph, type DisplayGraph } from './graphModel';
import { boxesOutside, clip, edgeMidpoint, edgePath, fitView, LINE_HEIGHT, MIN_AUTO_SCALE, requestSignature, zoomAt, type Direction, type GraphLayout } from './layout';
import { LayoutRunner, type LayoutResult, type WorkerLike } from './layoutRunner';
import { layerName, tableCsv, tableMarkdown } from './table';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What survives hiding the view (webview getState/setState) and new analyses. */
interface UiState {
  file: string | null;
  direction: Direction;
  collapsed: string[];
  /** Statements shown as their operations. */
  expanded: string[];
  /** Large graphs: show every node instead of the focused part. */
  showAll?: boolean;
  selected: { of: string; wrt: string } | null;
  view: { scale: number; x: number; y: number } | null;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A misconception: its message, then the correct step beside the one it changes (user text via textContent). */
function misconceptionView(m: PanelMisconception): HTMLElement {
  const box = el('div', 'misconception');
  box.dataset.code = m.code;
  box.append(el('div', 'misconception-message', m.message));
  if (m.correct !== undefined && m.changed !== undefined) {
    const t = el('table', 'misconception-step');
    for (const [k, v] of [['correct', m.correct], [m.code === 'carried-forward' ? 'from your answers' : 'as the misconception has it', m.changed]]) {
      const tr = el('tr');
      tr.append(el('th', undefined, k), el('td', undefined, v));
      t.append(tr);
    }
    box.append(t);
  }
  return box;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, className?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (className) e.setAttribute('class', className);
  return e;
}

function button(label: string, title: string, onClick: () => void, className = 'btn'): HTMLButtonElement {
  const b = el('button', className, label);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

function section(id: string, title: string): { root: HTMLDetailsElement; body: HTMLElement; summary: HTMLElement } {
  const root = el('details', 'section');
  root.id = id;
  root.open = true;
  const summary = el('summary', undefined, title);
  const body = el('div', 'section-body');
  root.append(summary, body);
  return { root, body, summary };
}

class PanelApp {
  private state: PanelState | undefined;
  /** Training progress of a running analysis of the state's document (issue #8), until its state arrives. */
  private live: { uri: string; version: number; trainings: readonly PanelLiveTraining[] } | undefined;
  private ui: UiState;
  private layout: GraphLayout | undefined;
  private lastLayout: LayoutResult | undefined;
  private readonly runner: LayoutRunner;
  /** The state whose `rendered` answer waits for its layout. */
  private pendingAnswer: { seq: number; nodes: number; t0: number; renderMs: number } | undefined;
  private inStateMessage = false;
  private fitNext = false;
  /** The boxes of the last drawing (to tell new ones). */
  private drawnBoxes = new Set<string>();
  private shownOf = '';
  private readonly frame = el('div', 'graph-frame');
  private readonly focusButton = button('Focus', `Beyond ${FOCUS_LIMIT} nodes: show only the selected gradient's paths (or the last statements) and their neighbours`, () => {
    this.ui.showAll = !this.ui.showAll;
    this.renderGraph(true);
  });
  private cursorLine = -1;
  private readonly nodeEls = new Map<string, SVGGElement>();
  private readonly edgeEls = new Map<string, SVGGElement>();
  private lastTex = '';

  private readonly header = el('div', 'header');
  private readonly graph = section('graph', 'Computation graph');
  private readonly derivation = section('derivation', 'Derivation');
  private readonly questions = section('questions', 'Questions');
  private readonly checks = section('checks', 'Checks and expectations');
  private readonly networks = section('networks', 'Networks');
  private readonly training = section('training', 'Training');
  private readonly problems = section('problems', 'Problems');
  private readonly chips = el('div', 'chips');
  private readonly svgRoot = svg('svg', {}, 'graph-svg');
  private readonly viewport = svg('g', {}, 'viewport');
  private readonly edgeLayer = svg('g', {}, 'edges');
  private readonly nodeLayer = svg('g', {}, 'nodes');
  private readonly labelLayer = svg('g', {}, 'edge-labels');
  private readonly graphInfo = el('span', 'muted graph-info');
  /** Said instead of an empty graph box (a file with only networks, or nothing bound yet). */
  private readonly graphEmpty = el('p', 'muted graph-empty', 'No statements to draw: the graph shows bindings such as `x1 = ReLU(x0 * w0 + b0)` (networks are in their own section below).');
  private readonly texBox = el('div', 'tex');
  private readonly mdBox = el('pre', 'derivation-text');
  /** A failed expect's misconceptions about the shown gradient: the correct step beside the changed one. */
  private readonly miscBox = el('div', 'misconceptions');

  constructor(
    private readonly root: HTMLElement,
    private readonly vscode: VsCodeApi,
  ) {
    const saved = vscode.getState() as Partial<UiState> | undefined;
    this.ui = { file: null, direction: 'LR', collapsed: [], expanded: [], selected: null, view: null, ...(saved ?? {}) };
    this.runner = new LayoutRunner(createLayoutWorker, (r) => this.onLayout(r), (m) => console.warn(`GradLens: ${m}`));
    this.build();
  }

  private post(m: FromPanel): void {
    this.vscode.postMessage(m);
  }

  private save(): void {
    this.vscode.setState(this.ui);
  }

  // ---- skeleton ----------------------------------------------------------------------------

  private build(): void {
    this.root.replaceChildren();
    this.header.append(el('h1', undefined, 'GradLens'), el('span', 'file muted', 'Open a .nn file or a Markdown file with ```nn blocks.'));
    const toolbar = el('div', 'toolbar');
    toolbar.append(
      button('Fit', 'Fit the graph into the view', () => this.fit()),
      button('+', 'Zoom in', () => this.zoomBy(1.25)),
      button('−', 'Zoom out', () => this.zoomBy(0.8)),
      button('⇄', 'Left-to-right or top-to-bottom', () => {
        this.ui.direction = this.ui.direction === 'LR' ? 'TB' : 'LR';
        this.ui.view = null;
        this.renderGraph(true);
      }),
      button('Expand all', 'Show every collapsed node again (and every node of a large graph)', () => {
        this.ui.collapsed = [];
        this.ui.showAll = true;
        this.renderGraph(true);
      }),
      this.focusButton,
      button('SVG', 'Save the graph as SVG', () => this.exportGraph('svg')),
      button('PNG', 'Save the graph as PNG', () => void this.exportGraph('png')),
      this.graphInfo,
    );
    const defs = svg('defs');
    const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z' }, 'arrow-head'));
    const markerOn = svg('marker', { id: 'arrow-on', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    markerOn.append(svg('path', { d: 'M0,0 L10,5 L0,10 z' }, 'arrow-head on-path'));
    defs.append(marker, markerOn);
    this.viewport.append(this.edgeLayer, this.nodeLayer, this.labelLayer);
    this.svgRoot.append(defs, this.viewport);
    this.svgRoot.setAttribute('role', 'img');
    this.svgRoot.setAttribute('aria-label', 'Computation graph');
    const frame = this.frame;
    frame.append(this.svgRoot);
    this.graph.body.append(this.graphEmpty, toolbar, this.chips, frame, el('p', 'hint muted', 'Click a node to reveal its line; click a gradient to highlight its paths; − collapses what feeds a node, ⋯ shows the operations inside a statement. Wheel zooms, drag pans.'));
    const asText = el('details', 'as-text');
    asText.append(el('summary', 'muted', 'As text (the CLI\'s explain)'), this.mdBox);
    this.derivation.body.append(this.texBox, this.miscBox, asText);
    this.root.append(this.header, this.graph.root, this.derivation.root, this.questions.root, this.checks.root, this.networks.root, this.training.root, this.problems.root);
    this.installPanZoom(frame);
  }

  private installPanZoom(frame: HTMLElement): void {
    frame.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = this.svgRoot.getBoundingClientRect();
        this.ui.view = zoomAt(this.view(), Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
        this.applyView();
      },
      { passive: false },
    );
    let drag: { x: number; y: number; vx: number; vy: number } | undefined;
    frame.addEventListener('pointerdown', (e) => {
      if ((e.target as Element).closest('.node')) return;
      const v = this.view();
      drag = { x: e.clientX, y: e.clientY, vx: v.x, vy: v.y };
      frame.setPointerCapture(e.pointerId);
      frame.classList.add('panning');
    });
    frame.addEventListener('pointermove', (e) => {
      if (!drag) return;
      this.ui.view = { scale: this.view().scale, x: drag.vx + e.clientX - drag.x, y: drag.vy + e.clientY - drag.y };
      this.applyView();
    });
    const end = () => {
      if (drag) this.save();
      drag = undefined;
      frame.classList.remove('panning');
    };
    frame.addEventListener('pointerup', end);
    frame.addEventListener('pointercancel', end);
  }

  private view(): { scale: number; x: number; y: number } {
    return this.ui.view ?? { scale: 1, x: 0, y: 0 };
  }

  private applyView(): void {
    const v = this.view();
    this.viewport.setAttribute('transform', `translate(${v.x.toFixed(1)},${v.y.toFixed(1)}) scale(${v.scale.toFixed(4)})`);
  }

  /** Fit the graph into the view: the Fit button to any scale, automatic fits no smaller than MIN_AUTO_SCALE. */
  private fit(auto = false): void {
    if (!this.layout) return;
    const r = this.svgRoot.getBoundingClientRect();
    this.ui.view = fitView(this.layout.width, this.layout.height, r.width, r.height, auto ? MIN_AUTO_SCALE : 0);
    this.applyView();
    this.save();
  }

  private zoomBy(f: number): void {
    const r = this.svgRoot.getBoundingClientRect();
    this.ui.view = zoomAt(this.view(), f, r.width / 2, r.height / 2);
    this.applyView();
    this.save();
  }

  // ---- updates -----------------------------------------------------------------------------

  onMessage(m: ToPanel): void {
    switch (m.type) {
      case 'state': {
        const t0 = performance.now();
        const newFile = m.state.file !== this.ui.file;
        if (newFile) {
          this.ui = { ...this.ui, file: m.state.file, collapsed: [], expanded: [], showAll: false, selected: null, view: null };
          this.cursorLine = -1;
        }
        this.state = m.state;
        // The analysis that was training has landed (or another document is shown): final curves.
        if (this.live && (this.live.uri !== m.state.uri || m.state.version >= this.live.version)) this.live = undefined;
        // Answered when the graph of this state is on screen: now, or when its layout arrives.
        const before = this.lastLayout;
        this.pendingAnswer = { seq: m.seq, nodes: m.state.graph.nodes.length, t0, renderMs: 0 };
        this.inStateMessage = true;
        try {
          this.renderAll();
        } finally {
          this.inStateMessage = false;
        }
        const renderMs = performance.now() - t0;
        if (this.runner.pending) {
          this.pendingAnswer.renderMs = renderMs;
        } else {
          const laidOut = this.lastLayout !== before ? this.lastLayout : undefined;
          if (this.pendingAnswer?.seq === m.seq) this.answerPending(laidOut, 0, renderMs);
        }
        this.save();
        return;
      }
      case 'progress': {
        if (!this.state || m.uri !== this.state.uri) return;
        this.live = { uri: m.uri, version: m.version, trainings: m.trainings };
        this.renderTrainings(this.state.trainings);
        this.post({ type: 'progressRendered', seq: m.seq, epoch: Math.max(0, ...m.trainings.map((t) => t.epoch)) });
        return;
      }
      case 'cursor':
        if (this.state && m.uri === this.state.uri) {
          this.cursorLine = m.line;
          this.markCursor();
        }
        return;
    }
  }

  /** Tells the extension the pending state is on screen (after the next frame; a hidden page gets none: 200 ms). */
  private answerPending(laidOut: LayoutResult | undefined, drawMs: number, renderMs?: number): void {
    const p = this.pendingAnswer;
    if (!p) return;
    this.pendingAnswer = undefined;
    const mainMs = (renderMs ?? p.renderMs) + drawMs - (laidOut?.where === 'main' ? laidOut.ms : 0);
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      this.post({
        type: 'rendered',
        seq: p.seq,
        nodes: p.nodes,
        layoutMs: laidOut?.ms ?? 0,
        renderMs: mainMs,
        relayout: !!laidOut,
        ...(laidOut ? { layoutIn: laidOut.where, layoutWaitMs: laidOut.waitMs } : {}),
        toScreenMs: performance.now() - p.t0,
      });
    };
    requestAnimationFrame(answer);
    setTimeout(answer, 200);
  }

  private renderAll(): void {
    const s = this.state!;
    const file = this.header.querySelector('.file')!;
    file.textContent = s.file ?? 'Open a .nn file or a Markdown file with ```nn blocks.';
    file.className = s.file ? 'file' : 'file muted';
    this.renderGraph(false);
    this.renderDerivation();
    this.renderQuestions(s);
    this.renderChecks(s);
    this.renderNetworks(s.networks);
    this.renderTrainings(s.trainings);
    this.renderProblems(s);
    this.markCursor();
  }

  // ---- the graph ---------------------------------------------------------------------------

  /**
   * Draws the graph of the current state. When the structure (or a box size) changed, the layout
   * is asked of the worker and the last drawing stays on screen, interactive, until it comes
   * (onLayout); new numbers alone are patched into the current layout at once.
   */
  private renderGraph(userAction: boolean): void {
    const s = this.state;
    if (!s) return;
    const { vis, display } = this.displayOf(s);
    this.graph.summary.textContent = `Computation graph (${s.graph.nodes.length} nodes)`;
    const empty = !s.graph.nodes.length;
    this.graph.root.classList.toggle('empty', empty);
    // No 0-node box: say why instead, and hide the graph's tools.
    this.graphEmpty.hidden = !empty;
    for (const e of this.graph.body.children) if (e !== this.graphEmpty) (e as HTMLElement).hidden = empty;
    this.renderChips(s.gradients);
    const request = displayRequest(display, this.ui.direction);
    const signature = requestSignature(request);
    this.shownOf = vis.nodes.length < s.graph.nodes.length ? `${vis.nodes.length} of ${s.graph.nodes.length} shown${vis.focused ? (this.ui.selected ? ' (the selected gradient\'s paths and their neighbours)' : ' (the last statements; select a gradient to follow its paths)') : ''}` : '';
    if (signature === this.layout?.signature) {
      this.runner.settle(signature);
      this.frame.classList.remove('laying-out');
      this.draw(display, this.layout);
      if (userAction) this.save();
      return;
    }
    if (userAction || !this.ui.view) this.fitNext = true;
    this.runner.request(request, signature);
    if (this.runner.pending) {
      this.graphInfo.textContent = `laying out ${display.items.length} boxes…`;
      this.frame.classList.add('laying-out');
    }
    if (userAction) this.save();
  }

  /** What is drawn: collapsed nodes hidden, a large graph focused, expanded statements as their ops. */
  private displayOf(s: PanelState): { vis: ReturnType<typeof focusGraph>; display: DisplayGraph } {
    const all = visibleGraph(s.graph.nodes, s.graph.edges, new Set(this.ui.collapsed));
    const sel = this.ui.selected;
    const g = sel && s.gradients.find((x) => x.of === sel.of && x.wrt === sel.wrt);
    const large = all.nodes.length > FOCUS_LIMIT;
    const vis = large && !this.ui.showAll ? focusGraph(all, g ? gradientPaths(s.graph.nodes, s.graph.edges, g).nodes : undefined) : { ...all, focused: false };
    this.focusButton.hidden = !large;
    this.focusButton.textContent = this.ui.showAll ? 'Focus' : `Show all ${all.nodes.length}`;
    // Boxes show ∂OUT/∂node for the selected gradient's output (the first gradient's without a selection).
    return { vis, display: displayGraph(vis, new Set(this.ui.expanded), g ? g.of : s.gradients[0]?.of) };
  }

  /** A layout arrived (from the worker, or computed here): draw the current state with it. */
  private onLayout(r: LayoutResult): void {
    const s = this.state;
    if (!s) return;
    const { display } = this.displayOf(s);
    const request = displayRequest(display, this.ui.direction);
    const signature = requestSignature(request);
    if (signature !== r.layout.signature) {
      // Not what is wanted now (cannot happen in order, but never draw with a layout that lacks boxes).
      this.runner.request(request, signature);
      return;
    }
    this.layout = r.layout;
    this.lastLayout = r;
    if (!this.runner.pending) this.frame.classList.remove('laying-out');
    const t = performance.now();
    this.draw(display, r.layout);
    const drawMs = performance.now() - t;
    // During a state message the message answers itself (the layout ran here, synchronously).
    if (!this.inStateMessage) this.answerPending(r, drawMs);
  }

  private draw(display: DisplayGraph, layout: GraphLayout): void {
    const s = this.state!;
    this.graphInfo.textContent = this.shownOf;
    const collapsed = new Set(this.ui.collapsed);
    const sel = this.ui.selected;
    const g = sel && s.gradients.find((x) => x.of === sel.of && x.wrt === sel.wrt);
    const gp = g ? gradientPaths(s.graph.nodes, s.graph.edges, g) : undefined;
    const paths = gp ? displayPaths(display, gp.of, gp.wrt) : undefined;
    const ends = gp ? { of: gp.of !== undefined ? display.outOf.get(gp.of) : undefined, wrt: gp.wrt !== undefined ? display.outOf.get(gp.wrt) : undefined } : undefined;
    const fanOut = new Map<number, number>();
    for (const e of s.graph.edges) fanOut.set(e.from, (fanOut.get(e.from) ?? 0) + 1);
    const producers = new Set(s.graph.edges.map((e) => e.to));

    // Boxes, keyed by binding (b:name#k) or op (name#k/o2), so an edit elsewhere moves rather than redraws them.
    const keep = new Set<string>();
    for (const item of display.items) {
      const box = layout.nodes.get(item.id);
      if (!box) continue;
      keep.add(item.id);
      const n = item.node;
      let el = this.nodeEls.get(item.id);
      if (!el) {
        el = svg('g');
        el.append(item.kind === 'op' ? svg('ellipse') : svg('rect', { rx: 4, ry: 4 }), svg('text'), svg('title'));
        const g = el;
        el.addEventListener('click', (e) => this.onNodeClick(e, g));
        this.nodeLayer.append(el);
        this.nodeEls.set(item.id, el);
      }
      el.dataset.id = String(n.id);
      el.dataset.key = n.key;
      el.dataset.line = String(n.line);
      el.dataset.name = n.name;
      const classes = ['node', item.kind === 'binding' ? `kind-${n.kind}` : item.kind === 'op' ? 'op-node' : `value-box${item.op?.kind !== 'op' ? ' kind-const' : ''}`];
      if (item.kind === 'binding' || item.result) {
        if ((fanOut.get(n.id) ?? 0) > 1) classes.push('fork');
        if (collapsed.has(n.key)) classes.push('collapsed');
      }
      if (item.result) classes.push('result');
      if (paths?.items.has(item.id)) classes.push('on-path');
      if (ends?.wrt === item.id) classes.push('wrt');
      if (ends?.of === item.id) classes.push('of');
      el.setAttribute('class', classes.join(' '));
      el.setAttribute('transform', `translate(${(box.x - box.width / 2).toFixed(1)},${(box.y - box.height / 2).toFixed(1)})`);
      const [shape, text, title] = [el.children[0], el.children[1], el.children[2]] as [SVGElement, SVGTextElement, SVGTitleElement];
      if (item.kind === 'op') {
        shape.setAttribute('cx', String(box.width / 2));
        shape.setAttribute('cy', String(box.height / 2));
        shape.setAttribute('rx', String(box.width / 2));
        shape.setAttribute('ry', String(box.height / 2));
        text.setAttribute('x', String(box.width / 2));
        text.setAttribute('y', String(box.height / 2 + 4));
        text.setAttribute('text-anchor', 'middle');
        if (text.textContent !== item.lines[0]) text.textContent = item.lines[0];
        title.textContent = `${item.op!.op} in ${n.name}'s statement (line ${n.line + 1})`;
      } else {
        shape.setAttribute('width', String(box.width));
        shape.setAttribute('height', String(box.height));
        this.setLines(text, [...item.lines], item.kind === 'value' && !item.result ? -1 : 0);
        const fan = fanOut.get(n.id) ?? 0;
        title.textContent =
          item.kind === 'binding' || item.result
            ? `${n.name} (line ${n.line + 1})${n.kind === 'op' ? ` = ${n.op}` : ''}\nvalue ${n.value}${n.grads?.length ? n.grads.map((x) => `\n∂${x.of}/∂${n.name} = ${x.value}`).join('') : n.grad !== undefined ? `\ngradient ${n.grad}` : ''}${fan > 1 ? `\nfork: used by ${fan} statements (gradients add up)` : ''}`
            : `${item.op!.kind === 'op' ? `the value of ${item.op!.op}` : item.op!.kind} in ${n.name}'s statement (line ${n.line + 1})\nvalue ${item.op!.value}${item.op!.grad !== undefined ? `\ngradient ${item.op!.grad}` : ''}`;
      }
      // The collapse toggle (bindings with inputs) and the expand control (statements with ops).
      this.setToggle(el, 'toggle', item.kind === 'binding' && producers.has(n.id), box.width - 8, 8, collapsed.has(n.key) ? '+' : '−', collapsed.has(n.key) ? 'Expand: show what feeds this node' : 'Collapse: hide what feeds only this node');
      const opsToggle = (item.kind === 'binding' && !!n.ops?.length) || !!item.result;
      this.setToggle(el, 'expand', opsToggle, box.width - 8, 26, item.result ? '▣' : '⋯', item.result ? `Fold: show ${n.name}'s statement as one node again` : `Expand: show the ${n.ops?.filter((o) => o.kind === 'op').length ?? 0} operations inside ${n.name}'s statement`);
    }
    for (const [k, el] of this.nodeEls) if (!keep.has(k)) (el.remove(), this.nodeEls.delete(k));

    const name = new Map(s.graph.nodes.map((n) => [n.id, n.name]));
    const routes = new Map(layout.edges.map((r) => [`${r.from}>${r.to}`, r]));
    const keepE = new Set<string>();
    this.labelLayer.replaceChildren();
    for (const link of display.links) {
      const route = routes.get(`${link.from}>${link.to}`);
      if (!route) continue;
      keepE.add(link.id);
      let el = this.edgeEls.get(link.id);
      if (!el) {
        el = svg('g');
        el.append(svg('path'), svg('title'));
        this.edgeLayer.append(el);
        this.edgeEls.set(link.id, el);
      }
      const on = paths?.links.has(link.id) ?? false;
      el.setAttribute('class', `${on ? 'edge on-path' : 'edge'}${link.edge ? '' : ' inner'}`);
      const path = el.children[0] as SVGPathElement;
      path.setAttribute('d', edgePath(route.points));
      path.setAttribute('marker-end', on ? 'url(#arrow-on)' : 'url(#arrow)');
      const e = link.edge;
      if (!e) {
        el.children[1].textContent = 'inside the statement';
        continue;
      }
      const d = `∂${name.get(e.to)}/∂${name.get(e.from)}`;
      const local = e.local ? `${d} = ${e.local}${e.localValue !== undefined ? ` = ${e.localValue}` : ''}` : d;
      el.children[1].textContent = local;
      if (on && link.to.startsWith('b:')) {
        const m = edgeMidpoint(route.points);
        const t = svg('text', { x: m.x.toFixed(1), y: (m.y - 4).toFixed(1), 'text-anchor': 'middle' }, 'edge-label');
        t.textContent = clip(e.local ? `${e.local}${e.localValue !== undefined ? ` = ${e.localValue}` : ''}` : d, 36);
        const title = svg('title');
        title.textContent = local;
        t.append(title);
        this.labelLayer.append(t);
      }
    }
    for (const [k, el] of this.edgeEls) if (!keepE.has(k)) (el.remove(), this.edgeEls.delete(k));

    // New boxes (an edit added statements) that land outside the view: fit again, as Fit would.
    const fresh = [...layout.nodes.keys()].filter((k) => !this.drawnBoxes.has(k));
    const firstDraw = this.drawnBoxes.size === 0;
    this.drawnBoxes = new Set(layout.nodes.keys());
    let refit = this.fitNext || !this.ui.view;
    if (!refit && !firstDraw && fresh.length) {
      const r = this.svgRoot.getBoundingClientRect();
      refit = boxesOutside(layout, fresh, this.view(), r.width, r.height) > 0;
    }
    if (refit) {
      this.fitNext = false;
      requestAnimationFrame(() => this.fit(true));
    }
    this.applyView();
    this.markCursor();
  }

  private setToggle(g: SVGGElement, cls: 'toggle' | 'expand', show: boolean, x: number, y: number, glyph: string, tip: string): void {
    let t = g.querySelector<SVGGElement>(`.${cls}`);
    if (!show) {
      t?.remove();
      return;
    }
    if (!t) {
      t = svg('g', {}, cls);
      t.append(cls === 'toggle' ? svg('circle', { r: 6 }) : svg('rect', { x: -6, y: -6, width: 12, height: 12, rx: 2 }), svg('text', { 'text-anchor': 'middle', dy: 4 }), svg('title'));
      g.append(t);
    }
    t.setAttribute('transform', `translate(${x},${y})`);
    if (t.children[1].textContent !== glyph) t.children[1].textContent = glyph;
    t.children[2].textContent = tip;
  }

  /** `head`: which line is bold (-1: none). */
  private setLines(text: SVGTextElement, lines: string[], head = 0): void {
    while (text.childNodes.length > lines.length) text.lastChild!.remove();
    for (let i = 0; i < lines.length; i++) {
      let t = text.childNodes[i] as SVGTSpanElement | undefined;
      if (!t) {
        t = svg('tspan', { x: 10 });
        text.append(t);
      }
      t.setAttribute('y', String(6 + LINE_HEIGHT * (i + 1) - 4));
      t.setAttribute('class', i === head ? 'head' : lines[i].startsWith('grad ') ? 'grad' : 'value');
      if (t.textContent !== lines[i]) t.textContent = lines[i];
    }
  }

  private onNodeClick(e: MouseEvent, g: SVGGElement): void {
    const key = g.dataset.key!;
    const target = e.target as Element;
    if (target.closest('.toggle') || target.closest('.expand')) {
      const list = target.closest('.toggle') ? 'collapsed' : 'expanded';
      const set = new Set(this.ui[list]);
      if (set.has(key)) set.delete(key);
      else set.add(key);
      this.ui[list] = [...set];
      this.renderGraph(true);
      return;
    }
    const s = this.state;
    if (!s?.uri) return;
    const name = g.dataset.name!;
    const grad = s.gradients.find((x) => x.wrt === name);
    if (grad) this.select(grad);
    this.post({ type: 'reveal', uri: s.uri, line: Number(g.dataset.line) });
  }

  private select(g: PanelGradient | null): void {
    this.ui.selected = g ? { of: g.of, wrt: g.wrt } : null;
    this.renderGraph(true);
    this.renderDerivation();
  }

  private renderChips(gradients: readonly PanelGradient[]): void {
    this.chips.replaceChildren();
    const sel = this.ui.selected;
    for (const g of gradients) {
      const active = !!sel && sel.of === g.of && sel.wrt === g.wrt;
      const b = button(`∂${g.of}/∂${g.wrt} = ${clip(g.value, 24)}`, active ? 'Clear the highlight' : 'Highlight the paths of this gradient and show its derivation', () => this.select(active ? null : g), active ? 'chip active' : 'chip');
      b.dataset.of = g.of;
      b.dataset.wrt = g.wrt;
      this.chips.append(b);
    }
  }

  private markCursor(): void {
    for (const e of this.root.querySelectorAll('.at-cursor')) e.classList.remove('at-cursor');
    if (this.cursorLine < 0) return;
    for (const e of this.root.querySelectorAll(`[data-line="${this.cursorLine}"]`)) e.classList.add('at-cursor');
  }

  // ---- derivation --------------------------------------------------------------------------

  private renderDerivation(): void {
    const s = this.state;
    const sel = this.ui.selected;
    const g = (s && sel && s.gradients.find((x) => x.of === sel.of && x.wrt === sel.wrt)) || s?.gradients[0];
    this.derivation.root.classList.toggle('empty', !g);
    if (!g) {
      // No heading left over from the previous file's gradient.
      this.derivation.summary.textContent = 'Derivation';
      this.lastTex = '';
      this.texBox.replaceChildren(el('p', 'muted', 'No gradient yet: add a line such as `grad z wrt w0`.'));
      this.mdBox.textContent = '';
      this.miscBox.replaceChildren();
      return;
    }
    this.derivation.summary.textContent = `Derivation of ∂${g.of}/∂${g.wrt}`;
    const tex = g.tex ?? `\\frac{\\partial ${g.of}}{\\partial ${g.wrt}} &= \\text{${g.value.replace(/[{}\\]/g, '')}}`;
    if (tex !== this.lastTex) {
      this.lastTex = tex;
      try {
        katex.render(`\\begin{aligned}${tex}\\end{aligned}`, this.texBox, { displayMode: true, throwOnError: false });
      } catch (e) {
        this.texBox.replaceChildren(el('pre', 'error', `${tex}\n${(e as Error).message}`));
      }
    }
    this.mdBox.textContent = g.markdown ?? '';
    this.miscBox.replaceChildren(...(g.misconceptions ?? []).map(misconceptionView));
  }

  // ---- checks, networks, training, problems -------------------------------------------------

  private lineLink(line: number, ...children: (Node | string)[]): HTMLElement {
    const row = el('div', 'row link');
    row.dataset.line = String(line);
    row.append(...children);
    row.tabIndex = 0;
    const go = () => this.state?.uri && this.post({ type: 'reveal', uri: this.state.uri, line });
    row.addEventListener('click', go);
    row.addEventListener('keydown', (e) => e.key === 'Enter' && go());
    return row;
  }

  /** An assignment's questions (issue #14): each answer's status, and its key for the instructor. */
  private renderQuestions(s: PanelState): void {
    const qs = s.questions ?? [];
    // Shown also without questions while answers are hidden: the note says why gradients are missing.
    this.questions.root.classList.toggle('empty', !qs.length && !s.hiddenNote);
    this.questions.summary.textContent = qs.length ? `Questions (${qs.reduce((n, q) => n + q.points, 0)} points)` : 'Questions';
    const mark = { correct: '✓', wrong: '✗', blank: '○', unchecked: '·' } as const;
    this.questions.body.replaceChildren(
      ...(s.hiddenNote ? [el('p', 'muted hidden-note', s.hiddenNote)] : []),
      ...(qs.length
        ? qs.flatMap((q) => [
            this.lineLink(q.line, el('strong', undefined, q.id), el('span', 'muted', ` · ${q.points} point${q.points === 1 ? '' : 's'}`)),
            ...q.answers.map((x) =>
              this.lineLink(
                x.line,
                el('span', x.status === 'correct' ? 'pass' : x.status === 'wrong' ? 'fail' : 'muted', mark[x.status]),
                el('span', 'label', `${x.id} ${x.expr}`),
                el('span', 'detail key', x.key ? `key ${x.key}` : ''),
                el('span', 'detail muted', x.misconceptions?.length ? x.misconceptions.join(' or ') : ''),
              ),
            ),
          ])
        : s.hiddenNote
          ? []
          : [el('p', 'muted', 'No `question` lines.')]),
    );
    for (const r of this.questions.body.querySelectorAll('.row')) r.classList.add('check-row');
  }

  private renderChecks(s: PanelState): void {
    const passed = s.checks.filter((c) => c.passed).length;
    this.checks.summary.textContent = s.checks.length ? `Checks and expectations (${passed}/${s.checks.length} pass)` : 'Checks and expectations';
    this.checks.root.classList.toggle('empty', !s.checks.length);
    this.checks.body.replaceChildren(
      ...(s.checks.length
        ? s.checks.map((c) =>
            this.lineLink(
              c.line,
              el('span', c.passed ? 'pass' : 'fail', c.passed ? '✓' : '✗'),
              el('span', 'label', c.label),
              el('span', 'detail muted', c.detail),
              ...(c.misconceptions ?? []).map(misconceptionView),
            ),
          )
        : [el('p', 'muted', 'No `check` or `expect` lines.')]),
    );
    for (const r of this.checks.body.querySelectorAll('.row')) r.classList.add('check-row');
  }

  private renderNetworks(nets: readonly PanelNetwork[]): void {
    this.networks.root.classList.toggle('empty', !nets.length);
    this.networks.body.replaceChildren();
    if (!nets.length) {
      this.networks.body.append(el('p', 'muted', 'No networks.'));
      return;
    }
    for (const n of nets) {
      const box = el('div', 'network');
      const head = this.lineLink(n.line, el('strong', undefined, `network ${n.name}`), el('span', 'muted', ` ${n.input} → ${n.output}`));
      const actions = el('div', 'toolbar');
      actions.append(
        button('Markdown', 'Save the table as Markdown', () => this.post({ type: 'export', format: 'md', name: `${n.name}.md`, content: tableMarkdown(n) })),
        button('CSV', 'Save the table as CSV', () => this.post({ type: 'export', format: 'csv', name: `${n.name}.csv`, content: tableCsv(n) })),
        button('Copy', 'Copy the table as Markdown', () => this.post({ type: 'export', format: 'md', name: `${n.name}.md`, content: tableMarkdown(n), copy: true })),
      );
      box.append(head, this.blockDiagram(n), actions);
      const table = el('table', 'layers');
      const thead = el('thead');
      const hr = el('tr');
      for (const h of ['layer', 'output', 'params', 'formula', 'MACs']) hr.append(el('th', undefined, h));
      thead.append(hr);
      const tbody = el('tbody');
      for (const r of n.rows) {
        const tr = el('tr', 'link');
        tr.dataset.line = String(r.line);
        const name = el('td', 'layer-name', layerName(r));
        name.classList.add(`depth-${Math.min(r.depth, 4)}`);
        tr.append(name, el('td', 'num', r.output), el('td', 'num', r.params), el('td', 'formula', r.formula), el('td', 'num', r.macs));
        tr.addEventListener('click', () => this.state?.uri && this.post({ type: 'reveal', uri: this.state.uri, line: r.line }));
        tbody.append(tr);
      }
      table.append(thead, tbody);
      const totals = el('ul', 'totals');
      const t = n.totals;
      totals.append(
        el('li', undefined, `Parameters: ${t.params}${t.formula ? ` = ${t.formula}` : ''} (trainable ${t.trainable})`),
        el('li', undefined, `Buffers: ${t.buffers}`),
        el('li', undefined, `MACs: ${t.macs} (Mult-Adds with bias ${t.multAdds})`),
        el('li', undefined, `Memory, float32: ${t.memory32}`),
        el('li', undefined, `Memory, float64: ${t.memory64}`),
      );
      const scroll = el('div', 'table-scroll');
      scroll.append(table);
      box.append(scroll, totals);
      this.networks.body.append(box);
    }
  }

  private blockDiagram(n: PanelNetwork): HTMLElement {
    const d = el('div', 'blocks');
    d.append(el('span', 'block io', `input ${n.input}`));
    for (const r of n.rows.filter((r) => r.depth === 0)) {
      d.append(el('span', 'arrow', '→'));
      const b = el('span', `block ${r.params !== '0' ? 'learn' : 'fixed'}`);
      b.dataset.line = String(r.line);
      b.append(el('span', 'block-type', r.label ? `${r.label}: ${r.type}` : r.type), el('span', 'block-shape', r.output));
      b.title = `${layerName(r)} → ${r.output}, ${r.params} params`;
      d.append(b);
    }
    return d;
  }

  /** The state's trainings; while an analysis trains, its live curves replace those of the same line. */
  private renderTrainings(ts: readonly PanelTraining[]): void {
    const live = this.live?.trainings ?? [];
    const items: ({ kind: 'done'; t: PanelTraining } | { kind: 'live'; t: PanelLiveTraining })[] = [
      ...ts.filter((t) => !live.some((l) => l.line === t.line)).map((t) => ({ kind: 'done' as const, t })),
      ...live.map((t) => ({ kind: 'live' as const, t })),
    ].sort((a, b) => a.t.line - b.t.line);
    this.training.root.classList.toggle('empty', !items.length);
    this.training.body.replaceChildren();
    if (!items.length) {
      this.training.body.append(el('p', 'muted', 'No `train` statements.'));
      return;
    }
    for (const item of items) this.training.body.append(item.kind === 'done' ? this.trainingBox(item.t) : this.liveTrainingBox(item.t));
  }

  private trainingBox(t: PanelTraining): HTMLElement {
    const box = el('div', 'training-item');
    const last = t.losses[t.losses.length - 1];
    const time = t.ms > 0 ? ` · ${(t.ms / 1000).toFixed(2)} s` : '';
    box.append(
      this.lineLink(t.line, el('strong', undefined, `train ${t.targets.join(', ')}`), el('span', 'muted', ` ${t.optimizer ? `${t.optimizer} · ` : ''}${t.epochs} epochs, ${t.steps} steps${time}`)),
    );
    if (t.stopped) box.append(el('p', 'fail', `Stopped: ${t.stopped}`));
    const charts = el('div', 'charts');
    charts.append(this.chart('loss', t.losses));
    if (t.metrics.length) charts.append(this.chart('metric', t.metrics));
    box.append(charts);
    if (last !== undefined) box.append(el('p', 'muted', `final loss ${last.toPrecision(4)}${t.metrics.length ? `, metric ${t.metrics[t.metrics.length - 1].toPrecision(4)}` : ''}`));
    return box;
  }

  /** A training still running: the epochs so far, on an x axis of the epochs it will run. */
  private liveTrainingBox(t: PanelLiveTraining): HTMLElement {
    const box = el('div', `training-item live${t.running ? ' running' : ''}`);
    const of = t.epochs === null ? `epoch ${t.epoch}` : `epoch ${t.epoch}/${t.epochs}`;
    box.append(
      this.lineLink(t.line, el('strong', undefined, `train ${t.targets}`), el('span', 'muted', ` ${t.running ? 'training…' : 'trained'} ${of}, ${t.steps} steps`)),
    );
    const slots = t.epochs ?? t.losses.length;
    const charts = el('div', 'charts');
    charts.append(this.chart('loss', t.losses, slots));
    if (t.metrics.length) charts.append(this.chart('metric', t.metrics, slots));
    box.append(charts);
    const loss = t.losses[t.losses.length - 1];
    const metric = t.metrics[t.metrics.length - 1];
    if (typeof loss === 'number') box.append(el('p', 'muted', `loss ${loss.toPrecision(4)}${typeof metric === 'number' ? `, metric ${metric.toPrecision(4)}` : ''} (epoch ${t.epoch})`));
    return box;
  }

  private chart(title: string, values: readonly (number | null)[], slots = values.length): HTMLElement {
    const fig = el('figure', 'chart');
    const geo = lineChart(values, undefined, slots);
    const s = svg('svg', { viewBox: '0 0 280 120', width: 280, height: 120 }, `chart-svg chart-${title}`);
    s.setAttribute('role', 'img');
    s.setAttribute('aria-label', `${title} per epoch`);
    for (const t of geo.yTicks) {
      s.append(svg('line', { x1: 44, x2: 272, y1: t.y.toFixed(1), y2: t.y.toFixed(1) }, 'grid'));
      const label = svg('text', { x: 40, y: (t.y + 4).toFixed(1), 'text-anchor': 'end' }, 'tick');
      label.textContent = t.label;
      s.append(label);
    }
    for (const t of geo.xTicks) {
      const label = svg('text', { x: t.x.toFixed(1), y: 116, 'text-anchor': 'middle' }, 'tick');
      label.textContent = t.label;
      s.append(label);
    }
    s.append(svg('path', { d: geo.path }, 'series'));
    for (const p of geo.points) {
      if (Number.isNaN(p.y)) continue;
      const c = svg('circle', { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: geo.points.length > 40 ? 1.2 : 2.5 }, 'point');
      const tt = svg('title');
      tt.textContent = String(p.value);
      c.append(tt);
      s.append(c);
    }
    fig.append(s, el('figcaption', 'muted', `${title} per epoch`));
    return fig;
  }

  private renderProblems(s: PanelState): void {
    const list = s.problems;
    this.problems.summary.textContent = list.length ? `Problems (${list.length})` : 'Problems';
    this.problems.root.classList.toggle('empty', !list.length);
    this.problems.body.replaceChildren(
      ...(list.length
        ? list.map((p) => this.lineLink(p.line, el('span', p.severity === 'error' ? 'fail' : 'muted', p.severity), el('span', 'label', `line ${p.line + 1}: ${p.message}`), el('span', 'detail muted', p.code)))
        : [el('p', 'muted', 'None.')]),
    );
  }

  // ---- export ------------------------------------------------------------------------------

  /** A standalone copy of the graph: the whole drawing, computed colours written as attributes. */
  private standaloneSvg(): { text: string; width: number; height: number } | undefined {
    if (!this.layout) return undefined;
    const { width, height } = this.layout;
    const clone = this.svgRoot.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('xmlns', SVG);
    clone.setAttribute('viewBox', `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`);
    clone.setAttribute('width', String(Math.ceil(width)));
    clone.setAttribute('height', String(Math.ceil(height)));
    clone.removeAttribute('class');
    const live = [this.svgRoot, ...this.svgRoot.querySelectorAll('*')];
    const copies = [clone, ...clone.querySelectorAll('*')];
    const props = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'font-family', 'font-size', 'font-weight', 'opacity'];
    live.forEach((e, i) => {
      const cs = getComputedStyle(e);
      for (const p of props) {
        const v = cs.getPropertyValue(p);
        if (v) copies[i].setAttribute(p, v);
      }
    });
    (clone.querySelector('.viewport') as SVGGElement).removeAttribute('transform');
    const bg = svg('rect', { width: '100%', height: '100%', fill: getComputedStyle(document.body).backgroundColor });
    clone.insertBefore(bg, clone.firstChild!.nextSibling);
    return { text: new XMLSerializer().serializeToString(clone), width, height };
  }

  private async exportGraph(format: ExportFormat): Promise<void> {
    const out = this.standaloneSvg();
    if (!out) return;
    const base = (this.state?.file ?? 'graph').replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
    if (format === 'svg') {
      this.post({ type: 'export', format: 'svg', name: `${base}-graph.svg`, content: out.text });
      return;
    }
    const img = new Image();
    const bytes = new TextEncoder().encode(out.text);
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    img.src = `data:image/svg+xml;base64,${btoa(bin)}`;
    await img.decode();
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(out.width * scale);
    canvas.height = Math.ceil(out.height * scale);
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    const data = canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
    this.post({ type: 'export', format: 'png', name: `${base}-graph.png`, content: data });
  }
}

/**
 * The layout worker, dist/layoutWorker.js (its URL is on <body data-layout-worker>). A webview's
 * resources live on another origin than the webview (`…vscode-resource.vscode-cdn.net` against
 * `vscode-webview://…`, or code-server's own origin), and `new Worker(url)` refuses a cross-origin
 * script with a SecurityError. So the script is fetched (through the webview's resource loader:
 * CSP connect-src cspSource) and started from a `data:` URL (worker-src data:), no blob: needed.
 * Undefined when neither works: the layout then runs on the main thread.
 */
async function createLayoutWorker(): Promise<WorkerLike | undefined> {
  const url = document.body.dataset.layoutWorker;
  if (!url || typeof Worker === 'undefined') return undefined;
  try {
    return new Worker(url, { name: 'gradlens-layout' }) as unknown as WorkerLike;
  } catch {
    // Cross-origin: expected in VS Code webviews; go on below.
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const code = await response.text();
  return new Worker(`data:text/javascript;charset=utf-8,${encodeURIComponent(code)}`, { name: 'gradlens-layout' }) as unknown as WorkerLike;
}

const vscodeApi = acquireVsCodeApi();
const app = new PanelApp(document.getElementById('root')!, vscodeApi);
window.addEventListener('message', (event: MessageEvent<ToPanel>) => {
  if (event.data && typeof event.data === 'object' && 'type' in event.data) app.onMessage(event.data);
});
vscodeApi.postMessage({ type: 'ready' });
