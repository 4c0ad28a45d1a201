//! Semantic checks after the types are right: URLs, ranges, CIDRs, regexes.

use std::time::Duration;

use crate::{redact_url, Config};

type Errors = Vec<(String, String)>;

fn range<T: PartialOrd + std::fmt::Display + Copy>(
    out: &mut Errors,
    key: &str,
    v: T,
    min: T,
    max: T,
) {
    if v < min || v > max {
        out.push((
            key.into(),
            format!("must be between {min} and {max}, got {v}"),
        ));
    }
}

/// The rule for update-check schedules (`[frontier] update_checks`, `trawl crawl
/// --update-checks`): every check positive, in ascending order; an empty list turns them off.
pub fn check_update_checks(checks: &[Duration]) -> Result<(), String> {
    if checks.iter().any(Duration::is_zero) {
        return Err("every check must be greater than 0 (an empty list turns them off)".into());
    }
    if checks.windows(2).any(|w| w[0] >= w[1]) {
        return Err("must be in ascending order (e.g. 1h, 6h, 24h, 48h)".into());
    }
    Ok(())
}

fn positive(out: &mut Errors, key: &str, d: Duration) {
    if d.is_zero() {
        out.push((key.into(), "must be greater than 0".into()));
    }
}

fn url_with_scheme(out: &mut Errors, key: &str, raw: &str, schemes: &[&str]) {
    match url::Url::parse(raw) {
        Err(e) => out.push((
            key.into(),
            format!("not a valid URL ({e}): {}", redact_url(raw)),
        )),
        Ok(u) if !schemes.contains(&u.scheme()) => out.push((
            key.into(),
            format!(
                "scheme must be one of {}, got `{}` in {}",
                schemes.join(", "),
                u.scheme(),
                redact_url(raw)
            ),
        )),
        Ok(u) if u.scheme() != "unix" && u.host_str().is_none_or(str::is_empty) => {
            out.push((key.into(), format!("URL has no host: {}", redact_url(raw))))
        }
        Ok(_) => {}
    }
}

/// Most RabbitMQ nodes `amqp.url` may list.
const MAX_AMQP_NODES: usize = 16;

/// `amqp.url`: one URL, or a comma-separated list of the nodes of one cluster, tried in order.
fn amqp_urls(out: &mut Errors, key: &str, raw: &str) {
    let schemes = &["amqp", "amqps"];
    let entries = trawl_core::split_url_list(raw);
    if entries.len() == 1 {
        url_with_scheme(out, key, raw, schemes);
        return;
    }
    if entries.len() > MAX_AMQP_NODES {
        out.push((
            key.into(),
            format!(
                "lists {} nodes; at most {MAX_AMQP_NODES} are allowed",
                entries.len()
            ),
        ));
        return;
    }
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let n = i + 1;
        if entry.is_empty() {
            out.push((
                key.into(),
                format!("entry {n} of the node list is empty (a stray comma?)"),
            ));
            continue;
        }
        let mut one = Errors::new();
        url_with_scheme(&mut one, key, entry, schemes);
        if !one.is_empty() {
            out.extend(one.into_iter().map(|(k, m)| (k, format!("entry {n}: {m}"))));
            continue;
        }
        if let Ok(u) = url::Url::parse(entry) {
            let node = format!(
                "{}:{}",
                u.host_str().unwrap_or_default(),
                u.port_or_known_default().unwrap_or(0)
            );
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == node) {
                out.push((
                    key.into(),
                    format!("entry {n} lists the node {node} again (entry {first})"),
                ));
            } else {
                seen.push((node, n));
            }
        }
    }
}

fn name_prefix(out: &mut Errors, key: &str, p: &str) {
    if p.is_empty()
        || p.len() > 64
        || !p
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        out.push((
            key.into(),
            format!("must be 1-64 characters of [A-Za-z0-9._-], got `{p}`"),
        ));
    }
}

fn regexes(out: &mut Errors, key: &str, pats: &[String]) {
    for (i, p) in pats.iter().enumerate() {
        if let Err(e) = regex::RegexBuilder::new(p).size_limit(1 << 20).build() {
            let first = e
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .to_string();
            out.push((
                format!("{key}[{i}]"),
                format!("invalid regex `{p}`: {first}"),
            ));
        }
    }
}

fn non_empty_items(out: &mut Errors, key: &str, items: &[String]) {
    for (i, s) in items.iter().enumerate() {
        if s.trim().is_empty() {
            out.push((format!("{key}[{i}]"), "must not be empty".into()));
        }
    }
}

