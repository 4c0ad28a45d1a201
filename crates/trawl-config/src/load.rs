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

/// One [`Config::load`] in progress: the defaults as a TOML table (the schema: which
/// sections and keys exist, and each key's type), the values the sources gave (section -> key
/// -> value), where each came from (`section.key` -> origin), and every problem found so far.
struct Loader {
    schema: Table,
    given: BTreeMap<String, BTreeMap<String, Value>>,
    origins: BTreeMap<String, Origin>,
    errors: Vec<ConfigError>,
}

/// A failure that is a bug in this crate, not in the configuration.
fn internal(message: String) -> ConfigErrors {
    ConfigErrors(vec![err("<internal>", &Origin::Default, message)])
}

/// The keys of section `sec` in `schema`.
fn section_keys<'s>(schema: &'s Table, sec: &str) -> impl Iterator<Item = &'s String> {
    schema
        .get(sec)
        .and_then(Value::as_table)
        .into_iter()
        .flat_map(|t| t.keys())
}

/// The default of `sec.key` (its type is the one a value must have), if the key exists.
fn lookup<'s>(schema: &'s Table, sec: &str, key: &str) -> Option<&'s Value> {
    schema
        .get(sec)
        .and_then(Value::as_table)
        .and_then(|t| t.get(key))
}

impl Loader {
    /// Stage 0: the defaults.
    fn from_defaults() -> Result<Loader, ConfigErrors> {
        let schema = Table::try_from(Config::default()).map_err(|e| internal(e.to_string()))?;
        Ok(Loader {
            schema,
            given: BTreeMap::new(),
            origins: BTreeMap::new(),
            errors: Vec::new(),
        })
    }

    /// Record `sec.key = value` from `origin` (over an earlier source's value).
    fn give(&mut self, sec: &str, key: &str, value: Value, origin: Origin) {
        self.given
            .entry(sec.to_string())
            .or_default()
            .insert(key.to_string(), value);
        self.origins.insert(format!("{sec}.{key}"), origin);
    }

    /// Stage 1: the TOML file. Unknown sections and keys are errors (with a "did you mean"
    /// when a known name is close); values are type-checked in stage 4.
    fn read_file(&mut self, name: &str, text: &str) {
        let origin = Origin::File(name.to_string());
        let table = match toml::from_str::<Table>(text) {
            Ok(table) => table,
            Err(e) => {
                self.errors.push(err(
                    "<file>",
                    &origin,
                    format!("TOML syntax: {}", e.to_string().trim()),
                ));
                return;
            }
        };
        for (sec, v) in table {
            if !self.schema.contains_key(&sec) {
                let m = if v.is_table() {
                    format!("unknown section `{sec}`{}", hint(&sec, self.schema.keys()))
                } else {
                    format!("unknown key `{sec}` (keys belong in a [section])")
                };
                self.errors.push(err(sec.clone(), &origin, m));
                continue;
            }
            let Value::Table(t) = v else {
                self.errors.push(err(
                    sec.clone(),
                    &origin,
                    format!("`{sec}` must be a table (`[{sec}]`)"),
                ));
                continue;
            };
            for (key, val) in t {
                let full = format!("{sec}.{key}");
                if lookup(&self.schema, &sec, &key).is_none() {
                    let mut h = hint(&key, section_keys(&self.schema, &sec));
                    if h.is_empty() {
                        if let Some(other) = self
                            .schema
                            .iter()
                            .find(|(_, t)| t.as_table().is_some_and(|t| t.contains_key(&key)))
                        {
                            h = format!(" (did you mean `{}.{key}`?)", other.0);
                        }
                    }
                    self.errors.push(err(
                        full.clone(),
                        &origin,
                        format!("unknown key `{full}`{h}"),
                    ));
                    continue;
                }
                self.give(&sec, &key, val, origin.clone());
            }
        }
    }

