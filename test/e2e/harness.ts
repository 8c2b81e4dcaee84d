/**
 * A small test runner shared by the extension-host suite and the UI run: sequential tests with
 * timeouts, one line per test, a closing `N passed, N failed` line (what CI reads), and a
 * machine-readable result for the top-level runner.
 */
export interface TestResult {
  readonly name: string;
  readonly passed: boolean;
  readonly ms: number;
  readonly error?: string;
}

export interface Suite {
  test(name: string, fn: () => Promise<void> | void, timeoutMs?: number): void;
  run(log?: (line: string) => void): Promise<TestResult[]>;
}

export function createSuite(defaultTimeoutMs = 30_000, onFailure?: (name: string) => Promise<void>): Suite {
  const tests: { name: string; fn: () => Promise<void> | void; timeoutMs: number }[] = [];
  return {
    test(name, fn, timeoutMs = defaultTimeoutMs) {
      tests.push({ name, fn, timeoutMs });
    },
    async run(log = (l) => console.log(l)) {
      const results: TestResult[] = [];
      for (const t of tests) {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(t.fn),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs))),
          ]);
          const ms = performance.now() - started;
          results.push({ name: t.name, passed: true, ms });
          log(`  ✓ ${t.name} (${Math.round(ms)} ms)`);
        } catch (e) {
          const ms = performance.now() - started;
          const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
          results.push({ name: t.name, passed: false, ms, error });
          log(`  ✗ ${t.name} (${Math.round(ms)} ms)\n      ${error.split('\n').slice(0, 6).join('\n      ')}`);
          if (onFailure) await onFailure(t.name).catch(() => {});
        } finally {
          clearTimeout(timer);
        }
      }
      return results;
    },
  };
}

export function summary(results: readonly TestResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  return `${passed} passed, ${results.length - passed} failed`;
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertIncludes(haystack: readonly string[] | string, needle: string | RegExp, what: string): void {
  const items = typeof haystack === 'string' ? [haystack] : haystack;
  const ok = items.some((h) => (typeof needle === 'string' ? h.includes(needle) : needle.test(h)));
  if (!ok) throw new Error(`${what}: expected ${String(needle)} in ${JSON.stringify(items, null, 1).slice(0, 1500)}`);
}
