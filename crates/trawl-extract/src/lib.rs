//! Article extraction from raw HTML bytes: decoding, metadata, main content, boilerplate removal. No I/O.
