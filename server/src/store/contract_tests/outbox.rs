//! The outbox: mail queued with its invitation, claimed once at a time, settled, withdrawn.

use super::*;
use crate::store::answers::{Answer, Invitee};
use crate::store::outbox::{Mail, MailLimits, Settled};
use org_invitations_core::invitation::DeliveryState;

fn mail(locales: &[&str], inviter: Option<&str>) -> Mail {
    Mail {
        locales: locales.iter().map(|locale| (*locale).to_owned()).collect(),
        inviter: inviter.map(Into::into),
    }
}

/// Limits these tests never reach.
const UNLIMITED: MailLimits = MailLimits {
    per_hour: 1000,
    per_address_per_day: 100,
};

fn invitee() -> Invitee {
    Invitee {
        email: "once@x.com".into(),
        request_id: "req_answer".into(),
        client: Some("192.0.2.7".into()),
    }
}

async fn delivery_of(store: &Store, id: &str) -> Option<(DeliveryState, u32, Option<String>)> {
    store
        .get(id)
        .await
        .unwrap()
        .and_then(|invitation| invitation.delivery)
        .map(|delivery| (delivery.state, delivery.attempts, delivery.error))
}

#[tokio::test]
async fn mail_is_queued_with_its_invitation_and_claimed_by_one_worker_at_a_time() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let made = store
        .create_many(
            &emails(&["ada@x.com", "bob@x.com"]),
            now,
            None,
            Some(&mail(&["de", "en"], Some("alice@corp.example"))),
        )
        .await
        .unwrap();
    let ada = made[0].clone().unwrap();
    assert_eq!(
        delivery_of(&store, &ada).await,
        Some((DeliveryState::Queued, 0, None))
    );
    let listed = store
        .list(&ListFilter::default(), 0, 10, now)
        .await
        .unwrap();
    assert!(
        listed
            .invitations
            .iter()
            .all(|invitation| invitation.delivery.is_some()),
        "the listing shows each one's delivery"
    );

    let lease = now + TimeDelta::minutes(5);
    let claimed = store.claim_mail(now, lease, 10, UNLIMITED).await.unwrap();
    assert_eq!(claimed.len(), 2);
    let first = claimed
        .iter()
        .find(|message| message.invitation_id == ada)
        .unwrap();
    assert_eq!(first.recipient, "ada@x.com");
    assert_eq!(first.locale, "de");
    assert_eq!(first.inviter.as_deref(), Some("alice@corp.example"));
    assert_eq!(first.attempts, 1);
    assert_eq!(first.token.len(), 64);
    assert_ne!(claimed[0].token, claimed[1].token);
    assert!(
        store
            .claim_mail(now, lease, 10, UNLIMITED)
            .await
            .unwrap()
            .is_empty(),
        "leased: no second worker takes them"
    );
    assert_eq!(
        delivery_of(&store, &ada).await.unwrap().1,
        1,
        "the attempt counts"
    );

    // A crashed worker's lease runs out: the message is claimed again, with a new link.
    let later = lease + TimeDelta::seconds(1);
    let again = store
        .claim_mail(later, later + TimeDelta::minutes(5), 10, UNLIMITED)
        .await
        .unwrap();
    assert_eq!(again.len(), 2);
    let second = again
        .iter()
        .find(|message| message.invitation_id == ada)
        .unwrap();
    assert_eq!(second.attempts, 2);
    assert_ne!(second.token, first.token);

    store
        .settle_mail(
            &second.attempt(),
            &Settled::Sent("250 2.0.0 Ok: queued".into()),
        )
        .await
        .unwrap();
    assert_eq!(
        delivery_of(&store, &ada).await,
        Some((DeliveryState::Sent, 2, None))
    );
    let bob = again
        .iter()
        .find(|message| message.invitation_id != ada)
        .unwrap();
    let retry_at = later + TimeDelta::minutes(1);
    store
        .settle_mail(
            &bob.attempt(),
            &Settled::Retry(retry_at, "451 4.3.0 try later".into()),
        )
        .await
        .unwrap();
    let bob_id = bob.invitation_id.clone();
    assert_eq!(
        delivery_of(&store, &bob_id).await,
        Some((DeliveryState::Queued, 2, Some("451 4.3.0 try later".into())))
    );
    assert!(
        store
            .claim_mail(later, later, 10, UNLIMITED)
            .await
            .unwrap()
            .is_empty(),
        "not yet due"
    );
    let retried = store
        .claim_mail(retry_at, retry_at, 10, UNLIMITED)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    store
        .settle_mail(
            &retried[0].attempt(),
            &Settled::Failed("550 5.1.1 no such user".into()),
        )
        .await
        .unwrap();
    assert_eq!(
        delivery_of(&store, &bob_id).await,
        Some((
            DeliveryState::Failed,
            3,
            Some("550 5.1.1 no such user".into())
        ))
    );
    assert!(
        store
            .claim_mail(retry_at, retry_at, 10, UNLIMITED)
            .await
            .unwrap()
            .is_empty(),
        "settled for good"
    );
}

