use std::collections::HashMap;
use std::time::Duration;

use crate::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn load(
    file: Option<&str>,
    env: &HashMap<String, String>,
    flags: &[(&str, &str)],
) -> Result<Config, ConfigErrors> {
    let flags: Vec<(String, String)> = flags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::load(&Sources {
        file: file.map(|t| ("test.toml", t)),
        env: Some(env),
        overrides: &flags,
    })
}

fn errors(r: Result<Config, ConfigErrors>) -> ConfigErrors {
    match r {
        Ok(c) => panic!("expected errors, got {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn defaults_are_valid_and_point_at_local_services() {
    let c = load(None, &HashMap::new(), &[]).unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.amqp.url.expose(), "amqp://guest:guest@127.0.0.1:5672/%2f");
    assert_eq!(c.redis.url.expose(), "redis://127.0.0.1:6379");
    assert_eq!(c.amqp.prefix, "trawl");
    assert_eq!(c.frontier.recrawl_interval, Duration::from_secs(900));
    assert_eq!(c.metrics.listen_addr().map(|a| a.port()), Some(9090));
    assert_eq!(c.log.format, LogFormat::Human);
}

#[test]
fn example_file_parses() {
    let text = include_str!("../../../deploy/trawl.example.toml");
    let c =
        Config::from_toml_str("deploy/trawl.example.toml", text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.fetch.allow_cidrs, ["127.0.0.0/8"]);
    assert_eq!(c.frontier.tracking_params, ["pk_*"]);
    assert_eq!(c.frontier.lease_ttl, Duration::from_secs(120));
    assert_eq!(c.fetch.robots_ttl, Duration::from_secs(24 * 3600));
    // Apart from the keys marked "not a default", the example shows the defaults.
    let mut expect = Config::default();
    expect.fetch.allow_cidrs = vec!["127.0.0.0/8".into()];
    expect.frontier.tracking_params = vec!["pk_*".into()];
    expect.frontier.deny_patterns = c.frontier.deny_patterns.clone();
    assert_eq!(c, expect);
}

#[test]
fn durations_are_humantime() {
    let c = Config::from_toml_str(
        "t",
        "[frontier]\nrecrawl_interval = \"1h 30m\"\n[worker]\ngrace_period = \"250ms\"\n",
    )
    .unwrap();
    assert_eq!(c.frontier.recrawl_interval, Duration::from_secs(5400));
    assert_eq!(c.worker.grace_period, Duration::from_millis(250));
}

#[test]
fn seen_capacity_is_bounded() {
    assert_eq!(Config::default().redis.seen_capacity, 10_000_000);
    let c = Config::from_toml_str("t", "[redis]\nseen_capacity = 1000000000\n").unwrap();
    assert_eq!(c.redis.seen_capacity, 1_000_000_000);
    for bad in ["0", "999", "-5", "\"lots\""] {
        let e = errors(Config::from_toml_str(
            "t",
            &format!("[redis]\nseen_capacity = {bad}\n"),
        ));
        assert!(e.has_key("redis.seen_capacity"), "{bad}: {e}");
    }
}

#[test]
fn update_checks_are_an_ascending_duration_list() {
    let h = |n: u64| Duration::from_secs(n * 3600);
    assert_eq!(
        Config::default().frontier.update_checks,
        vec![h(1), h(6), h(24), h(48)]
    );
    let c = Config::from_toml_str("t", "[frontier]\nupdate_checks = [\"30m\", \"2h\"]\n").unwrap();
    assert_eq!(
        c.frontier.update_checks,
        vec![Duration::from_secs(1800), h(2)]
    );
    let from_env = load(
        None,
        &env(&[("TRAWL_FRONTIER_UPDATE_CHECKS", "30m,2h")]),
        &[],
    )
    .unwrap();
    assert_eq!(from_env.frontier.update_checks, c.frontier.update_checks);
    let off = Config::from_toml_str("t", "[frontier]\nupdate_checks = []\n").unwrap();
    assert!(off.frontier.update_checks.is_empty());
    for bad in ["[\"6h\", \"1h\"]", "[\"0s\"]", "[\"soon\"]", "\"1h\""] {
        let e = errors(Config::from_toml_str(
            "t",
            &format!("[frontier]\nupdate_checks = {bad}\n"),
        ));
        assert!(e.has_key("frontier.update_checks"), "{bad}: {e}");
    }
}

#[test]
fn env_beats_file_beats_default_and_flags_beat_env() {
    let file = "[worker]\nconcurrency = 8\n[fetch]\nuser_agent = \"filebot\"\n[redis]\nprefix = \"fromfile\"\n";
    let e = env(&[
        ("TRAWL_WORKER_CONCURRENCY", "16"),
        ("TRAWL_AMQP_URL", "amqp://u:p@10.0.0.1:5672/%2f"),
        ("TRAWL_REDIS_URL", "redis://127.0.0.1:6380"),
        ("TRAWL_FETCH_ALLOW_CIDRS", "127.0.0.0/8, ::1/128"),
        ("TRAWL_FETCH_RESPECT_ROBOTS", "false"),
        ("TRAWL_FRONTIER_LEASE_TTL", "45s"),
        ("TRAWL_CONFIG", "/etc/trawl.toml"), // not a section variable: ignored
    ]);
    let c = load(Some(file), &e, &[]).unwrap();
    assert_eq!(c.worker.concurrency, 16); // env over file
    assert_eq!(c.fetch.user_agent, "filebot"); // file over default
    assert_eq!(c.redis.prefix, "fromfile");
    assert_eq!(c.amqp.prefix, "trawl"); // default
    assert_eq!(c.amqp.url.expose(), "amqp://u:p@10.0.0.1:5672/%2f");
    assert_eq!(c.redis.url.expose(), "redis://127.0.0.1:6380");
    assert_eq!(c.fetch.allow_cidrs, ["127.0.0.0/8", "::1/128"]);
    assert!(!c.fetch.respect_robots);
    assert_eq!(c.frontier.lease_ttl, Duration::from_secs(45));

    let c = load(
        Some(file),
        &e,
        &[("worker.concurrency", "4"), ("log.format", "json")],
    )
    .unwrap();
    assert_eq!(c.worker.concurrency, 4); // flag over env
    assert_eq!(c.log.format, LogFormat::Json);
}

#[test]
fn unknown_keys_and_sections_are_named() {
    let e = errors(load(
        Some("stray = 1\n[fetch]\nuser_agnet = \"x\"\n[queue]\nprefix = \"t\"\n"),
        &env(&[("TRAWL_METRICS_ADDR", "0.0.0.0:1")]),
        &[("worker.threads", "3"), ("nodot", "1")],
    ));
    for key in [
        "fetch.user_agnet",
        "queue",
        "stray",
        "metrics.addr",
        "worker.threads",
        "nodot",
    ] {
        assert!(e.has_key(key), "missing error for {key}: {e}");
    }
    let env_err = e.errors().iter().find(|x| x.key == "metrics.addr").unwrap();
    assert_eq!(env_err.origin, Origin::Env("TRAWL_METRICS_ADDR".into()));
    assert!(
        e.to_string().contains("unknown key `fetch.user_agnet`"),
        "{e}"
    );
    assert!(e.to_string().contains("unknown section `queue`"), "{e}");
    assert!(e.to_string().contains("unknown key `stray`"), "{e}");
    assert_eq!(e.errors().len(), 6, "{e}");
}

#[test]
fn invalid_values_each_named() {
    let file = r#"
[amqp]
url = "http://127.0.0.1:5672"
prefetch = 0
prefix = "has space"
[redis]
url = "not a url"
[fetch]
allow_cidrs = ["127.0.0.0/8", "10.0.0.0/33", "bogus"]
timeout = "0s"
contact_url = "ftp://x.example/"
max_redirects = 99
user_agent = "my bot"
[frontier]
max_attempts = 0
deny_patterns = ["("]
scope_domains = ["ok.example", "bad domain"]
lease_ttl = "soon"
[worker]
concurrency = "many"
[metrics]
listen = "localhost"
[log]
format = "xml"
level = "loud"
"#;
    let e = errors(load(Some(file), &HashMap::new(), &[]));
    let expected = [
        "amqp.url",
        "amqp.prefetch",
        "amqp.prefix",
        "redis.url",
        "fetch.allow_cidrs[1]",
        "fetch.allow_cidrs[2]",
        "fetch.timeout",
        "fetch.contact_url",
        "fetch.max_redirects",
        "fetch.user_agent",
        "frontier.max_attempts",
        "frontier.deny_patterns[0]",
        "frontier.scope_domains[1]",
        "frontier.lease_ttl",
        "worker.concurrency",
        "metrics.listen",
        "log.format",
        "log.level",
    ];
    for key in expected {
        assert!(e.has_key(key), "missing error for {key}:\n{e}");
    }
    assert_eq!(e.errors().len(), expected.len(), "{e}");
    assert!(!e.has_key("fetch.allow_cidrs[0]"));
    assert!(!e.has_key("frontier.scope_domains[0]"));
    // Every error says where the value came from.
    assert!(
        e.errors()
            .iter()
            .all(|x| x.origin == Origin::File("test.toml".into())),
        "{e}"
    );
    let text = e.to_string();
    assert!(text.starts_with(&format!(
        "invalid configuration ({} errors):",
        expected.len()
    )));
    assert!(text.contains("scheme must be one of amqp, amqps"), "{text}");
}

#[test]
fn env_values_are_type_checked_and_named() {
    let e = errors(load(
        None,
        &env(&[
            ("TRAWL_WORKER_CONCURRENCY", "lots"),
            ("TRAWL_FETCH_RESPECT_ROBOTS", "maybe"),
            ("TRAWL_FRONTIER_RECRAWL_INTERVAL", "0s"),
            ("TRAWL_FETCH_TIMEOUT", "ten seconds"),
        ]),
        &[],
    ));
    assert_eq!(e.errors().len(), 4, "{e}");
    let by_key = |k: &str| {
        e.errors()
            .iter()
            .find(|x| x.key == k)
            .unwrap_or_else(|| panic!("{k}: {e}"))
    };
    assert_eq!(
        by_key("worker.concurrency").origin,
        Origin::Env("TRAWL_WORKER_CONCURRENCY".into())
    );
    assert!(by_key("worker.concurrency")
        .message
        .contains("expected an integer"));
    assert!(by_key("fetch.respect_robots")
        .message
        .contains("true or false"));
    assert!(by_key("frontier.recrawl_interval")
        .message
        .contains("greater than 0"));
    assert_eq!(
        by_key("fetch.timeout").origin,
        Origin::Env("TRAWL_FETCH_TIMEOUT".into())
    );
}

#[test]
fn syntax_errors_are_reported_with_env_errors_too() {
    let e = errors(load(
        Some("[worker\nconcurrency = 3"),
        &env(&[("TRAWL_WORKER_CONCURRENCY", "x")]),
        &[],
    ));
    assert!(e.has_key("<file>"), "{e}");
    assert!(e.has_key("worker.concurrency"), "{e}");
    assert!(e.to_string().contains("TOML syntax"), "{e}");
}

#[test]
fn credentials_never_appear_in_errors_or_debug() {
    let e = errors(load(
        None,
        &env(&[("TRAWL_AMQP_URL", "http://guest:hunter2@127.0.0.1:5672/")]),
        &[],
    ));
    let text = e.to_string();
    assert!(e.has_key("amqp.url"));
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("guest:***@"), "{text}");

    let c = load(
        None,
        &env(&[
            ("TRAWL_AMQP_URL", "amqp://guest:hunter2@127.0.0.1:5672/%2f"),
            ("TRAWL_REDIS_URL", "redis://:hunter3@127.0.0.1:6379/0"),
        ]),
        &[],
    )
    .unwrap();
    let dbg = format!("{c:?}");
    assert!(
        !dbg.contains("hunter2") && !dbg.contains("hunter3"),
        "{dbg}"
    );
    assert_eq!(c.amqp.url.redacted(), "amqp://guest:***@127.0.0.1:5672/%2f");
}

