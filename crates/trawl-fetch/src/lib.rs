//! Polite, robots-aware, hardened HTTP fetcher (reqwest/rustls) with an SSRF guard.
