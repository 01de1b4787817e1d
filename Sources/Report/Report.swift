// The Report module; see ARCHITECTURE.md.
