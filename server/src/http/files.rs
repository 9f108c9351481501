//! Serving the console's files (`crate::console_files`): embedded ones as the build wrote
//! them, the `.br` or `.gz` variant to a browser that accepts it, chosen by `Accept-Encoding`
//! as the folder's are, with an `ETag` (answered `304` for `If-None-Match`),
//! `Cache-Control: public, max-age=31536000, immutable` for a name that carries a content hash
//! and `no-cache` for every stable name (`index.html`, the loader); and, around both modes,
//! only reads.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::console_files::{accepted_encoding, embedded};
use crate::error::ApiError;

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
        return crate::unread::answer_stranger(request, refused).await;
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
