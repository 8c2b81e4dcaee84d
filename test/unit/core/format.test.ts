import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../../src/core/format';

describe('formatNumber', () => {
  it.each([
    [0.6200000000000001, '0.62'],
    [-0.38, '-0.38'],
    [0.4, '0.4'],
    [32768, '32768'],
    [557057, '557057'],
    [1 / 3, '0.3333'],
    [1.23456e-7, '1.235e-7'],
    [2.5e6 + 0.5, '2.5e+6'],
    [NaN, 'NaN'],
    [-Infinity, '-∞'],
  ])('%s → %s', (x, s) => {
    expect(formatNumber(x)).toBe(s);
  });
});
