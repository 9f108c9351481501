//! The roles file (`--roles FILE`): which addresses get which role when a company's
//! authenticating proxy names the caller.
//!
//! ```toml
//! admin = ["alice@corp.example"]
//! inviter = ["*@platform.corp.example"]
//! viewer = ["*@corp.example"]
//! ```
//!
//! A pattern is an address, where `*` stands for any run of characters; case does not matter.
//! A person gets the strongest role any pattern grants, and nobody else gets anything.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use org_invitations_core::email::comparison_key;

use org_invitations_core::role::Role;

use crate::limits::{MAX_ROLES_FILE_BYTES, ROLES_READ_TIMEOUT};

#[derive(Debug, thiserror::Error)]
pub enum RolesError {
    #[error("cannot read the roles file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the roles file {path} is not a regular file (a FIFO, a device or a folder)")]
    NotAFile { path: String },
    #[error("the roles file {path} is larger than {MAX_ROLES_FILE_BYTES} bytes")]
    TooLarge { path: String },
    #[error("reading the roles file {path} took longer than {ROLES_READ_TIMEOUT:?}")]
    TimedOut { path: String },
    #[error("the roles file {path} is not valid: {message}")]
    Invalid { path: String, message: String },
}

/// Who gets which role.
#[derive(Debug, Clone, Default)]
pub struct Roles {
    /// Strongest role first.
    grants: Vec<(Role, Vec<String>)>,
}

impl Roles {
    /// Reads and parses the file at `path`: a regular file of at most
    /// [`MAX_ROLES_FILE_BYTES`], opened without waiting on anything (a FIFO put in its place
    /// is refused, not waited on).
    pub fn load(path: &Path) -> Result<Self, RolesError> {
        let named = || path.display().to_string();
        let read = |source| RolesError::Read {
            path: named(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(read)?;
        let metadata = file.metadata().map_err(read)?;
        if !metadata.is_file() {
            return Err(RolesError::NotAFile { path: named() });
        }
        let mut text = String::new();
        file.take(MAX_ROLES_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read)?;
        if text.len() as u64 > MAX_ROLES_FILE_BYTES {
            return Err(RolesError::TooLarge { path: named() });
        }
        Self::parse(&text).map_err(|message| RolesError::Invalid {
            path: named(),
            message,
        })
    }

    /// [`Roles::load`] off the runtime's threads, given up after [`ROLES_READ_TIMEOUT`]: a read
    /// that hangs (a network mount) never holds up requests or shutdown.
    pub async fn load_in_background(path: &Path) -> Result<Self, RolesError> {
        let owned = path.to_owned();
        let reading = tokio::task::spawn_blocking(move || Self::load(&owned));
        match tokio::time::timeout(ROLES_READ_TIMEOUT, reading).await {
            Ok(Ok(loaded)) => loaded,
            Ok(Err(panicked)) => Err(RolesError::Read {
                path: path.display().to_string(),
                source: std::io::Error::other(panicked.to_string()),
            }),
            Err(_) => Err(RolesError::TimedOut {
                path: path.display().to_string(),
            }),
        }
    }

    /// Whether no pattern grants anything: everyone behind the proxy is refused everything.
    pub fn grants_nothing(&self) -> bool {
        self.grants.iter().all(|(_, patterns)| patterns.is_empty())
    }

    /// Says in the log when these roles grant nothing, which a file emptied by mistake does.
    pub fn warn_if_empty(&self, path: &Path) {
        if self.grants_nothing() {
            tracing::warn!(
                file = %path.display(),
                "the roles file grants no role to anyone: everyone the login proxy names is refused everything"
            );
        }
    }

    /// Parses the file's text; an error says which line is wrong and why.
    pub fn parse(text: &str) -> Result<Self, String> {
        let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
            let line = err
                .span()
                .map(|span| text[..span.start].matches('\n').count() + 1);
            match line {
                Some(line) => format!("line {line}: {}", err.message()),
                None => err.message().to_owned(),
            }
        })?;
        let line_of = |key: &str| {
            text.lines()
                .position(|line| line.trim_start().starts_with(key))
                .map_or(String::new(), |index| format!("line {}: ", index + 1))
        };
        let mut grants = Vec::new();
        for (key, value) in &table {
            let role = Role::parse(key).ok_or_else(|| {
                format!(
                    "{}unknown role {key:?}: the roles are admin, inviter and viewer",
                    line_of(key)
                )
            })?;
            let patterns = value
                .as_array()
                .ok_or_else(|| format!("{}{key} must be a list of addresses", line_of(key)))?
                .iter()
                .map(|pattern| {
                    let pattern = pattern.as_str().ok_or_else(|| {
                        format!("{}{key} must hold addresses in quotes", line_of(key))
                    })?;
                    check_pattern(pattern)
                        .map(|()| comparison_key(pattern))
                        .map_err(|why| format!("{}{why}", line_of(key)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            grants.push((role, patterns));
        }
        grants.sort_by(|(a, _), (b, _)| b.cmp(a));
        Ok(Self { grants })
    }

    /// The strongest role `address` is granted, if any.
    pub fn role_of(&self, address: &str) -> Option<Role> {
        let key = comparison_key(address);
        self.grants
            .iter()
            .find(|(_, patterns)| patterns.iter().any(|pattern| matches(pattern, &key)))
            .map(|(role, _)| *role)
    }
}

/// The roles in force, replaced whole when the file is read again.
#[derive(Clone)]
pub struct SharedRoles(std::sync::Arc<std::sync::RwLock<Roles>>);

impl SharedRoles {
    pub fn new(roles: Roles) -> Self {
        Self(std::sync::Arc::new(std::sync::RwLock::new(roles)))
    }

    /// The role the roles in force give `address`.
    pub fn role_of(&self, address: &str) -> Option<Role> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .role_of(address)
    }

    /// From the next request on, `roles` are in force.
    pub fn replace(&self, roles: Roles) {
        *self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = roles;
    }
}

fn check_pattern(pattern: &str) -> Result<(), String> {
    match pattern.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(())
        }
        _ => Err(format!(
            "{pattern:?} is not an address pattern: write an address, or one with * in it, as \"*@corp.example\""
        )),
    }
}

/// Whether `text` fits `pattern`, where `*` stands for any run of characters.
fn matches(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(mut remaining) = text.strip_prefix(head) else {
                return false;
            };
            if rest.contains('*') {
                // Try every place the next literal part could start.
                loop {
                    if matches(rest, remaining) {
                        return true;
                    }
                    let mut chars = remaining.chars();
                    if chars.next().is_none() {
                        return false;
                    }
                    remaining = chars.as_str();
                }
            }
            remaining.ends_with(rest)
        }
    }
}

