//! `irisops token new --name N --role R`: a fresh random API token (256 bits from the OS),
//! printed once with the `[[api.token]]` block to paste into the configuration, which keeps
//! only its SHA-256.

use std::process::ExitCode;

use rand::RngCore;
use sha2::{Digest, Sha256};

use collector::config::{ApiRole, API_ROLES};

/// `irisops token ...`.
#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// Print a new token once, with the config block that grants it a role.
    New(Args),
}

/// Arguments of `irisops token new`.
#[derive(clap::Args)]
pub struct Args {
    /// Who the token belongs to (the author of the edits made with it).
    #[arg(long)]
    name: String,
    /// viewer, engineer, planner, commercial, operator or admin.
    #[arg(long)]
    role: String,
}

/// Runs the command.
pub fn run(cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let TokenCommand::New(args) = cmd;
    let Some(role) = ApiRole::parse(&args.role) else {
        let all: Vec<&str> = API_ROLES.iter().map(|r| r.as_str()).collect();
        anyhow::bail!("unknown role {:?}: one of {}", args.role, all.join(", "));
    };
    let name = args.name.trim();
    if name.is_empty() {
        anyhow::bail!("--name must not be empty");
    }
    let token = new_token();
    super::emit(&format!(
        "# the token, shown once: give it to {name}; the configuration keeps only its hash\n{token}\n\n{}",
        config_block(name, role, &token)
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// A new token: 32 random bytes from the OS, hex, with a prefix that secret scanners can find.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("irisops_{}", hex(&bytes))
}

/// The hex SHA-256 of a token, as `[[api.token]] sha256` wants it.
pub fn sha256_hex(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The `[[api.token]]` block granting `role` to `token`.
pub fn config_block(name: &str, role: ApiRole, token: &str) -> String {
    format!(
        "[[api.token]]\nname = {name:?}\nrole = \"{}\"\nsha256 = \"{}\"",
        role.as_str(),
        sha256_hex(token)
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_is_long_random_and_its_block_validates() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.len() >= "irisops_".len() + 64);
        let text = format!(
            "[store]\npath = \"x\"\n{}\n",
            config_block("ops", ApiRole::Planner, &a)
        );
        let cfg = collector::config::Config::parse(&text, &|_| None).unwrap();
        assert_eq!(cfg.api.tokens.len(), 1);
        assert_eq!(cfg.api.tokens[0].role, ApiRole::Planner);
        assert!(
            !text.contains(&a),
            "the config holds the hash, not the token"
        );
    }
}
