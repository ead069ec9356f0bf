//! `irisops check-config FILE`: validates a configuration file and prints every problem,
//! naming its key (exit 2 on any).

use std::path::PathBuf;
use std::process::ExitCode;

use collector::config::Config;

/// Arguments of `irisops check-config`.
#[derive(clap::Args)]
pub struct Args {
    /// The TOML configuration file.
    file: PathBuf,
}

/// Runs the command.
pub fn run(args: &Args) -> ExitCode {
    let file = &args.file;
    match Config::load(file) {
        Ok(cfg) => {
            println!(
                "{}: ok ({} devices, {} credentials)",
                file.display(),
                cfg.devices.len(),
                cfg.auth.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            for p in e.problems() {
                println!("{p}");
            }
            ExitCode::from(2)
        }
    }
}
