//! The API contract as OpenAPI 3.1, generated from the handlers' annotations and the wire types
//! in `core`. Served at `/api/openapi.json`; a copy is kept in `docs/openapi.json` and a test
//! fails when the two differ. Errors every route can answer (token, role, limits, storage) are
//! added here once rather than on each handler.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use org_invitations_core::wire::ErrorBody;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder,
};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use crate::auth::credentials::{SESSION_COOKIE, TOKEN_COOKIE};
use crate::handlers::{audit, console, invitations, me, sessions, telemetry, userinfo, webhooks};

/// Where the document is served (no token needed: the contract is public).
pub const PATH: &str = "/api/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Organization invitations",
        description = "The organization invitation API behind `anyscale organization-invitation \
            create | list | delete`, as this server implements it, with its own extensions \
            (tag `extensions`). Every non-2xx answer carries `{\"error\": {\"detail\": \"…\"}}`.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        userinfo::userinfo,
        invitations::list,
        invitations::create,
        invitations::batch_create,
        invitations::get,
        invitations::invalidate,
        invitations::resend,
        invitations::link,
        webhooks::create,
        webhooks::list,
        webhooks::delete,
        webhooks::rotate,
        webhooks::pause,
        webhooks::resume,
        webhooks::test,
        webhooks::deliveries,
        webhooks::redeliver,
        telemetry::cli_usage,
        me::me,
        audit::audit,
        console::sign_out,
        sessions::revoke_all,
    ),
    modifiers(&Credentials, &CommonErrors),
    tags(
        (name = "invitations", description = "Anyscale-compatible: list, invite, revoke"),
        (name = "session", description = "Anyscale-compatible: what the CLI calls around each command"),
        (name = "extensions", description = "This server's own"),
    ),
)]
pub struct Contract;

/// The document as the server serves it and the repository keeps it.
pub fn document() -> Document {
    Contract::openapi()
}

/// `org-invitations-server openapi`: the document on standard output, as kept in the
/// repository.
pub fn print() -> Result<(), crate::StartError> {
    println!("{}", document().to_pretty_json()?);
    Ok(())
}

/// `GET /api/openapi.json`.
pub async fn serve() -> Response {
    // Built once: anyone may ask for it, without a token, and it never changes while the
    // server runs.
    static SERVED: LazyLock<Vec<u8>> =
        LazyLock::new(|| serde_json::to_vec(&document()).unwrap_or_default());
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            // Like every answer under /api/, never kept by caches: it changes with the server.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        SERVED.as_slice(),
    )
        .into_response()
}

/// The three ways a caller proves itself; any one will do.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "cli_token",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                TOKEN_COOKIE,
                "The token as the Anyscale CLI sends it",
            ))),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The console's session, set by opening the sign-in URL the server prints",
            ))),
        );
        openapi.security = Some(
            ["bearer", "cli_token", "session"]
                .into_iter()
                .map(|name| {
                    utoipa::openapi::security::SecurityRequirement::new::<_, [&str; 0], &str>(
                        name,
                        [],
                    )
                })
                .collect(),
        );
    }
}

/// Answers any route may give, each with the error body: added to every operation, after
/// what the handler documents itself.
struct CommonErrors;

const COMMON_ERRORS: [(&str, &str, &str); 8] = [
    (
        "400",
        "BadRequest",
        "The request cannot be read (query, path or JSON)",
    ),
    ("401", "Unauthorized", "No valid token or session"),
    ("403", "Forbidden", "The caller's role does not allow this"),
    (
        "405",
        "MethodNotAllowed",
        "The path exists, the method does not",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body, or the batch, is too large",
    ),
    ("408", "RequestTimeout", "The body did not arrive in time"),
    (
        "429",
        "TooManyRequests",
        "Too many changes or failed sign-ins: wait as `Retry-After` says",
    ),
    (
        "503",
        "Unavailable",
        "The store cannot be read or written just now; nothing was changed",
    ),
];

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let error_body = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(ErrorBody::name())))
                .build()
        };
        for (status, name, description) in COMMON_ERRORS {
            let mut response = ResponseBuilder::new()
                .description(description)
                .content("application/json", error_body());
            let header = |schema, description| {
                HeaderBuilder::new()
                    .schema(Some(schema))
                    .description(Some(description))
                    .build()
            };
            match status {
                "429" => {
                    response = response.header(
                        "Retry-After",
                        header(u32::schema(), "Seconds to wait before trying again"),
                    )
                }
                "401" => {
                    response =
                        response.header("WWW-Authenticate", header(String::schema(), "`Bearer`"))
                }
                _ => {}
            }
            components
                .responses
                .insert(name.to_owned(), RefOr::T(response.build()));
        }
        components
            .schemas
            .insert(ErrorBody::name().into_owned(), ErrorBody::schema());
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.post, &mut item.delete]
                .into_iter()
                .flatten()
            {
                add_common_errors(operation);
            }
        }
    }
}

fn add_common_errors(operation: &mut Operation) {
    for (status, name, _) in COMMON_ERRORS {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use org_invitations_core::wire::paths;

    #[test]
    fn every_route_of_the_router_is_described() {
        let document = document();
        let described: Vec<&str> = document.paths.paths.keys().map(String::as_str).collect();
        for path in [
            paths::USERINFO,
            paths::INVITATIONS,
            paths::BATCH_CREATE,
            paths::CLI_USAGE,
            paths::ME,
            paths::AUDIT,
            paths::SIGN_OUT,
            paths::REVOKE_ALL_SESSIONS,
            "/api/v2/organization_invitations/{id}",
            "/api/v2/organization_invitations/{id}/invalidate",
            "/api/v2/organization_invitations/{id}/resend",
            "/api/v2/organization_invitations/{id}/link",
            paths::WEBHOOKS,
            "/api/console/webhooks/{id}",
            "/api/console/webhooks/{id}/rotate",
            "/api/console/webhooks/{id}/pause",
            "/api/console/webhooks/{id}/resume",
            "/api/console/webhooks/{id}/test",
            "/api/console/webhooks/{id}/deliveries",
            "/api/console/webhooks/{id}/deliveries/{delivery}/redeliver",
        ] {
            assert!(
                described.contains(&path),
                "{path} is missing from {described:?}"
            );
        }
        assert_eq!(described.len(), 20);
    }

    #[test]
    fn every_operation_answers_errors_with_the_error_body() {
        let json = serde_json::to_value(document()).unwrap();
        for (path, item) in json["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let responses = operation["responses"].as_object().unwrap();
                for status in ["401", "429", "503"] {
                    assert_eq!(
                        responses[status]["$ref"],
                        format!(
                            "#/components/responses/{}",
                            COMMON_ERRORS.iter().find(|e| e.0 == status).unwrap().1
                        ),
                        "{method} {path}"
                    );
                }
                for (status, response) in responses {
                    if status.starts_with('2') || response.get("$ref").is_some() {
                        continue;
                    }
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
        assert_eq!(json["openapi"], "3.1.0");
    }
}
