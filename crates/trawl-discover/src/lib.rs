//! Sitemap and RSS/Atom parsing for link discovery. Pure logic, no I/O.