/// Reads the roles file again on every SIGHUP: a valid file is in force from the next
/// request on (with a warning when it grants nothing); a broken, unreadable, oversized or
/// slow one is refused, saying why, and the roles in force stay.
pub async fn reload_on_hangup(roles: SharedRoles, path: std::path::PathBuf) {
    let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        tracing::warn!("cannot listen for SIGHUP: the roles file is read at start only");
        return;
    };
    while hangups.recv().await.is_some() {
        match Roles::load_in_background(&path).await {
            Ok(fresh) => {
                fresh.warn_if_empty(&path);
                roles.replace(fresh);
                tracing::info!(file = %path.display(), "roles file read again on SIGHUP: in force now");
            }
            Err(err) => tracing::error!(
                error = %err,
                "roles file refused on SIGHUP; the roles read before stay in force"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
admin = ["alice@corp.example"]
inviter = ["*@platform.corp.example"]
viewer = ["*@corp.example", "*@*.corp.example"]
"#;

    #[test]
    fn the_strongest_role_any_pattern_grants_wins_and_others_get_none() {
        let roles = Roles::parse(EXAMPLE).unwrap();
        assert_eq!(roles.role_of("Alice@Corp.Example"), Some(Role::Admin));
        assert_eq!(
            roles.role_of("bob@platform.corp.example"),
            Some(Role::Inviter)
        );
        assert_eq!(roles.role_of("carol@corp.example"), Some(Role::Viewer));
        assert_eq!(roles.role_of("dan@sales.corp.example"), Some(Role::Viewer));
        assert_eq!(roles.role_of("eve@evil.example"), None);
        assert_eq!(roles.role_of("eve@corp.example.evil.example"), None);
    }

    #[test]
    fn mistakes_name_their_line() {
        for (text, line, words) in [
            (
                "admin = [\"a@x.com\"]\nboss = [\"b@x.com\"]\n",
                "line 2",
                "unknown role",
            ),
            ("viewer = \"a@x.com\"\n", "line 1", "must be a list"),
            (
                "admin = [\"a@x.com\"]\n\ninviter = [\"nobody\"]\n",
                "line 3",
                "not an address pattern",
            ),
            ("admin = [\"a@x.com\"\n", "line 1", ""),
        ] {
            let err = Roles::parse(text).unwrap_err();
            assert!(
                err.starts_with(line) || err.contains(line),
                "{text:?}: {err}"
            );
            assert!(err.contains(words), "{text:?}: {err}");
        }
    }

    #[test]
    fn stars_match_any_run_of_characters() {
        assert!(matches("*@x.com", "a.b@x.com"));
        assert!(matches("a*@x.com", "ab@x.com"));
        assert!(!matches("a*@x.com", "ba@x.com"));
        assert!(matches("*@*.x.com", "a@b.c.x.com"));
        assert!(!matches("*@*.x.com", "a@x.com"));
        assert!(matches("a@x.com", "a@x.com"));
        assert!(!matches("a@x.com", "a@x.co"));
    }
}
