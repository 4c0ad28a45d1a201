//! Credentials never reach a log line: the one URL redaction every crate uses (config, the
//! AMQP broker, the Redis store).

/// The URL with its password replaced by `***` (a user name alone is kept, except when it is
/// the only credential of a scheme that uses it as a token — `redis://TOKEN@host` — which is
/// treated as a password too). A string that does not parse as a URL is not echoed at all: it
/// may still hold a secret.
pub fn redact_url(s: &str) -> String {
    if crate::redis_url::is_redis_cluster_url(s) {
        return crate::redis_url::redact_cluster_url(s);
    }
    match url::Url::parse(s) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            } else if !u.username().is_empty() && u.scheme().starts_with("redis") {
                let _ = u.set_username("***");
            }
            u.to_string()
        }
        Err(_) => "<unparseable URL, not shown>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("amqp://guest:guest@127.0.0.1:5672/%2f"),
            "amqp://guest:***@127.0.0.1:5672/%2f"
        );
        assert_eq!(
            redact_url("amqps://u:p%40ss@host/vh?heartbeat=5"),
            "amqps://u:***@host/vh?heartbeat=5"
        );
        // An unescaped '@' in the password: everything before the last '@' is userinfo.
        assert!(!redact_url("amqp://u:a@b@h/").contains("a@b"));
        assert_eq!(
            redact_url("redis://:s3cret@127.0.0.1:6379/0"),
            "redis://:***@127.0.0.1:6379/0"
        );
        assert_eq!(
            redact_url("redis://tok3n@host:6379"),
            "redis://***@host:6379"
        );
        assert_eq!(redact_url("amqp://user@host"), "amqp://user@host");
    }

    #[test]
    fn urls_without_credentials_are_unchanged() {
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        assert_eq!(redact_url("amqp://host:5672"), "amqp://host:5672");
    }

    #[test]
    fn unparseable_input_is_never_echoed() {
        for s in ["not a url guest:pw", "amqp//user:pw@host", "://:pw@", ""] {
            let r = redact_url(s);
            assert_eq!(r, "<unparseable URL, not shown>", "{s:?}");
        }
    }
}
