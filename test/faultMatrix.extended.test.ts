/** The fault matrix on Extended (test/helpers/faultMatrix.ts has the scenarios and the invariants). */
import { faultMatrix } from './helpers/faultMatrix';

faultMatrix('E');
