/** Registers the network ops (side effects only). */
// RNN, LSTM, GRU and attention are composed from the general ops (index, stack, matmul, …).
import '../../autodiff/ops/index';
import './linear';
import './conv';
import './convTranspose';
import './pool';
import './norm';
import './misc';
import './activations';
