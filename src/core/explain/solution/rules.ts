/** The differentiation rules a worked solution states, as LaTeX rows (`lhs &= rhs`). */

interface Rule {
  readonly name: string;
  readonly row: string;
}

const RULES: Record<string, Rule> = {
  sum: { name: 'sum rule', row: '\\frac{\\partial}{\\partial u}\\left(u \\pm v\\right) &= 1 \\quad \\text{(sum rule; } v \\text{ does not depend on } u\\text{)}' },
  constant: { name: 'constant factor', row: '\\frac{\\partial}{\\partial u}\\left(c \\cdot u\\right) &= c \\quad \\text{(constant factor)}' },
  product: { name: 'product rule', row: '\\frac{\\partial}{\\partial x}\\left(u \\cdot v\\right) &= \\frac{\\partial u}{\\partial x} \\cdot v + u \\cdot \\frac{\\partial v}{\\partial x} \\quad \\text{(product rule)}' },
  quotient: {
    name: 'quotient rule',
    row: '\\frac{\\partial}{\\partial x}\\frac{u}{v} &= \\frac{\\frac{\\partial u}{\\partial x} \\cdot v - u \\cdot \\frac{\\partial v}{\\partial x}}{v^{2}} \\quad \\text{(quotient rule)}',
  },
  power: { name: 'power rule', row: '\\frac{\\partial}{\\partial u}u^{n} &= n \\cdot u^{n - 1} \\quad \\text{(power rule)}' },
  exponential: { name: 'exponential', row: '\\frac{\\partial}{\\partial c}u^{c} &= u^{c} \\cdot \\log u' },
  chain: {
    name: 'chain rule',
    row: '\\frac{\\partial}{\\partial x}f\\left(g(x)\\right) &= f\'\\left(g(x)\\right) \\cdot \\frac{\\partial g}{\\partial x} \\quad \\text{(chain rule)}',
  },
  ReLU: {
    name: 'ReLU',
    row: "\\frac{\\partial}{\\partial u}\\operatorname{ReLU}(u) = \\operatorname{ReLU}'(u) &= \\begin{cases} 1 & ; u > 0 \\\\ 0 & ; u \\leq 0 \\end{cases}",
  },
  LeakyReLU: {
    name: 'LeakyReLU',
    row: "\\frac{\\partial}{\\partial u}\\operatorname{LeakyReLU}(u) &= \\begin{cases} 1 & ; u > 0 \\\\ \\alpha & ; u \\leq 0 \\end{cases} \\quad \\text{(slope } \\alpha\\text{)}",
  },
  σ: { name: 'sigmoid', row: '\\frac{\\partial}{\\partial u}\\sigma(u) &= \\sigma(u) \\cdot \\left(1 - \\sigma(u)\\right)' },
  tanh: { name: 'tanh', row: '\\frac{\\partial}{\\partial u}\\tanh(u) &= 1 - \\tanh^{2}(u)' },
  exp: { name: 'exp', row: '\\frac{\\partial}{\\partial u}\\exp(u) &= \\exp(u)' },
  ln: { name: 'log', row: '\\frac{\\partial}{\\partial u}\\log(u) &= \\frac{1}{u}' },
  '√': { name: 'sqrt', row: '\\frac{\\partial}{\\partial u}\\sqrt{u} &= \\frac{1}{2\\sqrt{u}}' },
  abs: { name: 'abs', row: '\\frac{\\partial}{\\partial u}\\left|u\\right| &= \\operatorname{sign}(u) = \\begin{cases} 1 & ; u > 0 \\\\ 0 & ; u = 0 \\\\ -1 & ; u < 0 \\end{cases}' },
  softplus: { name: 'softplus', row: '\\frac{\\partial}{\\partial u}\\log\\left(1 + \\exp(u)\\right) &= \\sigma(u)' },
  GELU: { name: 'GELU', row: '\\frac{\\partial}{\\partial u}\\left(u \\cdot \\Phi(u)\\right) &= \\Phi(u) + u \\cdot \\varphi(u)' },
  sin: { name: 'sin', row: '\\frac{\\partial}{\\partial u}\\sin(u) &= \\cos(u)' },
  cos: { name: 'cos', row: '\\frac{\\partial}{\\partial u}\\cos(u) &= -\\sin(u)' },
  max: {
    name: 'max',
    row: '\\frac{\\partial}{\\partial a}\\max(a, b) = H(a - b) &= \\begin{cases} 1 & ; a > b \\\\ \\tfrac{1}{2} & ; a = b \\\\ 0 & ; a < b \\end{cases}',
  },
  min: {
    name: 'min',
    row: '\\frac{\\partial}{\\partial a}\\min(a, b) = H(b - a) &= \\begin{cases} 1 & ; a < b \\\\ \\tfrac{1}{2} & ; a = b \\\\ 0 & ; a > b \\end{cases}',
  },
};

/** The order rules are listed in: elementary rules first, then functions. */
const ORDER = Object.keys(RULES);

/** Rows for the rules in `used` (unknown names skipped). */
export function ruleRows(used: Iterable<string>): string[] {
  const set = new Set(used);
  return ORDER.filter((k) => set.has(k)).map((k) => RULES[k].row);
}

/** Short names for a factor's rules: "ReLU, chain rule, sum rule". */
export function ruleNames(used: Iterable<string>): string[] {
  const set = new Set(used);
  const fns = ORDER.filter((k) => set.has(k) && !['sum', 'constant', 'product', 'quotient', 'power', 'exponential', 'chain'].includes(k));
  const basic = ORDER.filter((k) => set.has(k) && ['sum', 'constant', 'product', 'quotient', 'power', 'exponential', 'chain'].includes(k));
  return [...fns, ...basic].map((k) => RULES[k].name);
}
