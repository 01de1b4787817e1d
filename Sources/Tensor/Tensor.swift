// The Tensor module; see ARCHITECTURE.md.
