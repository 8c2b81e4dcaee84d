/**
 * "Did you mean": a name is offered only when the unknown name is a plausible typo of it.
 *
 * - Distance is Damerau–Levenshtein (a swap of two neighbours is one edit), case-insensitive.
 * - Names of one or two characters get no suggestion (`σ` is not a typo of `t`, `w0` not of
 *   `x0`), nor do candidates that short, except for a doubled keystroke: `w00` and `ww0` are
 *   offered `w0` (a homework's names are mostly two characters). `len` is not offered `ln` (a
 *   3-character name otherwise needs a candidate of the same length).
 * - At most 1 edit up to 5 characters, 2 up to 10, 3 beyond; and never more than a third of
 *   the longer name.
 * - A defined name (a variable) is never offered for another of the same length that differs
 *   by a substitution (`w1` for `x1`, `loss2` for `loss1`): both are likely real, different
 *   names. A swap (`hdiden` → `hidden`) or a missing or extra letter still is.
 * - A name that numpy or PyTorch has gets no suggestion at all: a built-in is meant as itself
 *   (`sign` is not offered `sin`, `argmax` not `amax`, `l1_loss` not `nll_loss`), and one GradLens
 *   lacks (`sort`, `linalg.svd`) is said to be unsupported (knownLibraryFunction).
 */
import { findBuiltin, type BuiltinDef } from './builtins/types';

/** Damerau–Levenshtein distance (optimal string alignment), for suggestions. */
export function typoDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => [i, ...new Array<number>(n).fill(0)]);
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++)
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[m][n];
}

/** Whether `b` is `a` with exactly one character replaced (same length). */
function isSubstitution(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  return diff === 1;
}

/** Whether `name` is `cand` with one character typed twice (`w00`, `ww0` for `w0`). */
function doubledKeystroke(name: string, cand: string): boolean {
  if (name.length !== cand.length + 1) return false;
  for (let i = 1; i < name.length; i++) if (name[i] === name[i - 1] && name.slice(0, i) + name.slice(i + 1) === cand) return true;
  return false;
}

function allowed(name: string, cand: string, d: number): boolean {
  const len = Math.max(name.length, cand.length);
  if (cand.length <= 2 && cand.length >= 1 && name.length === 3) return doubledKeystroke(name, cand);
  if (name.length <= 2 || cand.length <= 2) return false;
  if (name.length === 3 && cand.length !== 3) return false;
  const limit = len <= 5 ? 1 : len <= 10 ? 2 : 3;
  return d <= limit && d <= len / 3;
}

export interface Suggestion {
  readonly name: string;
  /** 'builtin' or 'defined' (a variable or a network of the document). */
  readonly kind: 'builtin' | 'defined';
}

/**
 * The best plausible correction of `name` among the built-ins' names and the document's
 * defined names, or undefined. Ties go to the defined name, then alphabetically.
 */
export function suggestName(name: string, builtins: Iterable<string>, defined: Iterable<string>): Suggestion | undefined {
  // A name numpy or PyTorch has (a built-in, or one GradLens lacks) is meant as itself: `sign` is no typo of `sin`.
  if (knownLibraryFunction(name) || findBuiltin(name)) return undefined;
  const lower = name.toLowerCase();
  let best: Suggestion | undefined;
  let bestD = Infinity;
  const consider = (cand: string, kind: Suggestion['kind']): void => {
    if (cand === name) return;
    const c = kind === 'builtin' ? cand.toLowerCase() : cand;
    const n = kind === 'builtin' ? lower : name;
    const d = typoDistance(n, c);
    if (!allowed(n, c, d)) return;
    if (kind === 'defined' && isSubstitution(n, c)) return;
    if (d < bestD || (d === bestD && best && (kind === 'defined' && best.kind === 'builtin' ? true : kind === best.kind && cand < best.name))) {
      best = { name: cand, kind };
      bestD = d;
    }
  };
  for (const c of defined) consider(c, 'defined');
  for (const c of builtins) consider(c, 'builtin');
  return best;
}

/** The sentence that offers a suggestion: " Did you mean `softmax` (built-in, probability; docs/language.md)?" */
export function didYouMean(s: Suggestion | undefined, def?: BuiltinDef): string {
  if (!s) return '';
  if (s.kind === 'builtin' && def) return ` Did you mean \`${s.name}\` (the built-in \`${def.signature}\`, listed under ${def.group} in docs/language.md, "Built-ins and their aliases")?`;
  return ` Did you mean \`${s.name}\`?`;
}

/**
 * numpy and PyTorch functions GradLens does not have (checked after the built-ins, so a name
 * listed here that becomes a built-in is simply found first). Lower case, without prefix;
 * sub-module names keep it (`linalg.svd`, `random.normal`).
 */
