// The Stages module; see ARCHITECTURE.md.