const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];

/// All semantic problems, as `(key, message)`.
pub(crate) fn validate(c: &Config) -> Errors {
    let mut out = Errors::new();
    let o = &mut out;

    // [amqp]
    amqp_urls(o, "amqp.url", c.amqp.url.expose());
    name_prefix(o, "amqp.prefix", &c.amqp.prefix);
    range(o, "amqp.prefetch", c.amqp.prefetch, 1, 65_535);
    positive(o, "amqp.confirm_timeout", c.amqp.confirm_timeout);
    positive(
        o,
        "amqp.reconnect_max_backoff",
        c.amqp.reconnect_max_backoff,
    );

    // [redis]
    if trawl_core::is_redis_cluster_url(c.redis.url.expose()) {
        if let Err(e) = trawl_core::redis_cluster_nodes(c.redis.url.expose()) {
            o.push((
                "redis.url".into(),
                format!("{e}: {}", redact_url(c.redis.url.expose())),
            ));
        }
    } else {
        url_with_scheme(
            o,
            "redis.url",
            c.redis.url.expose(),
            &["redis", "rediss", "unix", "redis+cluster", "rediss+cluster"],
        );
    }
    name_prefix(o, "redis.prefix", &c.redis.prefix);
    positive(o, "redis.command_timeout", c.redis.command_timeout);
    range(
        o,
        "redis.seen_capacity",
        c.redis.seen_capacity,
        1_000,
        1_000_000_000_000,
    );

    // [fetch]
    let f = &c.fetch;
    if f.user_agent.is_empty()
        || !f
            .user_agent
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        o.push((
            "fetch.user_agent".into(),
            format!(
                "must be a product token of [A-Za-z0-9._-] (robots.txt groups match it), got `{}`",
                f.user_agent
            ),
        ));
    }
    if !f.contact_url.is_empty() {
        url_with_scheme(
            o,
            "fetch.contact_url",
            &f.contact_url,
            &["http", "https", "mailto"],
        );
    }
    for (i, cidr) in f.allow_cidrs.iter().enumerate() {
        let s = cidr.trim();
        if s.parse::<ipnet::IpNet>().is_err() && s.parse::<std::net::IpAddr>().is_err() {
            o.push((
                format!("fetch.allow_cidrs[{i}]"),
                format!("not a CIDR (e.g. 127.0.0.0/8 or ::1/128): `{s}`"),
            ));
        }
    }
    positive(o, "fetch.connect_timeout", f.connect_timeout);
    positive(o, "fetch.first_byte_timeout", f.first_byte_timeout);
    positive(o, "fetch.timeout", f.timeout);
    if !f.timeout.is_zero() && f.connect_timeout > f.timeout {
        o.push((
            "fetch.connect_timeout".into(),
            "must not exceed fetch.timeout".into(),
        ));
    }
    range(o, "fetch.max_body_bytes", f.max_body_bytes, 1024, 1 << 30);
    range(o, "fetch.max_redirects", f.max_redirects, 0, 20);
    range(o, "fetch.max_retries", f.max_retries, 0, 10);
    positive(o, "fetch.robots_ttl", f.robots_ttl);

    // [frontier]
    let fr = &c.frontier;
    range(o, "frontier.max_depth", fr.max_depth, 0, 1000);
    for (i, d) in fr.scope_domains.iter().enumerate() {
        let d = d.trim();
        let ok = !d.is_empty()
            && url::Url::parse(&format!("http://{d}/"))
                .ok()
                .and_then(|u| u.host_str().map(|h| !h.is_empty()))
                .unwrap_or(false)
            && !d.contains('/');
        if !ok {
            o.push((
                format!("frontier.scope_domains[{i}]"),
                format!("not a domain name: `{d}`"),
            ));
        }
    }
    regexes(o, "frontier.allow_patterns", &fr.allow_patterns);
    regexes(o, "frontier.deny_patterns", &fr.deny_patterns);
    non_empty_items(o, "frontier.tracking_params", &fr.tracking_params);
    non_empty_items(o, "frontier.session_params", &fr.session_params);
    non_empty_items(o, "frontier.blocked_extensions", &fr.blocked_extensions);
    range(o, "frontier.max_url_len", fr.max_url_len, 64, 65_536);
    range(o, "frontier.max_path_depth", fr.max_path_depth, 1, 1000);
    range(
        o,
        "frontier.max_calendar_per_family",
        fr.max_calendar_per_family,
        1,
        1_000_000,
    );
    range(
        o,
        "frontier.max_pagination_per_family",
        fr.max_pagination_per_family,
        1,
        1_000_000,
    );
    positive(o, "frontier.recrawl_interval", fr.recrawl_interval);
    positive(o, "frontier.recrawl_min_interval", fr.recrawl_min_interval);
    positive(o, "frontier.max_host_delay", fr.max_host_delay);
    if fr.recrawl_max_interval < fr.recrawl_min_interval {
        o.push((
            "frontier.recrawl_max_interval".into(),
            "must not be shorter than frontier.recrawl_min_interval".into(),
        ));
    }
    if let Err(e) = check_update_checks(&fr.update_checks) {
        o.push(("frontier.update_checks".into(), e));
    }
    positive(o, "frontier.lease_ttl", fr.lease_ttl);
    range(o, "frontier.max_attempts", fr.max_attempts, 1, 100);
    range(o, "frontier.shards", fr.shards, 1, 4096);
    if fr.shard_lease < std::time::Duration::from_millis(300) {
        o.push((
            "frontier.shard_lease".into(),
            "must be at least 300ms".into(),
        ));
    }
    range(
        o,
        "frontier.dedup_batch_size",
        fr.dedup_batch_size,
        1,
        100_000,
    );
    range(
        o,
        "frontier.dispatch_batch_size",
        fr.dispatch_batch_size,
        1,
        100_000,
    );

    // [worker]
    range(o, "worker.concurrency", c.worker.concurrency, 1, 10_000);
    positive(o, "worker.grace_period", c.worker.grace_period);

    // [postgres]
    let pg = &c.postgres;
    url_with_scheme(
        o,
        "postgres.url",
        pg.url.expose(),
        &["postgres", "postgresql"],
    );
    let ident_ok = pg.schema.len() <= 63
        && pg
            .schema
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && pg
            .schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ident_ok {
        o.push((
            "postgres.schema".into(),
            format!(
                "must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 bytes), got `{}`",
                pg.schema
            ),
        ));
    }
    if pg.queue.is_empty()
        || pg.queue.len() > 200
        || !pg
            .queue
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        o.push((
            "postgres.queue".into(),
            format!(
                "must be 1-200 characters of [A-Za-z0-9._-], got `{}`",
                pg.queue
            ),
        ));
    }
    if pg.binding.trim().is_empty() || pg.binding.len() > 255 {
        o.push((
            "postgres.binding".into(),
            "must be a topic pattern of 1-255 bytes, e.g. `#` or `example_com.*`".into(),
        ));
    }
    range(o, "postgres.batch_size", pg.batch_size, 1, 10_000);
    positive(o, "postgres.batch_timeout", pg.batch_timeout);
    range(o, "postgres.writers", pg.writers, 1, 16);
    positive(o, "postgres.connect_timeout", pg.connect_timeout);
    positive(o, "postgres.max_backoff", pg.max_backoff);
    range(
        o,
        "postgres.search_batch_size",
        pg.search_batch_size,
        0,
        10_000,
    );
    positive(o, "postgres.search_interval", pg.search_interval);
    positive(o, "postgres.search_idle", pg.search_idle);
    range(
        o,
        "postgres.search_concurrency",
        pg.search_concurrency,
        1,
        16,
    );
    // [warc]
    range(
        o,
        "warc.max_file_bytes",
        c.warc.max_file_bytes,
        64 * 1024,
        1 << 40,
    );
    name_prefix(o, "warc.prefix", &c.warc.prefix);
    range(
        o,
        "warc.revisit_digests",
        c.warc.revisit_digests,
        0,
        100_000_000,
    );

    // [metrics]
    if c.metrics.listen_addr().is_none() {
        o.push((
            "metrics.listen".into(),
            format!("not an address like 0.0.0.0:9090: `{}`", c.metrics.listen),
        ));
    }

    // [log]
    let level_ok = !c.log.level.trim().is_empty()
        && c.log.level.split(',').all(|d| {
            let d = d.trim();
            let lvl = d
                .rsplit('=')
                .next()
                .unwrap_or(d)
                .trim()
                .to_ascii_lowercase();
            !d.is_empty() && LEVELS.contains(&lvl.as_str())
        });
    if !level_ok {
        o.push((
            "log.level".into(),
            format!(
                "expected a level ({}) or directives like `info,trawl_fetch=debug`, got `{}`",
                LEVELS.join("|"),
                c.log.level
            ),
        ));
    }
    out
}
