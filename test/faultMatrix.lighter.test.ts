/** The fault matrix on Lighter (test/helpers/faultMatrix.ts has the scenarios and the invariants). */
import { faultMatrix } from './helpers/faultMatrix';

faultMatrix('L');