#[tokio::test]
async fn revoked_replaced_and_expired_invitations_send_nothing() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let made = store
        .create_many(
            &emails(&["gone@x.com", "again@x.com"]),
            now,
            None,
            Some(&mail(&[], None)),
        )
        .await
        .unwrap();
    let (gone, again) = (made[0].clone().unwrap(), made[1].clone().unwrap());
    store.invalidate(&gone, now, None).await.unwrap();
    let fresh = store
        .resend(&again, now, None, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        fresh.delivery.map(|delivery| delivery.state),
        Some(DeliveryState::Queued),
        "the fresh one's mail is queued"
    );
    let claimed = store
        .claim_mail(now, now + TimeDelta::minutes(5), 10, UNLIMITED)
        .await
        .unwrap();
    let recipients: Vec<(&str, &str)> = claimed
        .iter()
        .map(|message| (message.invitation_id.as_str(), message.locale.as_str()))
        .collect();
    assert_eq!(
        recipients,
        [(fresh.id.as_str(), "en")],
        "only the fresh one's mail goes"
    );

    // Unsent mail of an invitation that expired fails, saying so.
    let long_ago = now - TimeDelta::days(8);
    let old = store
        .create_many(
            &emails(&["late@x.com"]),
            long_ago,
            None,
            Some(&mail(&["fr"], None)),
        )
        .await
        .unwrap()[0]
        .clone()
        .unwrap();
    assert!(
        store
            .claim_mail(now, now + TimeDelta::minutes(5), 10, UNLIMITED)
            .await
            .unwrap()
            .is_empty()
    );
    let listed = store.list(&including_expired(), 0, 10, now).await.unwrap();
    let late = listed
        .invitations
        .iter()
        .find(|invitation| invitation.id == old)
        .unwrap();
    let delivery = late.delivery.clone().unwrap();
    assert_eq!(delivery.state, DeliveryState::Failed);
    assert!(delivery.error.unwrap().contains("expired"));
}

