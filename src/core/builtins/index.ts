/** Registers every built-in (each module calls defineBuiltin when loaded). */
import './elementwise';
import './reductions';
import './shape';
import './linalg';
import './probability';
import './losses';
import './constructors';
import './statistics';
import './functional';
import './masks';
import './indexing';
