//! The API token: given by the operator, or generated once and kept beside the data.

use crate::limits::MIN_TOKEN_LEN;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use subtle::ConstantTimeEq;

use crate::ids;

pub const TOKEN_FILE: &str = "token";

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token must be at least {MIN_TOKEN_LEN} characters")]
    TooShort,
    #[error("the token may only hold letters, digits and - _ . ~ (it travels in a cookie)")]
    BadCharacter,
    #[error("cannot read or write the token file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

/// A token that can be checked without leaking, through timing, how much of a guess was right.
#[derive(Clone)]
pub struct ApiToken {
    secret: std::sync::Arc<str>,
    /// See [`ApiToken::generation`].
    generation: std::sync::Arc<str>,
}

impl ApiToken {
    pub fn parse(token: &str) -> Result<Self, TokenError> {
        if token.len() < MIN_TOKEN_LEN {
            return Err(TokenError::TooShort);
        }
        if !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
        {
            return Err(TokenError::BadCharacter);
        }
        Ok(Self {
            secret: token.into(),
            generation: generation_of(token).into(),
        })
    }

    pub fn matches(&self, presented: &str) -> bool {
        self.secret.as_bytes().ct_eq(presented.as_bytes()).into()
    }

    /// Which token this is, without saying what it is: sessions are stored with the generation
    /// of the token that signed them in, and end when the server runs with another one.
    pub fn generation(&self) -> &str {
        &self.generation
    }

    /// The secret itself, for the sign-in URL printed at start-up and nothing else.
    pub fn reveal(&self) -> &str {
        &self.secret
    }
}

/// A digest of the token under a label of its own: it names the token, and gives nothing to
/// guess it from.
fn generation_of(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"org-invitations session generation\0")
        .chain_update(token.as_bytes())
        .finalize();
    digest[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// The token in `data_dir/token`, written (mode 0600) with a new one on first start.
pub fn load_or_generate(data_dir: &Path) -> Result<ApiToken, TokenError> {
    let path = data_dir.join(TOKEN_FILE);
    let file_error = |source| TokenError::File {
        path: path.display().to_string(),
        source,
    };
    match fs::read_to_string(&path) {
        Ok(text) => return ApiToken::parse(text.trim()),
        Err(err) if err.kind() == ErrorKind::NotFound => {}
        Err(err) => return Err(file_error(err)),
    }
    let token = ids::api_token();
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(file_error)?;
    file.write_all(format!("{token}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(file_error)?;
    ApiToken::parse(&token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_generated_token_is_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_generate(dir.path()).unwrap();
        let mode = fs::metadata(dir.path().join(TOKEN_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let second = load_or_generate(dir.path()).unwrap();
        assert_eq!(first.reveal(), second.reveal());
    }

    #[test]
    fn matching_is_exact() {
        let token = ApiToken::parse("sss_abcdefghijklmnop").unwrap();
        assert!(token.matches("sss_abcdefghijklmnop"));
        assert!(!token.matches("sss_abcdefghijklmno"));
        assert!(!token.matches("sss_abcdefghijklmnopq"));
        assert!(!token.matches(""));
    }

    #[test]
    fn unusable_tokens_are_refused() {
        assert!(matches!(
            ApiToken::parse("short"),
            Err(TokenError::TooShort)
        ));
        assert!(matches!(
            ApiToken::parse("sss_abcdefgh;ijklmnop"),
            Err(TokenError::BadCharacter)
        ));
        assert!(
            format!("{:?}", ApiToken::parse("sss_abcdefghijklmnop").unwrap()).contains("redacted")
        );
    }
}