#[tokio::test]
async fn invitations_made_without_mail_show_no_delivery() {
    let Fresh { store, _dir, .. } = fresh().await;
    let made = store
        .create_many(&emails(&["seed@x.com"]), Utc::now(), None, None)
        .await
        .unwrap();
    assert_eq!(delivery_of(&store, made[0].as_ref().unwrap()).await, None);
    let now = Utc::now();
    assert!(
        store
            .claim_mail(now, now, 10, UNLIMITED)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_link_answers_once_and_never_after_its_invitation_expired() {
    use crate::store::answers::Standing;
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let made = store
        .create_many(
            &emails(&["late@x.com", "once@x.com"]),
            now,
            None,
            Some(&mail(&["es", "en"], None)),
        )
        .await
        .unwrap();
    let claimed = store
        .claim_mail(now, now + TimeDelta::minutes(5), 10, UNLIMITED)
        .await
        .unwrap();
    let token_of = |id: &str| {
        claimed
            .iter()
            .find(|message| message.invitation_id == id)
            .unwrap()
            .token
            .clone()
    };
    let (late, once) = (
        token_of(made[0].as_ref().unwrap()),
        token_of(made[1].as_ref().unwrap()),
    );

    let after_expiry = now + TimeDelta::days(8);
    let kept = store
        .answer_invitation(&late, Answer::Accept, after_expiry, &invitee())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.standing,
        Standing::Open,
        "an expired invitation is not accepted"
    );
    assert_eq!(kept.locale, "es");

    let accepted = store
        .answer_invitation(&once, Answer::Accept, now, &invitee())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(accepted.standing, Standing::Accepted);
    let again = store
        .answer_invitation(&once, Answer::Decline, now, &invitee())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.standing, Standing::Accepted, "answered once");
    let listed = store
        .list(&ListFilter::default(), 0, 10, now)
        .await
        .unwrap();
    assert!(
        listed
            .invitations
            .iter()
            .all(|invitation| invitation.email != "once@x.com"),
        "no longer pending"
    );
    let read = store
        .get(made[1].as_ref().unwrap())
        .await
        .unwrap()
        .expect("readable by id");
    assert!(read.accepted_at.is_some());
    assert!(
        store
            .invitation_by_link("0".repeat(64).as_str())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_trail_records_mail_queued_sent_failed_and_the_answer_each_in_its_transaction() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let made = store
        .create_many(
            &emails(&["once@x.com", "gone@x.com"]),
            now,
            Some((&who("alice@corp.example"), &[])),
            Some(&mail(&["en", "en"], None)),
        )
        .await
        .unwrap();
    let claimed = store
        .claim_mail(now, now + TimeDelta::minutes(5), 10, UNLIMITED)
        .await
        .unwrap();
    let message = |address: &str| {
        claimed
            .iter()
            .find(|message| message.recipient == address)
            .unwrap()
    };
    let (once, gone) = (message("once@x.com"), message("gone@x.com"));
    store
        .settle_mail(&once.attempt(), &Settled::Sent("250 2.0.0 Ok".into()))
        .await
        .unwrap();
    store
        .settle_mail(
            &gone.attempt(),
            &Settled::Retry(now, "451 4.3.0 later".into()),
        )
        .await
        .unwrap();
    let again = store.claim_mail(now, now, 10, UNLIMITED).await.unwrap();
    store
        .settle_mail(&again[0].attempt(), &Settled::Failed("550 5.1.1 no".into()))
        .await
        .unwrap();
    store
        .answer_invitation(&once.token, Answer::Accept, now, &invitee())
        .await
        .unwrap();

    let trail = store
        .audit_list(&Filter::default(), None, 50)
        .await
        .unwrap()
        .records;
    let told: Vec<(String, String, String, Option<u16>, Option<String>)> = trail
        .iter()
        .rev()
        .map(|record| {
            (
                record.action.clone(),
                record.actor.clone(),
                record.email.clone().unwrap_or_default(),
                record.status,
                record.detail.clone(),
            )
        })
        .collect();
    let alice = "alice@corp.example".to_owned();
    let record = |action: &str, actor: &str, email: &str, status, detail: Option<&str>| {
        (
            action.to_owned(),
            actor.to_owned(),
            email.to_owned(),
            Some(status),
            detail.map(Into::into),
        )
    };
    assert_eq!(
        told,
        [
            record("create", &alice, "once@x.com", 200, None),
            record("mail_queued", &alice, "once@x.com", 200, None),
            record("create", &alice, "gone@x.com", 200, None),
            record("mail_queued", &alice, "gone@x.com", 200, None),
            record(
                "mail_sent",
                "delivery",
                "once@x.com",
                200,
                Some("250 2.0.0 Ok")
            ),
            record(
                "mail_failed",
                "delivery",
                "gone@x.com",
                502,
                Some("550 5.1.1 no")
            ),
            record("accepted", "once@x.com", "once@x.com", 200, None),
        ],
        "a retry is not recorded; the rest is, in order"
    );
    let accepted = trail.first().unwrap();
    assert_eq!(accepted.method, "invitation_link");
    assert_eq!(accepted.client.as_deref(), Some("192.0.2.7"));
    assert_eq!(
        accepted.invitation_id.as_deref(),
        made[0].as_ref().ok().map(String::as_str)
    );
    let sent = trail
        .iter()
        .find(|record| record.action == "mail_sent")
        .unwrap();
    assert_eq!(sent.method, "outbox");
    assert!(sent.request_id.starts_with("mail_"), "{}", sent.request_id);
}

#[tokio::test]
async fn past_the_hourly_and_per_address_limits_mail_waits_saying_why_and_nothing_is_lost() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let limits = MailLimits {
        per_hour: 3,
        per_address_per_day: 2,
    };
    let made = store
        .create_many(
            &emails(&["a@x.com", "b@x.com", "c@x.com", "d@x.com"]),
            now,
            None,
            Some(&mail(&["en"; 4], None)),
        )
        .await
        .unwrap();
    let lease = now + TimeDelta::minutes(5);
    let claimed = store.claim_mail(now, lease, 10, limits).await.unwrap();
    assert_eq!(claimed.len(), 3, "three an hour");
    for message in &claimed {
        store
            .settle_mail(&message.attempt(), &Settled::Sent("250 OK".into()))
            .await
            .unwrap();
    }
    assert!(
        store
            .claim_mail(now, lease, 10, limits)
            .await
            .unwrap()
            .is_empty()
    );
    let d = made[3].as_ref().unwrap();
    let (state, attempts, why) = delivery_of(&store, d).await.unwrap();
    assert_eq!((state, attempts), (DeliveryState::Queued, 0));
    assert!(
        why.unwrap()
            .contains("hourly limit of mail (--max-mails-per-hour 3)")
    );
    // An hour on, it goes.
    let hour_on = now + TimeDelta::minutes(61);
    let later = store
        .claim_mail(hour_on, hour_on + TimeDelta::minutes(5), 10, limits)
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(&later[0].invitation_id, d);
    store
        .settle_mail(&later[0].attempt(), &Settled::Sent("250 OK".into()))
        .await
        .unwrap();

    // Two a day to one address, resends included: the third waits for the day.
    let mut id = made[0].clone().unwrap();
    for _ in 0..2 {
        id = store
            .resend(&id, hour_on, None, true)
            .await
            .unwrap()
            .unwrap()
            .id;
        let sent = store
            .claim_mail(hour_on, hour_on + TimeDelta::minutes(5), 10, limits)
            .await
            .unwrap();
        let outcome = sent.first().map(|message| message.invitation_id.clone());
        if let Some(message) = sent.first() {
            store
                .settle_mail(&message.attempt(), &Settled::Sent("250 OK".into()))
                .await
                .unwrap();
        }
        if outcome.is_none() {
            break;
        }
    }
    let (state, _, why) = delivery_of(&store, &id).await.unwrap();
    assert_eq!(state, DeliveryState::Queued, "the second resend waits");
    assert!(
        why.unwrap()
            .contains("At most 2 mails a day go to one address")
    );
    let day_on = hour_on + TimeDelta::days(1);
    let next_day = store
        .claim_mail(day_on, day_on + TimeDelta::minutes(5), 10, limits)
        .await
        .unwrap();
    assert_eq!(next_day.len(), 1, "a day on, it goes");
    assert_eq!(next_day[0].invitation_id, id);
}
