//! Loading: defaults < file < environment < flags, every error collected.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use toml::{Table, Value};

use crate::Config;

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// The TOML file (its name as given).
    File(String),
    /// An environment variable (its name).
    Env(String),
    /// A command-line flag (`section.key` override from the binary).
    Flag,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(name) => write!(f, "file {name}"),
            Origin::Env(var) => write!(f, "environment variable {var}"),
            Origin::Flag => f.write_str("command-line flag"),
        }
    }
}

/// One configuration problem: the key (`section.key`), where the value came
/// from, and why it is wrong. Permanent until the configuration is fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// `section.key` (or `section`, or `<file>` for a syntax error).
    pub key: String,
    /// Where the offending value came from.
    pub origin: Origin,
    /// Why it is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (from {})", self.key, self.message, self.origin)
    }
}

/// Every problem found, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// Exit status for a process that refuses to start on a bad configuration
    /// (`EX_USAGE` from sysexits.h).
    pub const EXIT_CODE: u8 = 64;

    /// The errors.
    pub fn errors(&self) -> &[ConfigError] {
        &self.0
    }

    /// Whether some error concerns `key`.
    pub fn has_key(&self, key: &str) -> bool {
        self.0.iter().any(|e| e.key == key)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "invalid configuration ({n} error{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0 {
            write!(f, "\n  - {e}")?;
        }
        Ok(())
    }
}

/// The inputs of [`Config::load`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    /// The TOML file: `(name for messages, contents)`.
    pub file: Option<(&'a str, &'a str)>,
    /// Environment variables; only `TRAWL_<SECTION>_<KEY>` ones are read.
    pub env: Option<&'a HashMap<String, String>>,
    /// Flag overrides as `("section.key", "value")`, highest precedence.
    pub overrides: &'a [(String, String)],
}

/// The process's `TRAWL_*` environment variables (for the binary; tests build
/// their own map). Variables that are not valid UTF-8 are skipped.
pub fn env_from_process() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| k.starts_with("TRAWL_"))
        .collect()
}

fn err(key: impl Into<String>, origin: &Origin, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.into(),
        origin: origin.clone(),
        message: message.into(),
    }
}

