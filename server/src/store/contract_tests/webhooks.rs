//! Webhook events: queued with the change that makes them, for the endpoints that want them;
//! claimed one per endpoint at a time; retried, failed, disabling an endpoint that fails too
//! long; expiries noted once; settled deliveries pruned.

use super::*;
use crate::store::webhooks::{ClaimedDelivery, Endpoint, Posted, Settlement, delivery_id};
use org_invitations_core::webhook::{DeliveryStatus, Webhook};

/// Adds an endpoint for `events` (every event when empty); its id.
async fn endpoint(store: &Store, url: &str, events: &[&str], now: DateTime<Utc>) -> String {
    let id = crate::ids::webhook_id();
    let endpoint = Endpoint {
        webhook: Webhook {
            id: id.clone(),
            url: url.into(),
            events: events.iter().map(|event| (*event).to_owned()).collect(),
            created_at: now,
            paused_at: None,
            disabled_at: None,
            failing_since: None,
        },
        secret: crate::webhooks::secret::new_secret(),
    };
    store
        .add_webhook(&endpoint, &who("admin"), now)
        .await
        .unwrap();
    id
}

async fn claim(store: &Store, now: DateTime<Utc>) -> Vec<ClaimedDelivery> {
    store
        .claim_webhook_deliveries(now, now + TimeDelta::seconds(60), 20)
        .await
        .unwrap()
}

fn settlement(posted: Posted, retry_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Settlement {
    Settlement {
        posted,
        retry_at,
        disable_failing_since: now - TimeDelta::days(5),
    }
}

#[tokio::test]
async fn an_event_goes_to_each_endpoint_that_wants_it_with_the_change_that_made_it() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let created_only = endpoint(&store, "https://a.example/in", &["invitation.created"], now).await;
    let revoked_only = endpoint(&store, "https://b.example/in", &["invitation.revoked"], now).await;
    let every = endpoint(&store, "https://c.example/in", &[], now).await;
    let made = store
        .create_many(
            &emails(&["ada@x.com"]),
            now,
            Some((&who("admin"), &[])),
            None,
        )
        .await
        .unwrap();
    let id = made[0].clone().unwrap();
    // Stored without a record (the demo's seeding): no change anyone made, no event.
    store
        .create_many(&emails(&["seed@x.com"]), now, None, None)
        .await
        .unwrap();

    let mut claimed = claim(&store, now).await;
    claimed.sort_by(|a, b| a.url.cmp(&b.url));
    let endpoints: Vec<&str> = claimed.iter().map(|d| d.endpoint_id.as_str()).collect();
    assert_eq!(endpoints, [created_only.as_str(), every.as_str()]);
    assert!(!endpoints.contains(&revoked_only.as_str()));
    assert_eq!(
        claimed[0].message_id, claimed[1].message_id,
        "one event, one id"
    );
    let body: serde_json::Value =
        serde_json::from_str(claimed[0].payload.as_deref().unwrap()).unwrap();
    assert_eq!(body["type"], "invitation.created");
    assert_eq!(body["data"]["id"], id.as_str());
    assert_eq!(body["data"]["email"], "ada@x.com");
    assert_eq!(body["data"]["actor"], "admin");
    assert_eq!(claimed[0].secrets.len(), 1);
    assert_eq!(claimed[0].attempts, 1);
}

#[tokio::test]
async fn an_endpoint_has_its_share_in_flight_and_a_failure_is_retried_until_the_schedule_ends() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let share = crate::limits::WEBHOOK_IN_FLIGHT_PER_ENDPOINT as usize;
    let hook = endpoint(&store, "https://a.example/in", &["invitation.created"], now).await;
    let other = endpoint(&store, "https://b.example/in", &["invitation.created"], now).await;
    let addresses: Vec<String> = (0..share + 2).map(|n| format!("n{n}@x.com")).collect();
    store
        .create_many(&addresses, now, Some((&who("admin"), &[])), None)
        .await
        .unwrap();
    let claimed = claim(&store, now).await;
    let of = |id: &str| claimed.iter().filter(|d| d.endpoint_id == id).count();
    assert_eq!(
        (of(&hook), of(&other)),
        (share, share),
        "each endpoint its share"
    );
    assert!(
        claim(&store, now).await.is_empty(),
        "the shares are in flight"
    );
    let first = claimed
        .iter()
        .find(|d| d.endpoint_id == hook)
        .unwrap()
        .clone();

    // Refused: retried a second later; meanwhile the next of its endpoint goes.
    let failed = Posted::Failed(Some(500), "Answered 500".into());
    let retry_at = now + TimeDelta::seconds(1);
    store
        .settle_webhook_delivery(
            &first,
            &settlement(failed.clone(), Some(retry_at), now),
            now,
        )
        .await
        .unwrap();
    let next = claim(&store, now).await;
    assert_eq!(next.len(), 1, "one place freed");
    assert_eq!(next[0].endpoint_id, hook);
    assert_ne!(next[0].seq, first.seq);
    for delivered in claimed.iter().filter(|d| d.seq != first.seq).chain(&next) {
        store
            .settle_webhook_delivery(
                delivered,
                &settlement(Posted::Delivered(204), None, now),
                now,
            )
            .await
            .unwrap();
    }
    let first = [first];

    // The retry is the same message and body; its schedule ends in a failure.
    let again = claim(&store, retry_at).await;
    let again = again
        .iter()
        .find(|d| d.seq == first[0].seq)
        .expect("the retry");
    assert_eq!(again.message_id, first[0].message_id);
    assert_eq!(again.payload, first[0].payload);
    assert_eq!(again.attempts, 2);
    store
        .settle_webhook_delivery(again, &settlement(failed, None, retry_at), retry_at)
        .await
        .unwrap();
    let log = store.webhook_deliveries(&hook).await.unwrap().unwrap();
    let retried = log
        .iter()
        .find(|d| d.id == delivery_id(first[0].seq))
        .unwrap();
    assert_eq!(
        (retried.status, retried.attempts, retried.response_status),
        (DeliveryStatus::Failed, 2, Some(500))
    );
    assert_eq!(
        log.iter()
            .filter(|d| d.status == DeliveryStatus::Delivered && d.response_status == Some(204))
            .count(),
        share,
        "the others delivered"
    );
}

