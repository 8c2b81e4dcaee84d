import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { untrustedRefusal } from '../../../src/extension/fileAccess';
import { WorkerCore, readerOfContents } from '../../../src/extension/workerCore';
import type { AssignRequest, WorkerResponse } from '../../../src/extension/workerProtocol';

/** The worker's `assign` request (Preview Assignment as Student…), with `load_csv`'s readers. */
function run(request: Omit<AssignRequest, 'type' | 'id'>): WorkerResponse {
  const posted: WorkerResponse[] = [];
  const core = new WorkerCore({ post: (m) => posted.push(m), readerFor: (r) => readerOfContents(r.contents) });
  core.handle({ type: 'assign', id: 1, ...request });
  expect(posted).toHaveLength(1);
  return posted[0];
}

const SOURCE = 'assignment "hw4" seed 7\nparam w = vary(0.3, 0.5, 0.7)\nz = 3 * w * w\nquestion T1\nanswer grad(z, w)\n';

describe('the worker\'s assign request', () => {
  it('no student: the roster next to the source, read through the policy\'s reader', () => {
    const r = run({ text: SOURCE, kind: 'nn', contents: { 'roster.csv': { text: 'id,name\ns001,Ada\n' } } });
    expect(r).toMatchObject({ type: 'assigned', id: 1, result: { roster: { students: [{ id: 's001', name: 'Ada' }] } } });
  });

  it('the example assignment\'s roster: 30 students with their names; a malformed one names its row', () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'assignment', 'roster.csv'), 'utf8');
    const r = run({ text: SOURCE, kind: 'nn', contents: { 'roster.csv': { text } } });
    if (r.type !== 'assigned' || !('roster' in r.result) || !r.result.roster || !('students' in r.result.roster)) throw new Error(JSON.stringify(r));
    expect(r.result.roster.students).toHaveLength(30);
    expect(r.result.roster.students.slice(0, 2)).toEqual([
      { id: 's001', name: 'Ann' },
      { id: 's002', name: 'Bob' },
    ]);
    expect(run({ text: SOURCE, kind: 'nn', contents: { 'roster.csv': { text: 'id\ns1\ns1\n' } } })).toMatchObject({ result: { roster: { problem: 'roster.csv row 3: the student s1 is already on row 2' } } });
  });

  it('no roster: undefined; a refused one (Restricted Mode): the refusal as the problem', () => {
    expect(run({ text: SOURCE, kind: 'nn', contents: {} })).toMatchObject({ result: { roster: undefined } });
    expect(run({ text: SOURCE, kind: 'nn' })).toMatchObject({ result: { roster: undefined } });
    expect(run({ text: SOURCE, kind: 'nn', contents: { 'roster.csv': { refusal: untrustedRefusal() } } })).toMatchObject({ result: { roster: { problem: untrustedRefusal().message } } });
  });

  it('a student: the handout (no key) and the variant with the key (∂z/∂w = 6w, by hand)', () => {
    const r = run({ text: SOURCE, kind: 'nn', student: 's001' });
    if (r.type !== 'assigned' || !('handout' in r.result)) throw new Error(JSON.stringify(r));
    const w = Number(r.result.key.draws[0]);
    expect([0.3, 0.5, 0.7]).toContain(w);
    expect(r.result.variant).toContain(`param w = ${r.result.key.draws[0]}`);
    expect(r.result.handout).toContain('handout student "s001"');
    expect(r.result.handout).toContain('answer grad(z, w) == ?');
    expect(r.result.key.answers[0].key[0]).toBeCloseTo(6 * w, 12);
    expect(r.result.handout).not.toContain('seed 7');
  });
});
