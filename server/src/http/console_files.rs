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
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;

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

/// Whether `If-None-Match` names `etag`: compared weakly (`W/"…"` matches `"…"`), as RFC 9110
/// has it for this header, or `*`.
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|tags| tags.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// Around the console's files, in both modes: only GET and HEAD read them (anything else is
/// 405), and a file that cannot be read for any reason (none by that name, a name too long for
/// the file system, a file taken for a folder) is 404 with the error body, never a 500.
pub async fn only_reads(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut refused = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "The console's files can only be read: use GET or HEAD",
        )
        .into_response();
        refused
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return crate::http::request_size::answer_stranger(request, refused).await;
    }
    let response = next.run(request).await;
    if response.status().is_server_error() || response.status() == StatusCode::NOT_FOUND {
        return ApiError::not_found("Not found").into_response();
    }
    response
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
        return ApiError::not_found("Not found").into_response();
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
    let mut response = if none_match(&headers, &etag) {
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

    #[test]
    fn if_none_match_compares_weakly() {
        let matches = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static(value));
            none_match(&headers, "\"0123abcd\"")
        };
        assert!(matches("\"0123abcd\""));
        assert!(matches("W/\"0123abcd\""));
        assert!(matches("\"other\", W/\"0123abcd\""));
        assert!(matches("*"));
        assert!(!matches("W/\"other\""));
        assert!(!matches("0123abcd"));
    }
}
