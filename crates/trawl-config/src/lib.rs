//! Configuration: one TOML file, TRAWL_* environment overrides, validated at start.
