//! The fetch/extract worker: consumes tasks, fetches, extracts, publishes articles and reports.
