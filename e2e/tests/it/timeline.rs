//! The expiry timeline above the list: its counts, and the filter its bars set.

use chrono::{DateTime, FixedOffset, Utc};
use e2e::{demo_options, wait_for};
use fantoccini::Locator;
use fantoccini::key::Key;
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::listing::ExpiryDay;
use org_invitations_core::timeline::{expiry_bars, label};
use testkit::{Api, TestServer, selectors};

fn india() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap()
}

fn day_of(at: DateTime<Utc>) -> chrono::NaiveDate {
    at.with_timezone(&india()).date_naive()
}

async fn shown_emails(browser: &e2e::Browser) -> Vec<String> {
    let mut emails = browser.texts_now(selectors::ROW_EMAILS).await;
    emails.sort();
    emails
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_timeline_counts_each_day_and_its_bars_filter_the_list() {
    let server = TestServer::start_with(demo_options());
    let invitations: Vec<OrganizationInvitation> = Api::new(&server)
        .list_all("include_expired=true")
        .into_iter()
        .map(|value| serde_json::from_value(value).unwrap())
        .collect();
    let browser = e2e::signed_in(&server).await;

    let now = DateTime::<Utc>::from(std::time::SystemTime::now());
    let expected = expiry_bars(invitations.iter().map(|i| i.expires_at), now, day_of);
    let today = day_of(now);
    let texts: Vec<String> = expected
        .iter()
        .map(|bar| {
            let noun = if bar.count == 1 {
                "invitation"
            } else {
                "invitations"
            };
            format!("{} {noun}: {}", bar.count, label(bar.day, today))
        })
        .collect();
    assert_eq!(browser.texts_of_all(".oi-timeline button").await, texts);
    assert_eq!(
        texts[0], "1 invitation: Expired",
        "the demo's one expired invitation"
    );
    assert_eq!(
        expected.len(),
        9,
        "expired, then today and the seven days after"
    );
    browser.assert_accessible("timeline").await;

    // A day with invitations: the list narrows to exactly those, and the URL keeps it.
    let (index, bar) = expected
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, bar)| bar.count > 0)
        .expect("a day with invitations");
    let ExpiryDay::On(day) = bar.day else {
        unreachable!()
    };
    let mut on_that_day: Vec<String> = invitations
        .iter()
        .filter(|i| i.expires_at > now && day_of(i.expires_at) == day)
        .map(|i| i.email.clone())
        .collect();
    on_that_day.sort();
    let buttons = browser
        .client
        .find_all(Locator::Css(".oi-timeline button"))
        .await
        .unwrap();
    buttons[index].click().await.unwrap();
    wait_for("the day's rows", on_that_day.clone(), || {
        shown_emails(&browser)
    })
    .await;
    assert_eq!(
        buttons[index]
            .attr("aria-pressed")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    let url = browser.client.current_url().await.unwrap();
    assert!(
        url.query()
            .unwrap_or_default()
            .contains(&format!("expires={day}")),
        "{url}"
    );
    browser.assert_accessible("timeline, a day chosen").await;

    // After a reload the same day is chosen.
    browser.client.refresh().await.unwrap();
    wait_for("the day's rows after a reload", on_that_day.clone(), || {
        shown_emails(&browser)
    })
    .await;

    // From the keyboard: Enter on the chosen bar shows every day again.
    let buttons = browser
        .client
        .find_all(Locator::Css(".oi-timeline button"))
        .await
        .unwrap();
    buttons[index]
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    wait_for("every row again", invitations.len(), || async {
        browser.texts_now(selectors::ROWS).await.len()
    })
    .await;

    // The expired bar shows the expired invitation.
    buttons[0].click().await.unwrap();
    wait_for(
        "the expired row",
        vec!["edsger.dijkstra@example.com".to_owned()],
        || shown_emails(&browser),
    )
    .await;
    browser.close().await;
}
