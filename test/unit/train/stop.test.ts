/**
 * AnalyzeOptions.shouldStop ("GradLens: Stop Training" in the editor): polled before every step,
 * a reason stops the training where it is. What follows is exactly a training of that many steps
 * (`steps K`, bit for bit), the lines after it run with those parameters, and the training and a
 * `train.stopped` note say why; a later training stops before its first step.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';

const REASON = 'by the user (GradLens: Stop Training)';

function documentText(length: string): string {
  return [
    'X = [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [1.0, 1.0], [0.0, -0.5]]',
    'y = [[1.0], [0.0], [1.0], [0.0], [1.0]]',
    'network net',
    '  input [N, 2]',
    '  Linear(2, 4)',
    '  Tanh()',
    '  Linear(4, 1)',
    '  Sigmoid()',
    'train net on X, y',
    '  loss bce(net(X), y)',
    '  optimizer SGD(lr=0.5, momentum=0.9)',
    `  ${length}`,
    '  batch 2',
    'w = net.0.weight',
    'L = bce(net(X), y)',
    'grad L wrt net.2.bias',
    'train net on X, y',
    '  loss bce(net(X), y)',
    '  optimizer SGD(lr=0.1)',
    '  epochs 3',
    'after = bce(net(X), y)',
    '',
  ].join('\n');
}

describe('train: shouldStop', () => {
  it('stops before step k + 1: later lines equal those after `steps k`, bit for bit', () => {
    for (const k of [0, 1, 4, 7]) {
      let polls = 0;
      const stopped = analyze(documentText('epochs 100'), { valuesOnly: true, shouldStop: () => (++polls > k ? REASON : undefined) });
      // The reference: the same document training exactly k steps, and nothing stopping the second training.
      const ref = analyze(documentText(`steps ${k}`), { valuesOnly: true });
      const [first, second] = stopped.trainings!;
      expect(first.steps).toBe(k);
      expect(first.stopped).toBe(`${REASON} after ${Math.floor(k / 3)} epoch${Math.floor(k / 3) === 1 ? '' : 's'} (${k} step${k === 1 ? '' : 's'}) of 100 epochs`);
      expect(first.stepLosses).toEqual(ref.trainings![0].stepLosses);
      // Epoch losses, with the stopped epoch's steps as a last partial entry, as after `steps k`.
      expect(first.losses).toEqual(ref.trainings![0].losses);
      for (const name of ['w', 'L']) expect(stopped.values.find((v) => v.name === name)!.data).toEqual(ref.values.find((v) => v.name === name)!.data);
      expect(stopped.gradients[0].data).toEqual(ref.gradients[0].data);
      // The flag stays set: the second training stops before its first step, and the line after it runs on.
      expect(second.steps).toBe(0);
      expect(second.stopped).toMatch(/^by the user \(GradLens: Stop Training\) after 0 epochs \(0 steps\) of 3 epochs$/);
      expect(stopped.values.find((v) => v.name === 'after')!.data).toEqual(stopped.values.find((v) => v.name === 'L')!.data);
      const notes = stopped.diagnostics.filter((d) => d.code === 'train.stopped');
      expect(notes.map((d) => d.severity)).toEqual(['info', 'info']);
      expect(notes[0].message).toBe(`Training stopped early: ${first.stopped}. Later lines see the parameters after step ${k}.`);
      expect(stopped.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });

  it('is not polled by a document without training, and a training that is never stopped is unchanged', () => {
    let polls = 0;
    const plain = analyze('x = 2\ny = x * 3\n', { valuesOnly: true, shouldStop: () => (polls++, REASON) });
    expect(polls).toBe(0);
    expect(plain.values.find((v) => v.name === 'y')!.data).toEqual([6]);
    const a = analyze(documentText('epochs 2'), { valuesOnly: true, shouldStop: () => undefined });
    const b = analyze(documentText('epochs 2'), { valuesOnly: true });
    expect(a.trainings!.map((t) => t.stepLosses)).toEqual(b.trainings!.map((t) => t.stepLosses));
    expect(a.trainings!.every((t) => t.stopped === undefined)).toBe(true);
  });
});
