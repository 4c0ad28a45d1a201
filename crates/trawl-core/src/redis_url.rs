//! Redis Cluster URLs: `redis+cluster://[user[:password]@]host:port[,host:port…]` (and
//! `rediss+cluster://` for TLS). The hosts are seed nodes: the client asks any of them for
//! the cluster's slot map and then talks to every master itself. Pure parsing, shared by
//! config validation (`trawl-config`) and the store (`trawl-store`), so both say the same
//! thing about a bad URL.

/// Whether `url` names a Redis Cluster (scheme `redis+cluster` or `rediss+cluster`).
pub fn is_redis_cluster_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("redis+cluster://") || lower.starts_with("rediss+cluster://")
}

/// The seed nodes of a cluster URL as one plain URL each (`redis://[user:pass@]host:port`,
/// or `rediss://…`), credentials applied to every node. Errors (never echoing the
/// password) for: another scheme, no node, a node that is not `host:port`, a port that is
/// not 1–65535, a database other than 0 (a cluster has only database 0), a query string.
pub fn redis_cluster_nodes(url: &str) -> Result<Vec<String>, String> {
    let url = url.trim();
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| "expected redis+cluster://host:port[,host:port…]".to_string())?;
    let plain = match scheme.to_ascii_lowercase().as_str() {
        "redis+cluster" => "redis",
        "rediss+cluster" => "rediss",
        other => {
            return Err(format!(
                "scheme must be redis+cluster or rediss+cluster, got `{other}`"
            ))
        }
    };
    if rest.contains('?') || rest.contains('#') {
        return Err("query strings and fragments are not supported in a cluster URL".into());
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if !matches!(path, "" | "/" | "/0") {
        return Err(format!("a cluster has only database 0, got path `{path}`"));
    }
    let (userinfo, hosts) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let mut nodes = Vec::new();
    for (i, node) in hosts.split(',').enumerate() {
        let node = node.trim();
        if node.is_empty() {
            return Err(format!("seed node {}: empty (expected host:port)", i + 1));
        }
        let (host, port) = if let Some(v6) = node.strip_prefix('[') {
            let (h, p) = v6
                .split_once(']')
                .ok_or_else(|| format!("seed node `{node}`: unclosed `[`"))?;
            (h, p.strip_prefix(':').unwrap_or(""))
        } else {
            node.rsplit_once(':').unwrap_or((node, ""))
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '@') {
            return Err(format!("seed node `{node}`: expected host:port"));
        }
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => {
                return Err(format!(
                    "seed node `{node}`: expected host:port with a port of 1-65535"
                ))
            }
        }
        let host_part = if node.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        nodes.push(match userinfo {
            Some(u) => format!("{plain}://{u}@{host_part}:{port}"),
            None => format!("{plain}://{host_part}:{port}"),
        });
    }
    Ok(nodes)
}

/// [`crate::redact_url`] for a cluster URL (which the `url` crate cannot parse: its
/// authority holds several hosts): the password, or a lone token, becomes `***`.
pub(crate) fn redact_cluster_url(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return "<unparseable URL, not shown>".to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rfind('@') {
        None => s.to_string(),
        Some(i) => {
            let userinfo = &authority[..i];
            let shown = match userinfo.split_once(':') {
                Some((user, _)) => format!("{user}:***"),
                None => "***".to_string(),
            };
            format!("{scheme}://{shown}@{}{tail}", &authority[i + 1..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_nodes_are_parsed() {
        assert_eq!(
            redis_cluster_nodes("redis+cluster://127.0.0.1:7000,127.0.0.1:7001").unwrap(),
            vec!["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"]
        );
        assert_eq!(
            redis_cluster_nodes("rediss+cluster://u:p%40w@a.example:7000, [::1]:7001/0").unwrap(),
            vec![
                "rediss://u:p%40w@a.example:7000",
                "rediss://u:p%40w@[::1]:7001"
            ]
        );
        assert!(is_redis_cluster_url("REDIS+CLUSTER://h:1"));
        assert!(!is_redis_cluster_url("redis://h:1"));
    }

    #[test]
    fn bad_cluster_urls_are_errors_without_secrets() {
        for bad in [
            "redis+cluster://",
            "redis+cluster://:hunter2@",
            "redis+cluster://h",
            "redis+cluster://h:0",
            "redis+cluster://h:70000",
            "redis+cluster://h:1,,h:2",
            "redis+cluster://:hunter2@h:1/3",
            "redis+cluster://h:1?x=1",
            "redis+cluster://[::1:7000",
            "redis://h:1",
            "no scheme",
        ] {
            let e = redis_cluster_nodes(bad).expect_err(bad);
            assert!(!e.contains("hunter2"), "{bad}: {e}");
        }
    }

    #[test]
    fn cluster_urls_are_redacted() {
        assert_eq!(
            crate::redact_url("redis+cluster://u:hunter2@h:1,h:2"),
            "redis+cluster://u:***@h:1,h:2"
        );
        assert_eq!(
            crate::redact_url("redis+cluster://tok3n@h:1,h:2/0"),
            "redis+cluster://***@h:1,h:2/0"
        );
        assert_eq!(
            crate::redact_url("redis+cluster://h:1,h:2"),
            "redis+cluster://h:1,h:2"
        );
    }
}
