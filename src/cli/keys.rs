//! `signet keys`: the server's signing keys.

use clap::Subcommand;
use serde_json::{Value, json};

use super::common::{Failure, Output, internal};
use crate::clock::UnixTime;
use crate::config::Config;
use crate::signing::ring::key_state;
use crate::signing::rotation::{RotationPolicy, rotate};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Show signing keys and their states.
    List,
    /// Add a new signing key; it signs after the publish lead, or at once with --now.
    Rotate {
        #[arg(long)]
        now: bool,
    },
}

pub(super) async fn keys_command(
    store: &Store,
    config: &Config,
    command: KeysCommand,
    now: UnixTime,
) -> Result<Output, Failure> {
    if let KeysCommand::Rotate { now: immediate } = command {
        let kek = crate::key_file::load_or_create(&config.key_file).map_err(internal)?;
        let kid = rotate(store, &kek, RotationPolicy::from_config(config), now, immediate).await.map_err(internal)?;
        let kid = kid.ok_or_else(|| internal("another process rotated at the same moment; run keys list"))?;
        return Ok(Output { text: format!("added signing key {kid}"), json: json!({ "kid": kid }) });
    }
    let keys = store.signing_keys().await.map_err(internal)?;
    let rows: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({ "kid": k.kid, "generation": k.generation, "state": key_state(k, now), "activateAt": k.activate_at, "retireAt": k.retire_at, "removeAt": k.remove_at })
        })
        .collect();
    let text = keys
        .iter()
        .map(|k| format!("{:<44} gen {:<3} {:?}", k.kid, k.generation, key_state(k, now)))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Output { text, json: Value::Array(rows) })
}