/// Convert a string (env var or flag) to a TOML value of the default's type.
fn coerce(raw: &str, like: &Value) -> Result<Value, String> {
    let t = raw.trim();
    match like {
        Value::String(_) => Ok(Value::String(raw.to_string())),
        Value::Integer(_) => t
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| format!("expected an integer, got `{}`", shorten(t))),
        Value::Float(_) => t
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| format!("expected a number, got `{}`", shorten(t))),
        Value::Boolean(_) => match t.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Value::Boolean(true)),
            "false" | "0" | "no" | "off" => Ok(Value::Boolean(false)),
            _ => Err(format!("expected true or false, got `{}`", shorten(t))),
        },
        Value::Array(_) => Ok(Value::Array(
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        )),
        Value::Datetime(_) | Value::Table(_) => {
            Err("this key cannot be set from a string".to_string())
        }
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Edit distance, for "did you mean" hints on unknown keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// ` (did you mean `x`?)` when a known name is close to `name`.
fn hint<'k>(name: &str, known: impl Iterator<Item = &'k String>) -> String {
    known
        .map(|k| (distance(name, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) || (k.len() >= 4 && name.contains(k.as_str())))
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

fn clean_de_message(e: &toml::de::Error) -> String {
    e.message().trim().to_string()
}

impl Config {
    /// Load from defaults, file, environment and flag overrides, then
    /// validate. Every problem is reported in one [`ConfigErrors`].
    pub fn load(src: &Sources<'_>) -> Result<Config, ConfigErrors> {
        let internal = |m: String| ConfigErrors(vec![err("<internal>", &Origin::Default, m)]);
        let schema = Table::try_from(Config::default()).map_err(|e| internal(e.to_string()))?;
        let mut errors: Vec<ConfigError> = Vec::new();
        // section -> key -> value, and "section.key" -> origin
        let mut merged: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        let mut origins: BTreeMap<String, Origin> = BTreeMap::new();

        let section_keys = |sec: &str| {
            schema
                .get(sec)
                .and_then(Value::as_table)
                .into_iter()
                .flat_map(|t| t.keys())
        };
        let lookup = |sec: &str, key: &str| -> Option<&Value> {
            schema
                .get(sec)
                .and_then(Value::as_table)
                .and_then(|t| t.get(key))
        };

        // 1. The file.
        if let Some((name, text)) = src.file {
            let origin = Origin::File(name.to_string());
            match toml::from_str::<Table>(text) {
                Err(e) => errors.push(err(
                    "<file>",
                    &origin,
                    format!("TOML syntax: {}", e.to_string().trim()),
                )),
                Ok(table) => {
                    for (sec, v) in table {
                        if !schema.contains_key(&sec) {
                            let m = if v.is_table() {
                                format!("unknown section `{sec}`{}", hint(&sec, schema.keys()))
                            } else {
                                format!("unknown key `{sec}` (keys belong in a [section])")
                            };
                            errors.push(err(sec.clone(), &origin, m));
                            continue;
                        }
                        let Value::Table(t) = v else {
                            errors.push(err(
                                sec.clone(),
                                &origin,
                                format!("`{sec}` must be a table (`[{sec}]`)"),
                            ));
                            continue;
                        };
                        for (key, val) in t {
                            let full = format!("{sec}.{key}");
                            if lookup(&sec, &key).is_none() {
                                let mut h = hint(&key, section_keys(&sec));
                                if h.is_empty() {
                                    if let Some(other) = schema.iter().find(|(_, t)| {
                                        t.as_table().is_some_and(|t| t.contains_key(&key))
                                    }) {
                                        h = format!(" (did you mean `{}.{key}`?)", other.0);
                                    }
                                }
                                errors.push(err(
                                    full.clone(),
                                    &origin,
                                    format!("unknown key `{full}`{h}"),
                                ));
                                continue;
                            }
                            merged.entry(sec.clone()).or_default().insert(key, val);
                            origins.insert(full, origin.clone());
                        }
                    }
                }
            }
        }

        // 2. The environment, in a stable order.
        if let Some(env) = src.env {
            let mut vars: Vec<(&String, &String)> = env.iter().collect();
            vars.sort();
            for (var, raw) in vars {
                let Some(rest) = var.strip_prefix("TRAWL_") else {
                    continue;
                };
                let Some(sec) = schema.keys().find(|s| {
                    rest.len() > s.len() + 1
                        && rest
                            .get(..s.len())
                            .is_some_and(|p| p.eq_ignore_ascii_case(s))
                        && rest.as_bytes().get(s.len()) == Some(&b'_')
                }) else {
                    continue; // not a section variable (e.g. TRAWL_CONFIG)
                };
                let key = rest[sec.len() + 1..].to_ascii_lowercase();
                let full = format!("{sec}.{key}");
                let origin = Origin::Env(var.clone());
                let Some(like) = lookup(sec, &key) else {
                    let h = hint(&key, section_keys(sec));
                    errors.push(err(
                        full.clone(),
                        &origin,
                        format!("unknown key `{full}`{h}"),
                    ));
                    continue;
                };
                match coerce(raw, like) {
                    Ok(v) => {
                        merged.entry(sec.clone()).or_default().insert(key, v);
                        origins.insert(full, origin);
                    }
                    Err(m) => errors.push(err(full, &origin, m)),
                }
            }
        }

        // 3. Flag overrides.
        for (full, raw) in src.overrides {
            let origin = Origin::Flag;
            let Some((sec, key)) = full.split_once('.') else {
                errors.push(err(full.clone(), &origin, "expected `section.key`"));
                continue;
            };
            let Some(like) = lookup(sec, key) else {
                let h = hint(key, section_keys(sec));
                errors.push(err(
                    full.clone(),
                    &origin,
                    format!("unknown key `{full}`{h}"),
                ));
                continue;
            };
            match coerce(raw, like) {
                Ok(v) => {
                    merged
                        .entry(sec.to_string())
                        .or_default()
                        .insert(key.to_string(), v);
                    origins.insert(full.clone(), origin);
                }
                Err(m) => errors.push(err(full.clone(), &origin, m)),
            }
        }

        // 4. Type-check each provided value on its own, so every bad one is
        //    named; a bad value falls back to its default for what follows.
        let with = |sec: &str, key: &str, v: &Value| -> Table {
            let mut t = schema.clone();
            if let Some(Value::Table(s)) = t.get_mut(sec) {
                s.insert(key.to_string(), v.clone());
            }
            t
        };
        let mut good = schema.clone();
        for (sec, keys) in &merged {
            for (key, v) in keys {
                let full = format!("{sec}.{key}");
                match Config::deserialize(Value::Table(with(sec, key, v))) {
                    Ok(_) => {
                        if let Some(Value::Table(s)) = good.get_mut(sec) {
                            s.insert(key.clone(), v.clone());
                        }
                    }
                    Err(e) => {
                        let origin = origins.get(&full).cloned().unwrap_or(Origin::Default);
                        errors.push(err(full, &origin, clean_de_message(&e)));
                    }
                }
            }
        }
        let config =
            Config::deserialize(Value::Table(good)).map_err(|e| internal(e.to_string()))?;

        // 5. Semantic validation.
        for (key, message) in crate::validate::validate(&config) {
            let base_key = key.split('[').next().unwrap_or(&key).to_string();
            let origin = origins.get(&base_key).cloned().unwrap_or(Origin::Default);
            errors.push(ConfigError {
                key,
                origin,
                message,
            });
        }

        if errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// Load from TOML text alone (no environment, no flags).
    pub fn from_toml_str(name: &str, text: &str) -> Result<Config, ConfigErrors> {
        Config::load(&Sources {
            file: Some((name, text)),
            ..Sources::default()
        })
    }

    /// Read the file at `path` (when given) and load it with `env` and
    /// `overrides`. A file that cannot be read is a [`ConfigError`] on key
    /// `<file>`.
    pub fn load_path(
        path: Option<&Path>,
        env: &HashMap<String, String>,
        overrides: &[(String, String)],
    ) -> Result<Config, ConfigErrors> {
        let name = path.map(|p| p.display().to_string());
        let text = match path {
            Some(p) => Some(std::fs::read_to_string(p).map_err(|e| {
                ConfigErrors(vec![err(
                    "<file>",
                    &Origin::File(p.display().to_string()),
                    format!("cannot read: {e}"),
                )])
            })?),
            None => None,
        };
        Config::load(&Sources {
            file: name.as_deref().zip(text.as_deref()),
            env: Some(env),
            overrides,
        })
    }
}
