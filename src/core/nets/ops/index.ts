/** Registers the network ops (side effects only). */
import './linear';
import './conv';
import './pool';
import './norm';
import './misc';
import './activations';
