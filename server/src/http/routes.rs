//! The URL map: the API behind the token check, and the console's files.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::routing::{any, get, post};
use org_invitations_core::wire::paths;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::authenticate::authenticate;
use crate::gateway;
use crate::handlers::{
    audit, console, invitations, invitee, me, probes, sessions, telemetry, userinfo, webhooks,
};

use crate::console_files::ConsoleFiles;
use crate::error::ApiError;
use crate::http::cors;
use crate::http::files::{only_reads, serve_embedded};
use crate::http::method;
use crate::http::openapi;
use crate::http::rate_limit::limit_writes;
use crate::http::request_log::{log_request, remember_route};
use crate::http::request_size::{buffer_body, refuse_oversized};
use crate::limits::MAX_BODY_BYTES;
use crate::state::{GatewayMode, Site, StoreMode};

use crate::content_policy::CONTENT_SECURITY_POLICY;

/// Store mode: the API answered from this server's own store (SQLite or PostgreSQL).
pub fn store_router(state: StoreMode) -> Router {
    let api = Router::new()
        .route(paths::USERINFO, get(userinfo::userinfo))
        .route(
            paths::INVITATIONS,
            get(invitations::list).post(invitations::create),
        )
        .route(paths::BATCH_CREATE, post(invitations::batch_create))
        .route(
            "/api/v2/organization_invitations/{id}",
            get(invitations::get),
        )
        .route(
            "/api/v2/organization_invitations/{id}/invalidate",
            post(invitations::invalidate),
        )
        .route(
            "/api/v2/organization_invitations/{id}/resend",
            post(invitations::resend),
        )
        .route(
            "/api/v2/organization_invitations/{id}/link",
            post(invitations::link),
        )
        .route(paths::WEBHOOKS, get(webhooks::list).post(webhooks::create))
        .route(
            "/api/console/webhooks/{id}",
            axum::routing::delete(webhooks::delete),
        )
        .route("/api/console/webhooks/{id}/rotate", post(webhooks::rotate))
        .route("/api/console/webhooks/{id}/pause", post(webhooks::pause))
        .route("/api/console/webhooks/{id}/resume", post(webhooks::resume))
        .route("/api/console/webhooks/{id}/test", post(webhooks::test))
        .route(
            "/api/console/webhooks/{id}/deliveries",
            get(webhooks::deliveries),
        )
        .route(
            "/api/console/webhooks/{id}/deliveries/{delivery}/redeliver",
            post(webhooks::redeliver),
        )
        .route(paths::CLI_USAGE, post(telemetry::cli_usage))
        .route("/api/{*rest}", any(unknown_api_path))
        .method_not_allowed_fallback(method_not_allowed);
    // The invitee's page: outside the API, no credential but the link's own token.
    let public = Router::new().route(
        "/invitation/{token}",
        get(invitee::show).post(invitee::answer),
    );
    site(api, public, state.site.clone(), state)
}

/// Gateway mode: every API request forwarded upstream (after this server's own token check).
pub fn gateway_router(state: GatewayMode) -> Router {
    let api = Router::new().route("/api/{*rest}", any(gateway::forward::forward));
    site(api, Router::new(), state.site.clone(), state)
}

/// What both modes share: the token check and body limit on the API, the console's page and
/// files, `public` pages of the mode's own (no credential), and the security headers on
/// everything.
fn site<S>(api: Router<S>, public: Router<S>, site: Site, state: S) -> Router
where
    S: Clone + Send + Sync + 'static,
    Site: axum::extract::FromRef<S>,
{
    // `/api` and `/api/` are no endpoint, but they are the API's: they answer as it does.
    let api = api
        .route(paths::SIGN_OUT, post(console::sign_out))
        .route(paths::ME, get(me::me))
        .route(paths::AUDIT, get(audit::audit))
        .route(paths::REVOKE_ALL_SESSIONS, post(sessions::revoke_all))
        .route("/api", any(unknown_api_path))
        .route("/api/", any(unknown_api_path))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Inside the token check: a change counts against the identity that made it.
        .route_layer(middleware::from_fn_with_state(
            site.limits.clone(),
            limit_writes,
        ))
        // The body is read only for callers who are known: a stranger is answered from the
        // request's head, having cost nothing but that.
        .route_layer(middleware::from_fn(buffer_body))
        .route_layer(middleware::from_fn_with_state(site.clone(), authenticate))
        // API answers are per user and must not be kept by shared caches.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    // Outermost on the API, so preflight requests are answered before the token check.
    let api = match cors::layer(&site.allowed_origins) {
        Some(cors) => api.layer(cors),
        None => api,
    };
    // File names are stable (no hashes), so browsers revalidate them on every load.
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        // The console's code is public: any page may load it (a module script and the
        // WebAssembly it fetches need this from another origin). The API keeps its allow-list.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        // The build writes `.br` and `.gz` beside every file: they are served to browsers
        // that accept them, and nothing is compressed on the fly.
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .layer(middleware::from_fn(only_reads));
    let pages = Router::new()
        .route("/", get(console::index))
        .route("/index.html", get(console::index))
        .route(openapi::PATH, get(openapi::serve))
        .route(probes::HEALTH_PATH, get(probes::healthz))
        .route(probes::READY_PATH, get(probes::readyz))
        .merge(api)
        .merge(public)
        .route_layer(middleware::from_fn(remember_route));
    let pages = match &site.console_files {
        ConsoleFiles::Folder(folder) => pages.fallback_service(
            files.service(
                ServeDir::new(folder)
                    .precompressed_br()
                    .precompressed_gzip(),
            ),
        ),
        ConsoleFiles::Embedded => pages.fallback_service(files.service(tower::service_fn(
            |request: axum::extract::Request| async move {
                let (parts, _) = request.into_parts();
                Ok::<_, std::convert::Infallible>(serve_embedded(parts.uri, parts.headers).await)
            },
        ))),
    };
    // A page may set a policy of its own only to name one more place its form posts to (the
    // invitee's page, sending a person on with --accept-redirect): see `invitee::ticket`.
    pages
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn(refuse_oversized))
        .layer(middleware::from_fn(method::refuse_unknown))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn unknown_api_path() -> ApiError {
    ApiError::not_found("No such API endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed for this endpoint",
    )
}
