/** reductions of issue #19 against PyTorch 1.13 / numpy fixtures (see harness.ts). */
import { describeGroup } from './harness';

describeGroup('reductions');
