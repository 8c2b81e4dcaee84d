/** Registers every op of the table (each module calls defineOp when loaded). */
import './elementwise';
import './linalg';
import './reduce';
import './shape';
import './indexing';
import './compare';
import './softmax';
import './loss';
import './stats';
import './einsum';
import './lossesExtra';
