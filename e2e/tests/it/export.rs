//! "Export CSV": the file the browser saves holds exactly the rows of the view.

use chrono::{FixedOffset, Utc};
use e2e::{demo_options, wait_for};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::datetime::{format_cli, format_iso_day, format_iso_utc};
use testkit::{Api, TestServer, selectors};

fn india() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_export_is_the_sorted_filtered_view_with_formulas_defused() {
    let server = TestServer::start_with(demo_options());
    let api = Api::new(&server);
    api.invite(&["=sum@example.com", "-minus@example.com", "zed@example.org"]);
    let all: Vec<OrganizationInvitation> = api
        .list_all("include_expired=true")
        .into_iter()
        .map(|value| serde_json::from_value(value).unwrap())
        .collect();

    let browser = e2e::signed_in(&server).await;
    let downloads = tempfile::tempdir().unwrap();
    browser.download_into(downloads.path()).await;
    // The view: addresses at example.com, expired ones hidden, by email A to Z.
    browser
        .client
        .goto(&server.url("/?sort=email&dir=asc&q=example.com&expired=hide"))
        .await
        .unwrap();
    wait_for("the filtered rows", 4, || async {
        browser.texts_now(selectors::ROWS).await.len()
    })
    .await;
    browser.click_button("Export CSV").await;

    let name = format!(
        "invitations-local-organization-{}.csv",
        format_iso_day(
            chrono::DateTime::<Utc>::from(std::time::SystemTime::now())
                .with_timezone(&india())
                .date_naive()
        )
    );
    let file = downloads.path().join(&name);
    wait_for("the downloaded file", true, || async { file.exists() }).await;
    let csv = std::fs::read_to_string(&file).unwrap();

    let row = |email: &str, shown_email: &str| {
        let invitation = all.iter().find(|i| i.email == email).unwrap();
        format!(
            "{},{shown_email},{},{},Pending,{},{}\r\n",
            invitation.id,
            format_cli(invitation.created_at, &india()),
            format_cli(invitation.expires_at, &india()),
            format_iso_utc(invitation.created_at),
            format_iso_utc(invitation.expires_at),
        )
    };
    let expected = [
        "ID,Email,Created At,Expires At,Status,Created At (UTC),Expires At (UTC)\r\n".to_owned(),
        row("-minus@example.com", "'-minus@example.com"),
        row("=sum@example.com", "'=sum@example.com"),
        row("ada.lovelace@example.com", "ada.lovelace@example.com"),
        row("grace.hopper@example.com", "grace.hopper@example.com"),
    ]
    .concat();
    assert_eq!(csv, expected);
    browser.close().await;
}
