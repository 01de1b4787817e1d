// The NeuralNet module; see ARCHITECTURE.md.
