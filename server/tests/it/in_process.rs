//! The router built by `app`, called in-process without a socket: the pattern for testing a
//! handler on its own. The HTTP tests beside this one use the real binary.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clap::Parser;
use org_invitations_server::config::Config;
use tower::ServiceExt;

fn config(data_dir: &std::path::Path) -> Config {
    Config::parse_from([
        "org-invitations-server",
        "--data-dir",
        data_dir.to_str().unwrap(),
        "--token",
        "sss_in_process_token_0123456789",
    ])
}

async fn body_json(response: axum::response::Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn the_router_answers_in_process_with_the_token_and_refuses_without() {
    let dir = tempfile::tempdir().unwrap();
    let app = org_invitations_server::app(&config(&dir.path().join("data")))
        .await
        .unwrap();
    assert_eq!(app.token(), "sss_in_process_token_0123456789");

    let refused = app
        .router
        .clone()
        .oneshot(
            Request::get(testkit::LIST_PATH)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(body_json(refused).await["error"]["detail"].is_string());

    let created = app
        .router
        .clone()
        .oneshot(
            Request::post(testkit::LIST_PATH)
                .header(
                    header::AUTHORIZATION,
                    "Bearer sss_in_process_token_0123456789",
                )
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"email": "in.process@example.com"}"#))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);

    let listed = app
        .router
        .oneshot(
            Request::get(testkit::LIST_PATH)
                .header(
                    header::AUTHORIZATION,
                    "Bearer sss_in_process_token_0123456789",
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let body = body_json(listed).await;
    assert_eq!(body["results"][0]["email"], "in.process@example.com");
    assert_eq!(body["metadata"]["total"], 1);
}