    /// Stage 2: `TRAWL_<SECTION>_<KEY>` environment variables, in a stable order. Other
    /// `TRAWL_*` variables (e.g. `TRAWL_CONFIG`) are not configuration keys and are skipped.
    fn read_env(&mut self, env: &HashMap<String, String>) {
        let mut vars: Vec<(&String, &String)> = env.iter().collect();
        vars.sort();
        for (var, raw) in vars {
            let Some(rest) = var.strip_prefix("TRAWL_") else {
                continue;
            };
            let Some(sec) = self
                .schema
                .keys()
                .find(|s| {
                    rest.len() > s.len() + 1
                        && rest
                            .get(..s.len())
                            .is_some_and(|p| p.eq_ignore_ascii_case(s))
                        && rest.as_bytes().get(s.len()) == Some(&b'_')
                })
                .cloned()
            else {
                continue; // not a section variable (e.g. TRAWL_CONFIG)
            };
            let key = rest[sec.len() + 1..].to_ascii_lowercase();
            self.read_string(&sec, &key, raw, Origin::Env(var.clone()));
        }
    }

    /// Stage 3: flag overrides (`--set section.key=value`), highest precedence.
    fn read_flags(&mut self, overrides: &[(String, String)]) {
        for (full, raw) in overrides {
            let Some((sec, key)) = full.split_once('.') else {
                self.errors
                    .push(err(full.clone(), &Origin::Flag, "expected `section.key`"));
                continue;
            };
            self.read_string(sec, key, raw, Origin::Flag);
        }
    }

    /// A value given as a string (environment or flag) for `sec.key`: converted to the type of
    /// the key's default.
    fn read_string(&mut self, sec: &str, key: &str, raw: &str, origin: Origin) {
        let full = format!("{sec}.{key}");
        let Some(like) = lookup(&self.schema, sec, key) else {
            let h = hint(key, section_keys(&self.schema, sec));
            self.errors.push(err(
                full.clone(),
                &origin,
                format!("unknown key `{full}`{h}"),
            ));
            return;
        };
        match coerce(raw, like) {
            Ok(v) => self.give(sec, key, v, origin),
            Err(m) => self.errors.push(err(full, &origin, m)),
        }
    }

    /// Stage 4: type-check each value given on its own, so every bad one is named; a bad
    /// value falls back to its default for what follows.
    fn type_check(&mut self) -> Result<Config, ConfigErrors> {
        let with = |sec: &str, key: &str, v: &Value| -> Table {
            let mut t = self.schema.clone();
            if let Some(Value::Table(s)) = t.get_mut(sec) {
                s.insert(key.to_string(), v.clone());
            }
            t
        };
        let mut good = self.schema.clone();
        let mut bad = Vec::new();
        for (sec, keys) in &self.given {
            for (key, v) in keys {
                let full = format!("{sec}.{key}");
                match Config::deserialize(Value::Table(with(sec, key, v))) {
                    Ok(_) => {
                        if let Some(Value::Table(s)) = good.get_mut(sec) {
                            s.insert(key.clone(), v.clone());
                        }
                    }
                    Err(e) => {
                        let origin = self.origins.get(&full).cloned().unwrap_or(Origin::Default);
                        bad.push(err(full, &origin, clean_de_message(&e)));
                    }
                }
            }
        }
        self.errors.extend(bad);
        Config::deserialize(Value::Table(good)).map_err(|e| internal(e.to_string()))
    }

    /// Stage 5: semantic validation of the typed configuration (ranges, URLs, rules between
    /// keys), each problem blamed on where its key's value came from.
    fn validate(&mut self, config: &Config) {
        for (key, message) in crate::validate::validate(config) {
            let base_key = key.split('[').next().unwrap_or(&key).to_string();
            let origin = self
                .origins
                .get(&base_key)
                .cloned()
                .unwrap_or(Origin::Default);
            self.errors.push(ConfigError {
                key,
                origin,
                message,
            });
        }
    }

    /// The configuration, or every problem found.
    fn finish(self, config: Config) -> Result<Config, ConfigErrors> {
        if self.errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors(self.errors))
        }
    }
}

impl Config {
    /// Load from defaults, file, environment and flag overrides, then
    /// validate. Every problem is reported in one [`ConfigErrors`].
    pub fn load(src: &Sources<'_>) -> Result<Config, ConfigErrors> {
        // 0. The defaults, which are also the schema every source is checked against.
        let mut loader = Loader::from_defaults()?;
        // 1-3. The sources, each over the one before: file, environment, flags.
        if let Some((name, text)) = src.file {
            loader.read_file(name, text);
        }
        if let Some(env) = src.env {
            loader.read_env(env);
        }
        loader.read_flags(src.overrides);
        // 4. Type-check each value given; 5. semantic validation.
        let config = loader.type_check()?;
        loader.validate(&config);
        loader.finish(config)
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