#[test]
fn load_path_reads_a_file_and_reports_a_missing_one() {
    let dir = std::env::temp_dir().join(format!("trawl-config-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("t.toml");
    std::fs::write(&p, "[worker]\nconcurrency = 7\n").unwrap();
    let c = Config::load_path(Some(&p), &HashMap::new(), &[]).unwrap();
    assert_eq!(c.worker.concurrency, 7);
    let e = errors(Config::load_path(
        Some(&dir.join("missing.toml")),
        &HashMap::new(),
        &[],
    ));
    assert!(
        e.has_key("<file>") && e.to_string().contains("cannot read"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_keys_get_hints() {
    let e = errors(load(
        Some("[fetch]\ntotal_timeout = \"1s\"\n[frontier]\npoliteness_delay = \"1s\"\n[metrcs]\n"),
        &HashMap::new(),
        &[],
    ));
    let text = e.to_string();
    assert!(
        text.contains("`fetch.total_timeout` (did you mean `timeout`?)"),
        "{text}"
    );
    assert!(
        text.contains("(did you mean `fetch.politeness_delay`?)"),
        "{text}"
    );
    assert!(
        text.contains("unknown section `metrcs` (did you mean `metrics`?)"),
        "{text}"
    );
}

#[test]
fn allow_cidrs_parse_to_networks() {
    let c = load(
        None,
        &env(&[("TRAWL_FETCH_ALLOW_CIDRS", "127.0.0.0/8,::1,10.1.2.3")]),
        &[],
    )
    .unwrap();
    let nets: Vec<String> = c
        .fetch
        .allow_cidrs_parsed()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(nets, ["127.0.0.0/8", "::1/128", "10.1.2.3/32"]);
}

#[test]
fn odd_environment_names_do_not_panic() {
    let c = load(
        None,
        &env(&[
            ("TRAWL_é", "x"),
            ("TRAWL_FETCHé_X", "1"),
            ("TRAWL_", ""),
            ("TRAWL_LOG_", "x"),
        ]),
        &[],
    );
    assert!(c.is_ok(), "{c:?}");
}

#[test]
fn env_from_process_only_takes_trawl_vars() {
    // Reads the real environment without changing it.
    assert!(env_from_process().keys().all(|k| k.starts_with("TRAWL_")));
}

#[test]
fn postgres_section_defaults_env_and_validation() {
    let c = load(None, &HashMap::new(), &[]).unwrap();
    assert_eq!(
        c.postgres.url.expose(),
        "postgres://postgres@127.0.0.1:5432/trawl"
    );
    assert_eq!(c.postgres.schema, "public");
    assert_eq!(c.postgres.queue, "postgres");
    assert_eq!(c.postgres.binding, "#");
    assert_eq!(c.postgres.batch_size, 500);
    assert_eq!(c.postgres.search_batch_size, 250);
    assert_eq!(c.postgres.search_interval, Duration::from_secs(1));
    assert_eq!(c.postgres.search_idle, Duration::from_millis(50));
    assert_eq!(c.postgres.search_concurrency, 1);

    let c = load(
        Some("[postgres]\nbatch_size = 100\nbatch_timeout = \"50ms\"\nsearch_interval = \"5s\"\n"),
        &env(&[
            (
                "TRAWL_POSTGRES_URL",
                "postgresql://sink:s3cret@db:5432/news",
            ),
            ("TRAWL_POSTGRES_BINDING", "example_com.*"),
            ("TRAWL_POSTGRES_SEARCH_BATCH_SIZE", "0"),
        ]),
        &[
            ("postgres.schema", "trawl_articles"),
            ("postgres.search_idle", "200ms"),
        ],
    )
    .unwrap();
    assert_eq!(
        c.postgres.search_batch_size, 0,
        "0 = this sink does not index"
    );
    assert_eq!(c.postgres.search_interval, Duration::from_secs(5));
    assert_eq!(c.postgres.search_idle, Duration::from_millis(200));
    assert_eq!(c.postgres.batch_size, 100);
    assert_eq!(c.postgres.batch_timeout, Duration::from_millis(50));
    assert_eq!(c.postgres.binding, "example_com.*");
    assert_eq!(c.postgres.schema, "trawl_articles");
    assert_eq!(
        c.postgres.url.redacted(),
        "postgresql://sink:***@db:5432/news"
    );
    assert!(!format!("{c:?}").contains("s3cret"));

    let file = r#"
[postgres]
url = "mysql://db/news"
schema = "Robert'); DROP TABLE"
queue = "has space"
binding = ""
batch_size = 0
batch_timeout = "0s"
search_batch_size = 10001
search_interval = "0s"
search_concurrency = 0
"#;
    let e = errors(load(Some(file), &HashMap::new(), &[]));
    for key in [
        "postgres.url",
        "postgres.schema",
        "postgres.queue",
        "postgres.binding",
        "postgres.batch_size",
        "postgres.batch_timeout",
        "postgres.search_batch_size",
        "postgres.search_interval",
        "postgres.search_concurrency",
    ] {
        assert!(e.has_key(key), "missing error for {key}:\n{e}");
    }
    assert_eq!(e.errors().len(), 9, "{e}");
    assert!(e
        .to_string()
        .contains("scheme must be one of postgres, postgresql"));
}

#[test]
fn warc_section_defaults_env_and_validation() {
    let c = load(None, &env(&[]), &[]).unwrap();
    assert!(!c.warc.enabled(), "archiving is off by default");
    assert_eq!(c.warc.max_file_bytes, 1 << 30);
    assert_eq!(c.warc.prefix, "trawl");
    let c = load(
        None,
        &env(&[
            ("TRAWL_WARC_DIR", "/data/warc"),
            ("TRAWL_WARC_MAX_FILE_BYTES", "1000000"),
        ]),
        &[],
    )
    .unwrap();
    assert!(c.warc.enabled());
    assert_eq!(c.warc.dir, "/data/warc");
    assert_eq!(c.warc.max_file_bytes, 1_000_000);
    let e = load(
        None,
        &env(&[
            ("TRAWL_WARC_PREFIX", "a/b"),
            ("TRAWL_WARC_MAX_FILE_BYTES", "10"),
        ]),
        &[],
    )
    .unwrap_err();
    assert!(
        e.has_key("warc.prefix") && e.has_key("warc.max_file_bytes"),
        "{e}"
    );
}

#[test]
fn redis_cluster_url_is_accepted_and_a_bad_one_named() {
    let c = load(
        None,
        &env(&[(
            "TRAWL_REDIS_URL",
            "redis+cluster://:hunter4@127.0.0.1:7000,127.0.0.1:7001",
        )]),
        &[],
    )
    .unwrap();
    assert_eq!(
        c.redis.url.redacted(),
        "redis+cluster://:***@127.0.0.1:7000,127.0.0.1:7001"
    );
    for bad in [
        "redis+cluster://:hunter4@127.0.0.1",
        "redis+cluster://:hunter4@127.0.0.1:7000,",
        "redis+cluster://:hunter4@127.0.0.1:7000/2",
    ] {
        let e = errors(load(None, &env(&[("TRAWL_REDIS_URL", bad)]), &[]));
        assert!(e.has_key("redis.url"), "{bad}: {e}");
        assert!(!e.to_string().contains("hunter4"), "{e}");
    }
}

#[test]
fn amqp_url_takes_a_comma_separated_node_list() {
    let list = "amqp://guest:hunter2@127.0.0.1:5673/%2f, amqp://guest:hunter2@127.0.0.1:5674/%2f";
    let c = load(None, &env(&[("TRAWL_AMQP_URL", list)]), &[]).unwrap();
    assert_eq!(c.amqp.url.expose(), list);
    assert_eq!(
        c.amqp.url.redacted(),
        "amqp://guest:***@127.0.0.1:5673/%2f,amqp://guest:***@127.0.0.1:5674/%2f"
    );

    let file = r#"
[amqp]
url = "amqp://guest:hunter2@a:5672/%2f,amqp://guest:hunter2@b:5672/%2f,amqp://guest:hunter2@c:5672/%2f"
"#;
    assert!(Config::from_toml_str("t.toml", file).is_ok());

    // Each bad entry is named by its position; no password shows.
    for (list, want) in [
        (
            "amqp://g:hunter2@a/,,amqp://g:hunter2@b/",
            "entry 2 of the node list is empty",
        ),
        ("amqp://g:hunter2@a/,", "entry 2 of the node list is empty"),
        (
            "amqp://g:hunter2@a/,http://g:hunter2@b/",
            "entry 2: scheme must be one of amqp, amqps",
        ),
        (
            "amqp://g:hunter2@a:5673/,amqp://g:hunter2@b/,amqp://g:hunter2@a:5673/%2f",
            "entry 3 lists the node a:5673 again (entry 1)",
        ),
        (
            "amqp://g:hunter2@a/, amqp:///%2f",
            "entry 2: URL has no host",
        ),
    ] {
        let e = errors(load(None, &env(&[("TRAWL_AMQP_URL", list)]), &[]));
        let text = e.to_string();
        assert!(e.has_key("amqp.url"), "{text}");
        assert!(text.contains(want), "{list}: {text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
    let many = vec!["amqp://a/"; 17].join(",");
    let e = errors(load(None, &env(&[("TRAWL_AMQP_URL", &many)]), &[]));
    assert!(e.to_string().contains("lists 17 nodes; at most 16"), "{e}");
}
