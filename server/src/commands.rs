//! The server binary's subcommands beside serving: `tokens create|list|revoke`.

pub mod tokens;
