//! Credentials never reach a log line.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A URL that may carry credentials. `Debug` and `Display` show it with the
/// password replaced by `***`; [`expose`](SecretUrl::expose) gives the real
/// string to the code that connects.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Wrap a URL string.
    pub fn new(s: impl Into<String>) -> Self {
        SecretUrl(s.into())
    }

    /// The real URL, credentials included. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The redacted form, for logs and errors.
    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({:?})", self.redacted())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

pub use trawl_core::redact_url;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_password() {
        let s = SecretUrl::new("amqps://user:hunter2@mq.example:5671/vhost");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s}").contains("hunter2"));
        assert!(format!("{s}").contains("user:***@"));
        assert_eq!(s.expose(), "amqps://user:hunter2@mq.example:5671/vhost");
    }
}
