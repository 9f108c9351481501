//! Where the console's files come from: a folder (`--dist-dir`, what `cargo xtask build`
//! writes; the development default), or the binary itself (the `embedded-console` feature,
//! what `cargo xtask dist` builds), so one file is the whole deployment.
//!
//! Embedded files are served as the build wrote them: the `.br` or `.gz` variant to a browser
//! that accepts it, chosen by `Accept-Encoding` as the folder's are, with an `ETag` (answered
//! `304` for `If-None-Match`), `Cache-Control: public, max-age=31536000, immutable` for a name
//! that carries a content hash and `no-cache` for every stable name (`index.html`, the loader).
//! rust-embed was chosen because it embeds a folder as it is, precompressed variants
//! included, and gives each file's SHA-256 for the ETag; it compresses nothing itself.

use std::borrow::Cow;
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

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
/// accepts.
pub fn accepted_encoding<'a>(headers: &HeaderMap, offers: &[&'a str]) -> Option<&'a str> {
    let accepts = |encoding: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|offer| {
                let mut parts = offer.split(';');
                let named = parts.next().is_some_and(|name| name.trim() == encoding);
                let refused = parts.any(|param| param.trim().replace(' ', "") == "q=0");
                named && !refused
            })
    };
    offers.iter().copied().find(|encoding| accepts(encoding))
}

/// A GET of an embedded file, by the request's path.
pub async fn serve_embedded(uri: Uri, headers: HeaderMap) -> Response {
    let name = uri.path().trim_start_matches('/');
    let name = if name.is_empty() { "index.html" } else { name };
    let encoding = [("br", "br"), ("gzip", "gz")]
        .into_iter()
        .filter(|(_, suffix)| embedded::get(&format!("{name}.{suffix}")).is_some())
        .map(|(encoding, _)| encoding)
        .collect::<Vec<_>>();
    let chosen = accepted_encoding(&headers, &encoding);
    let variant = match chosen {
        Some("br") => format!("{name}.br"),
        Some(_) => format!("{name}.gz"),
        None => name.to_owned(),
    };
    let Some(file) = embedded::get(&variant) else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let etag = format!(
        "\"{}\"",
        file.sha256[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    );
    let cache = if has_content_hash(name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        }) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Body::from(file.data).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(name)),
        );
        if let Some(encoding) = chosen {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    };
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Whether a file name carries a content hash (`console-3f9a1c2b4d5e6f70.css`): such a file
/// never changes under its name.
fn has_content_hash(name: &str) -> bool {
    let stem = name.rsplit('/').next().unwrap_or(name);
    let stem = stem.split('.').next().unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A file of the embedded console.
struct EmbeddedFile {
    data: Cow<'static, [u8]>,
    sha256: [u8; 32],
}

#[cfg(feature = "embedded-console")]
mod embedded {
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
mod embedded {
    use super::EmbeddedFile;

    pub const AVAILABLE: bool = false;

    pub fn get(_name: &str) -> Option<EmbeddedFile> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_content_hash_are_immutable() {
        assert!(has_content_hash("console-3f9a1c2b4d5e6f70.css"));
        assert!(!has_content_hash(
            "org-invitations-0123456789abcdef_bg.wasm"
        ));
        for stable in [
            "index.html",
            "org-invitations-element.js",
            "org-invitations_bg.wasm",
        ] {
            assert!(!has_content_hash(stable), "{stable}");
        }
    }

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
}