#[tokio::test]
async fn an_endpoint_failing_too_long_is_disabled_on_record_and_its_events_wait() {
    let Fresh { store, _dir, .. } = fresh().await;
    let start = Utc::now();
    let hook = endpoint(&store, "https://a.example/in", &[], start).await;
    store
        .test_webhook(&hook, &who("admin"), start)
        .await
        .unwrap();
    let first = claim(&store, start).await;
    let failed = Posted::Failed(None, "Cannot connect".into());
    let disabled = store
        .settle_webhook_delivery(&first[0], &settlement(failed.clone(), None, start), start)
        .await
        .unwrap();
    assert!(!disabled, "failing since just now");

    let later = start + TimeDelta::days(6);
    store
        .test_webhook(&hook, &who("admin"), later)
        .await
        .unwrap();
    let second = claim(&store, later).await;
    let disabled = store
        .settle_webhook_delivery(&second[0], &settlement(failed, None, later), later)
        .await
        .unwrap();
    assert!(disabled, "failing for six days");
    let listed = store.webhooks().await.unwrap();
    assert_eq!(listed[0].disabled_at, Some(instant_ms(later)));
    assert_eq!(listed[0].failing_since, Some(instant_ms(start)));
    let trail = store
        .audit_list(
            &Filter {
                action: Some(Action::WebhookDisabled),
                ..Default::default()
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(trail.records.len(), 1);
    assert_eq!(trail.records[0].actor, "webhooks");

    // Disabled: a new event waits; resumed, it goes.
    store
        .test_webhook(&hook, &who("admin"), later)
        .await
        .unwrap();
    assert!(claim(&store, later).await.is_empty());
    store
        .pause_webhook(&hook, false, &who("admin"), later)
        .await
        .unwrap();
    assert_eq!(claim(&store, later).await.len(), 1);
    assert_eq!(store.webhooks().await.unwrap()[0].disabled_at, None);
}

#[tokio::test]
async fn expiries_are_noted_once_and_old_settled_deliveries_pruned() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let hook = endpoint(&store, "https://a.example/in", &["invitation.expired"], now).await;
    store
        .create_many(&emails(&["late@x.com"]), now, None, None)
        .await
        .unwrap();
    let expired_at = now + org_invitations_core::invitation::INVITATION_LIFETIME;
    assert_eq!(store.note_expired(now).await.unwrap(), 0, "not yet");
    assert_eq!(store.note_expired(expired_at).await.unwrap(), 1);
    assert_eq!(store.note_expired(expired_at).await.unwrap(), 0, "once");
    let claimed = claim(&store, expired_at).await;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].event_type, "invitation.expired");
    assert_eq!(claimed[0].actor, None, "the server found it");
    store
        .settle_webhook_delivery(
            &claimed[0],
            &settlement(Posted::Delivered(200), None, expired_at),
            expired_at,
        )
        .await
        .unwrap();
    // A pending one is kept however old; a settled one goes after the retention.
    store.test_webhook(&hook, &who("admin"), now).await.unwrap();
    let month_on = expired_at + crate::limits::WEBHOOK_DELIVERY_RETENTION + TimeDelta::days(1);
    assert_eq!(store.prune_webhook_deliveries(month_on).await.unwrap(), 1);
    let left = store.webhook_deliveries(&hook).await.unwrap().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].event_type, "webhook.test");
}

/// `at` as the stores keep instants: to the millisecond.
fn instant_ms(at: DateTime<Utc>) -> DateTime<Utc> {
    crate::store::instant(at.timestamp_millis())
}

#[tokio::test]
async fn deleting_an_endpoint_while_its_deliveries_settle_never_fails() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    for _ in 0..20 {
        let hook = endpoint(&store, "https://a.example/in", &[], now).await;
        for _ in 0..8 {
            store.test_webhook(&hook, &who("admin"), now).await.unwrap();
        }
        let claimed = claim(&store, now).await;
        let failed = settlement(Posted::Failed(Some(500), "Answered 500".into()), None, now);
        // Each settle locks a delivery, then its endpoint; the delete takes both.
        let settles = claimed
            .iter()
            .map(|delivery| store.settle_webhook_delivery(delivery, &failed, now));
        let admin = who("admin");
        let (settled, deleted) = tokio::join!(
            futures_util::future::join_all(settles),
            store.delete_webhook(&hook, &admin, now)
        );
        for outcome in settled {
            outcome.expect("a settle beside a delete");
        }
        assert!(deleted.expect("a delete beside settles").is_some());
    }
    assert!(store.webhooks().await.unwrap().is_empty());
}
