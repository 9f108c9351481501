//! Command-line options of the server.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(name = "org-invitations-server", version, about = "The organization invitation API on SQLite, serving the console")]
pub struct Config {
    /// Address to listen on. Anything but loopback needs an explicit --token.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// Port to listen on (0 picks a free one; the chosen URL is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Folder for the database and the generated token; created on first start, never wiped.
    #[arg(long, default_value = "data")]
    pub data_dir: PathBuf,

    /// The API token clients must present. Without it, one is generated and kept in the data folder.
    #[arg(long, env = "ORG_INVITATIONS_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// The built console (what `cargo xtask build` writes).
    #[arg(long, default_value = "dist")]
    pub dist_dir: PathBuf,

    /// Seed a few sample invitations (one already expired) when the store is empty.
    #[arg(long)]
    pub demo: bool,
}
