import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES, GOLDEN_DIR, render } from './helpers';

const UPDATE = process.env.GRADLENS_UPDATE_GOLDEN === '1';

describe('worked solutions match their golden files (GRADLENS_UPDATE_GOLDEN=1 regenerates)', () => {
  for (const c of CASES)
    for (const format of ['md', 'tex'] as const) {
      it(`${c.name}.${format}`, () => {
        const got = render(c, format);
        const path = join(GOLDEN_DIR, `${c.name}.${format}`);
        if (UPDATE || !existsSync(path)) {
          mkdirSync(GOLDEN_DIR, { recursive: true });
          writeFileSync(path, got);
          if (!UPDATE) throw new Error(`golden file ${path} was missing and has been written: review it and run again`);
          return;
        }
        expect(got).toBe(readFileSync(path, 'utf8'));
      });
    }
});
