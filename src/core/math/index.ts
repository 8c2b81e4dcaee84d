/**
 * The only module that imports mathjs. Loaded lazily, for symbolic work only (never at module
 * load of the core: `import '…/core/index'` must not pull mathjs in). A custom bundle with just
 * the factories used: parse, derivative, simplify, evaluate.
 *
 * Used to cross-check the chain-rule derivations of worked solutions with an independent CAS
 * (test/unit/solution): every scalar local derivative the solution prints equals, at the
 * document's values, mathjs's derivative of the same statement.
 */

/** What the lazy bundle offers. */
export interface SymbolicMath {
  /** d expr / d variable, as mathjs text (`2 * (p - t)`). */
  derivative(expr: string, variable: string): string;
  /** The expression evaluated with the given values. */
  evaluate(expr: string, scope: Readonly<Record<string, number>>): number;
  /** LaTeX of an expression, by mathjs's `toTex`. */
  toTex(expr: string): string;
}

let loading: Promise<SymbolicMath> | undefined;

/** Loads mathjs (once) and builds the bundle. */
export function loadSymbolicMath(): Promise<SymbolicMath> {
  loading ??= import('mathjs').then((mj) => {
    const math = mj.create(
      {
        parseDependencies: mj.parseDependencies,
        derivativeDependencies: mj.derivativeDependencies,
        simplifyDependencies: mj.simplifyDependencies,
        evaluateDependencies: mj.evaluateDependencies,
        // Functions the .nn expressions translate to.
        expDependencies: mj.expDependencies,
        logDependencies: mj.logDependencies,
        tanhDependencies: mj.tanhDependencies,
        sechDependencies: mj.sechDependencies,
        coshDependencies: mj.coshDependencies,
        sqrtDependencies: mj.sqrtDependencies,
        sinDependencies: mj.sinDependencies,
        cosDependencies: mj.cosDependencies,
      },
      {},
    );
    return {
      derivative: (expr, variable) => math.derivative(expr, variable).toString(),
      evaluate: (expr, scope) => Number(math.evaluate(expr, { ...scope })),
      toTex: (expr) => math.parse(expr).toTex(),
    };
  });
  return loading;
}

/**
 * A `.nn` scalar expression in mathjs syntax: sigmoid(u) → 1 / (1 + exp(-u)), relu(u) → the
 * smooth branch selected by the sign of u at the evaluation point (mathjs has no ReLU).
 * Returns undefined for expressions outside this small subset.
 */
export function toMathjs(text: string, evalAt: (expr: string) => number): string | undefined {
  let s = text.replace(/\*\*/g, '^');
  if (/[@\[\]]|\b(sum|mean|softmax|cross_entropy|grad)\b/i.test(s)) return undefined;
  // Innermost calls first: sigmoid(u) and relu(u) without nested parentheses in u.
  for (let k = 0; k < 20; k++) {
    const before = s;
    s = s.replace(/\bsigmoid\(([^()]*)\)/gi, '(1 / (1 + exp(-($1))))');
    s = s.replace(/\brelu\(([^()]*)\)/gi, (_m, u: string) => (evalAt(u) > 0 ? `(${u})` : '(0 * (' + u + '))'));
    if (s === before) break;
  }
  return /\b(relu|sigmoid)\(/i.test(s) ? undefined : s;
}