const KNOWN_LIBRARY_FUNCTIONS = new Set([
  // numpy / torch core
  'sort', 'argsort', 'unique', 'topk', 'kthvalue', 'median', 'nanmedian', 'quantile', 'nanquantile', 'percentile', 'histogram', 'histc',
  'bincount', 'searchsorted', 'bucketize', 'digitize', 'nonzero', 'count_nonzero', 'flatnonzero', 'argwhere', 'isin', 'in1d',
  'nansum', 'nanmean', 'nanstd', 'nanvar', 'nanmax', 'nanmin', 'nanprod', 'ptp', 'cov', 'corrcoef', 'average_weighted',
  'cross', 'kron', 'tensordot', 'convolve', 'correlate', 'polyfit', 'polyval', 'interp', 'diff', 'gradient', 'trapz', 'trapezoid',
  'cummax', 'cummin', 'logcumsumexp', 'roll', 'rot90', 'fliplr', 'flipud', 'triu', 'tril', 'diagonal', 'diag_embed', 'diagflat',
  'meshgrid', 'logspace', 'geomspace', 'empty', 'empty_like', 'tri', 'vander', 'repeat', 'repeat_interleave',
  'atleast_1d', 'atleast_2d', 'atleast_3d', 'moveaxis', 'rollaxis', 'swapdims', 'narrow', 'select', 'index_select', 'masked_select',
  'masked_fill', 'scatter', 'scatter_add', 'index_add', 'index_put', 'put', 'place', 'choose', 'compress', 'extract', 'delete', 'insert',
  'append', 'resize', 'trim_zeros', 'hstack', 'vstack', 'dstack', 'column_stack', 'row_stack', 'hsplit', 'vsplit', 'dsplit', 'array_split',
  'arcsin', 'arccos', 'arctan', 'arctan2', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'arcsinh', 'arccosh', 'arctanh', 'asinh',
  'acosh', 'atanh', 'hypot', 'deg2rad', 'rad2deg', 'degrees', 'radians', 'exp2', 'logaddexp', 'logaddexp2', 'log_ndtr', 'erf', 'erfc',
  'erfinv', 'lgamma', 'gammaln', 'digamma', 'polygamma', 'sinc', 'trunc', 'fix', 'frac', 'fmod', 'remainder', 'mod', 'floor_divide',
  'true_divide', 'divide', 'multiply', 'add', 'subtract', 'fmax', 'fmin', 'copysign', 'nextafter', 'ldexp', 'frexp', 'signbit', 'heaviside',
  'isnan', 'isinf', 'isfinite', 'isposinf', 'isneginf', 'nan_to_num', 'isclose', 'allclose', 'array_equal', 'equal', 'bitwise_and',
  'bitwise_or', 'bitwise_xor', 'bitwise_not', 'invert', 'left_shift', 'right_shift', 'gcd', 'lcm', 'angle', 'real', 'imag', 'conj',
  'xlogy', 'xlog1py', 'logit', 'special.logit', 'softmin', 'gumbel_softmax', 'glu', 'celu', 'rrelu', 'prelu',
  'hardshrink', 'softshrink', 'tanhshrink', 'threshold', 'local_response_norm', 'layer_norm', 'batch_norm',
  'group_norm', 'instance_norm', 'linear', 'bilinear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'unfold',
  'fold', 'max_pool1d', 'max_pool2d', 'avg_pool1d', 'avg_pool2d', 'adaptive_avg_pool2d', 'adaptive_max_pool2d', 'interpolate',
  'upsample', 'grid_sample', 'affine_grid', 'pixel_shuffle', 'embedding_bag', 'pairwise_distance', 'pdist', 'cdist',
  'triplet_margin_loss', 'margin_ranking_loss', 'hinge_embedding_loss', 'multilabel_margin_loss', 'soft_margin_loss',
  'multilabel_soft_margin_loss', 'cosine_embedding_loss', 'poisson_nll_loss', 'gaussian_nll_loss', 'ctc_loss', 'alpha_dropout',
  'feature_alpha_dropout', 'dropout1d', 'dropout2d', 'dropout3d',
  // linear algebra
  'linalg.svd', 'svd', 'linalg.svdvals', 'linalg.inv', 'inv', 'inverse', 'linalg.det', 'det', 'logdet', 'slogdet', 'linalg.slogdet',
  'linalg.eig', 'eig', 'linalg.eigh', 'eigh', 'linalg.eigvals', 'linalg.eigvalsh', 'linalg.qr', 'qr', 'linalg.cholesky', 'cholesky',
  'linalg.solve', 'solve', 'linalg.lstsq', 'lstsq', 'linalg.pinv', 'pinv', 'linalg.matrix_rank', 'matrix_rank', 'linalg.matrix_power',
  'matrix_power', 'linalg.matrix_norm', 'matrix_norm', 'linalg.cond', 'cond', 'linalg.multi_dot', 'multi_dot', 'linalg.cross', 'lu',
  'linalg.lu', 'linalg.lu_factor', 'triangular_solve', 'linalg.solve_triangular', 'matrix_exp', 'linalg.matrix_exp', 'chain_matmul',
  'baddbmm', 'addmm', 'addmv', 'addbmm', 'addr',
  // random
  'random.normal', 'random.uniform', 'random.randint', 'random.choice', 'random.shuffle', 'random.permutation', 'random.binomial',
  'random.poisson', 'random.exponential', 'random.beta', 'random.gamma', 'random.multinomial', 'random.default_rng', 'randint',
  'randperm', 'normal', 'uniform', 'bernoulli', 'multinomial', 'poisson', 'randn_like', 'rand_like', 'randint_like', 'manual_seed', 'seed',
  // fft
  'fft.fft', 'fft.ifft', 'fft.rfft', 'fft.fft2', 'fft',
]);

/** Whether numpy or PyTorch has a function of this name (prefix removed) that GradLens does not. */
export function knownLibraryFunction(name: string): boolean {
  return KNOWN_LIBRARY_FUNCTIONS.has(name.toLowerCase());
}
