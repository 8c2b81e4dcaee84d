import { describe, expect, it } from 'vitest';
import { formatMinus, formatNumber } from '../../../src/core/format';

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

describe('formatMinus: formatNumber with the Unicode minus of hovers and derivations', () => {
  it.each([
    [-0.38, '−0.38'],
    [0.38, '0.38'],
    [-1.23456e-7, '−1.235e-7'],
    [-Infinity, '−∞'],
    [-32768, '−32768'],
    [0, '0'],
  ])('%s → %s', (x, s) => {
    expect(formatMinus(x)).toBe(s);
  });
  it('only the sign changes (an exponent keeps its hyphen-minus), as the /^-/ replacement it stands for', () => {
    for (const x of [-2.5e-9, -1e21, -0.000123, 4.5e-300]) expect(formatMinus(x)).toBe(formatNumber(x).replace(/^-/, '−'));
  });
  it('no trailing zeros in fixed notation (a rounded number prints without them)', () => {
    expect(formatNumber(0.50000001)).toBe('0.5');
    expect(formatNumber(123456.7)).toBe('123500');
    expect(formatNumber(0.000120004)).toBe('0.00012');
  });
});
