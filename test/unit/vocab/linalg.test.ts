/** linalg of issue #19 against PyTorch 1.13 / numpy fixtures (see funcsHarness.ts). */
import { describeGroup } from './funcsHarness';

describeGroup('linalg');
