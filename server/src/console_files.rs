//! Where the console's files come from: a folder (`--dist-dir`, what `cargo xtask build`
//! writes; the development default), or the binary itself (the `embedded-console` feature,
//! what `cargo xtask dist` builds), so one file is the whole deployment; and which of a
//! file's variants (the build writes `.br` and `.gz` beside each) a browser accepts.
//! rust-embed was chosen because it embeds a folder as it is, precompressed variants
//! included, and gives each file's SHA-256 for the ETag; it compresses nothing itself.
//! Serving them is `crate::http::files`'s.

use std::borrow::Cow;
use std::path::PathBuf;

use axum::http::{HeaderMap, header};

/// The console's files.
#[derive(Debug, Clone)]
pub enum ConsoleFiles {
    Folder(PathBuf),
    /// Compiled into the binary.
    Embedded,
}

impl ConsoleFiles {
    /// `--dist-dir` when given; else the embedded console when the binary has one; else the
    /// `dist` folder beside the working directory.
    pub fn choose(dist_dir: Option<PathBuf>) -> Self {
        match dist_dir {
            Some(folder) => Self::Folder(folder),
            None if embedded::AVAILABLE => Self::Embedded,
            None => Self::Folder(PathBuf::from("dist")),
        }
    }

    /// A file's bytes by its name in the build (`index.html.br`), if there is one.
    pub async fn read(&self, name: &str) -> Option<Cow<'static, [u8]>> {
        match self {
            Self::Folder(folder) => tokio::fs::read(folder.join(name))
                .await
                .ok()
                .map(Cow::Owned),
            Self::Embedded => embedded::get(name).map(|file| file.data),
        }
    }

    /// Where the files are, for an error message.
    pub fn describe(&self) -> String {
        match self {
            Self::Folder(folder) => folder.display().to_string(),
            Self::Embedded => "this binary".to_owned(),
        }
    }
}

/// Which of `offers` (in the server's order of preference) the request's `Accept-Encoding`
/// accepts: named in any case, with no `q` of zero however it is written (`q=0`, `Q=0.000`).
/// An entry whose `q` cannot be read accepts nothing, as tower-http reads it for the folder.
pub fn accepted_encoding<'a>(headers: &HeaderMap, offers: &[&'a str]) -> Option<&'a str> {
    let accepts = |encoding: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|offer| {
                let mut parts = offer.split(';');
                let named = parts
                    .next()
                    .is_some_and(|name| name.trim().eq_ignore_ascii_case(encoding));
                named && parts.all(|param| !refuses(param))
            })
    };
    offers.iter().copied().find(|encoding| accepts(encoding))
}

/// Whether an `Accept-Encoding` parameter refuses its encoding: a `q` of zero, or one that is
/// no quality value.
fn refuses(param: &str) -> bool {
    match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("q") => {
            quality(value.trim()).is_none_or(|q| q == 0)
        }
        _ => false,
    }
}

/// A quality value in thousandths, as RFC 9110 writes one: `0` or `1`, then up to three
/// decimals (`0.5`, `1.000`); `None` for anything else.
fn quality(value: &str) -> Option<u16> {
    let (whole, decimals) = value.split_once('.').unwrap_or((value, ""));
    if decimals.len() > 3 || !decimals.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{decimals:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// A file of the embedded console.
pub struct EmbeddedFile {
    pub data: Cow<'static, [u8]>,
    pub sha256: [u8; 32],
}

#[cfg(feature = "embedded-console")]
pub mod embedded {
    use super::EmbeddedFile;

    /// The release console, as `cargo xtask dist` built it into the folder this names.
    #[derive(rust_embed::Embed)]
    #[folder = "$ORG_INVITATIONS_EMBED_DIST"]
    struct Console;

    pub const AVAILABLE: bool = true;

    pub fn get(name: &str) -> Option<EmbeddedFile> {
        Console::get(name).map(|file| EmbeddedFile {
            sha256: file.metadata.sha256_hash(),
            data: file.data,
        })
    }
}

#[cfg(not(feature = "embedded-console"))]
pub mod embedded {
    use super::EmbeddedFile;

    pub const AVAILABLE: bool = false;

    pub fn get(_name: &str) -> Option<EmbeddedFile> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_encoding_is_the_first_offer_the_browser_accepts() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br"),
        );
        assert_eq!(accepted_encoding(&headers, &["br", "gzip"]), Some("br"));
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=1, br;q=0"),
        );
        assert_eq!(accepted_encoding(&headers, &["br", "gzip"]), Some("gzip"));
        assert_eq!(accepted_encoding(&HeaderMap::new(), &["br", "gzip"]), None);
    }

    #[test]
    fn a_zero_quality_refuses_however_written_and_names_ignore_case() {
        let accepts = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            accepted_encoding(&headers, &["br", "gzip"])
        };
        for refused in [
            "br;q=0.0",
            "br; Q=0.000",
            "br;q=0.",
            "br;q=0, gzip;q=0",
            "br;q=abc",
            "br;q=2",
        ] {
            assert_eq!(accepts(refused), None, "{refused}");
        }
        assert_eq!(accepts("BR"), Some("br"));
        assert_eq!(accepts("Gzip;q=0.5"), Some("gzip"));
        assert_eq!(accepts("br;q=0.001"), Some("br"));
        assert_eq!(accepts("br;q=1.000"), Some("br"));
    }
}
