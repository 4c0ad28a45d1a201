//! Validate a config file with the process's TRAWL_* environment:
//! `cargo run -p trawl-config --example check -- deploy/trawl.example.toml`
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::env::args().nth(1);
    let env = trawl_config::env_from_process();
    match trawl_config::Config::load_path(path.as_deref().map(Path::new), &env, &[]) {
        Ok(c) => {
            println!("ok: amqp {} redis {}", c.amqp.url, c.redis.url);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(trawl_config::ConfigErrors::EXIT_CODE)
        }
    }
}
