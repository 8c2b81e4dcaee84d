/** The indexing cases of vocab_index.json (PyTorch 1.13 / numpy fixtures, float64, rel 1e-10): see harness.ts. */
import { describe, it } from 'vitest';
import { CASES, checkCase } from './harness';

describe('indexing against PyTorch/numpy', () => {
  for (const c of CASES.filter((x) => x.group === 'indexing')) it(c.name, () => checkCase(c));
});
