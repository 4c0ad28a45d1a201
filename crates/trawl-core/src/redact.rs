//! Credentials never reach a log line: the one URL redaction every crate uses (config, the
//! AMQP broker, the Redis store).

/// The URL with its password replaced by `***` (a user name alone is kept, except when it is
/// the only credential of a scheme that uses it as a token — `redis://TOKEN@host` — which is
/// treated as a password too). A string that does not parse as a URL is not echoed at all: it
/// may still hold a secret.
///
/// A comma-separated list of URLs (see [`split_url_list`], e.g. the nodes of a RabbitMQ
/// cluster) is redacted entry by entry, so no entry's password shows.
pub fn redact_url(s: &str) -> String {
    if crate::redis_url::is_redis_cluster_url(s) {
        return crate::redis_url::redact_cluster_url(s);
    }
    let entries = split_url_list(s);
    if entries.len() > 1 {
        return entries
            .iter()
            .map(|e| redact_one(e))
            .collect::<Vec<_>>()
            .join(",");
    }
    redact_one(s)
}

/// Split a comma-separated list of URLs (`amqp://a:5672/%2f,amqp://b:5672/%2f`) into its
/// entries, trimmed. A comma splits only where the text after it starts a new URL
/// (`scheme://`) or is empty (so `a,,b` and `a,` keep their empty entries for the caller to
/// reject); any other comma, say in a password, stays part of its URL. One URL gives one entry.
pub fn split_url_list(s: &str) -> Vec<&str> {
    let mut entries: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, _) in s.match_indices(',') {
        let rest = s[i + 1..].trim_start();
        let next_is_entry = rest.is_empty() || rest.starts_with(',') || starts_with_scheme(rest);
        if next_is_entry {
            entries.push(s[start..i].trim());
            start = i + 1;
        }
    }
    entries.push(s[start..].trim());
    entries
}

/// Whether `s` starts with `scheme://` (RFC 3986 scheme characters).
fn starts_with_scheme(s: &str) -> bool {
    let Some(end) = s.find("://") else {
        return false;
    };
    let scheme = &s[..end];
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn redact_one(s: &str) -> String {
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
    fn lists_are_split_at_commas_that_start_a_new_url() {
        use super::split_url_list;
        assert_eq!(
            split_url_list("amqp://a:1/%2f, amqp://b:2/%2f,amqps://c/"),
            ["amqp://a:1/%2f", "amqp://b:2/%2f", "amqps://c/"]
        );
        assert_eq!(split_url_list("amqp://a/"), ["amqp://a/"]);
        // A comma inside a password does not split.
        assert_eq!(
            split_url_list("amqp://u:p,w@a/,amqp://u:p,w@b/"),
            ["amqp://u:p,w@a/", "amqp://u:p,w@b/"]
        );
        // Empty entries are kept for the caller to reject.
        assert_eq!(
            split_url_list("amqp://a/,,amqp://b/"),
            ["amqp://a/", "", "amqp://b/"]
        );
        assert_eq!(split_url_list("amqp://a/,"), ["amqp://a/", ""]);
        assert_eq!(split_url_list(""), [""]);
    }

    #[test]
    fn every_password_of_a_list_is_redacted() {
        let r = redact_url("amqp://u:s3cret1@a:5673/%2f,amqp://u:s3cret2@b:5674/%2f");
        assert_eq!(r, "amqp://u:***@a:5673/%2f,amqp://u:***@b:5674/%2f");
        let r = redact_url("amqp://u:p,w@a/,amqp://x:s3cret@b/");
        assert_eq!(r, "amqp://u:***@a/,amqp://x:***@b/");
        // An entry that does not parse is not echoed.
        let r = redact_url("amqp://u:p@a/,amqp://x:s3cret@b:port/");
        assert!(!r.contains("s3cret"), "{r}");
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
