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

/// The URL with its password replaced by `***` (a user name alone is kept,
/// except when it is the only credential of a scheme that uses it as a token,
/// which is treated as a password too). A string that does not parse as a URL
/// is not echoed at all: it may still hold a secret.
pub fn redact_url(s: &str) -> String {
    match url::Url::parse(s) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            } else if !u.username().is_empty() && u.scheme().starts_with("redis") {
                // redis://TOKEN@host: the user part is the secret.
                let _ = u.set_username("***");
            }
            u.to_string()
        }
        Err(_) => "<unparseable URL, not shown>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("amqp://guest:guest@127.0.0.1:5672/%2f"),
            "amqp://guest:***@127.0.0.1:5672/%2f"
        );
        assert_eq!(
            redact_url("redis://:s3cret@127.0.0.1:6379/0"),
            "redis://:***@127.0.0.1:6379/0"
        );
        assert_eq!(
            redact_url("redis://tok3n@host:6379"),
            "redis://***@host:6379"
        );
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        assert_eq!(
            redact_url("not a url guest:pw"),
            "<unparseable URL, not shown>"
        );
    }

    #[test]
    fn debug_and_display_never_show_the_password() {
        let s = SecretUrl::new("amqps://user:hunter2@mq.example:5671/vhost");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s}").contains("hunter2"));
        assert!(format!("{s}").contains("user:***@"));
        assert_eq!(s.expose(), "amqps://user:hunter2@mq.example:5671/vhost");
    }
}
