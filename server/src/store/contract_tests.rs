//! The storage contract: the same tests for every implementation of [`Storage`]. They run on
//! SQLite, and on PostgreSQL in the pass of `cargo xtask test` that puts every server there
//! (`ORG_INVITATIONS_TEST_STORE=postgres`). What only one database has (SQLite's file, its
//! upgrades, group commit; PostgreSQL's migrations and TLS) is tested beside its code.

use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, Utc};
use testkit::postgres;

use super::audit::{Action, Entry, Filter, Who};
use super::tokens::TokenStoreError;
use super::{CreateRefusal, Database, ListFilter, Location, SESSION_LIFETIME, open};
use crate::identity::Role;

/// A store of its own, on the database this test run is about.
struct Fresh {
    store: Database,
    location: Location,
    _dir: tempfile::TempDir,
}

async fn fresh() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let location = if postgres::servers_use_postgres() {
        Location::Postgres {
            url: postgres::database_for(dir.path()),
            ca_file: std::env::var_os(postgres::CA_ENV).map(PathBuf::from),
        }
    } else {
        Location::Sqlite(dir.path().join("store.sqlite3"))
    };
    Fresh {
        store: open(&location).await.unwrap(),
        location,
        _dir: dir,
    }
}

fn emails(list: &[&str]) -> Vec<String> {
    list.iter().map(|email| email.to_string()).collect()
}

pub(super) fn who(actor: &str) -> Who {
    Who {
        actor: actor.into(),
        method: "proxy",
        request_id: "req_1".into(),
        client: Some("127.0.0.1".into()),
    }
}

pub(super) fn entry(action: Action, email: &str, status: Option<u16>) -> Entry {
    Entry {
        action,
        email: Some(email.into()),
        invitation_id: None,
        replaces: None,
        status,
        detail: None,
    }
}

fn including_expired() -> ListFilter {
    ListFilter {
        include_expired: true,
        ..Default::default()
    }
}

/// Every open invitation's address, read page by page.
async fn listed(store: &Database, filter: &ListFilter, now: DateTime<Utc>) -> Vec<String> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = store.list(filter, after, 2, now).await.unwrap();
        all.extend(page.invitations.into_iter().map(|found| found.email));
        match page.last_seq_if_more {
            Some(last) => after = last,
            None => return all,
        }
    }
}

#[tokio::test]
async fn an_expired_invitation_is_listed_only_on_request_and_can_be_replaced() {
    let Fresh { store, _dir, .. } = fresh().await;
    let long_ago = Utc::now() - TimeDelta::days(8);
    store
        .create_many(&emails(&["old@x.com"]), long_ago, None)
        .await
        .unwrap();
    let now = Utc::now();
    let pending = store
        .list(&ListFilter::default(), 0, 10, now)
        .await
        .unwrap();
    assert_eq!(pending.total, 0);
    assert!(pending.invitations.is_empty());
    assert_eq!(
        store
            .list(&including_expired(), 0, 10, now)
            .await
            .unwrap()
            .total,
        1
    );
    let again = store
        .create_many(&emails(&["OLD@x.com"]), now, None)
        .await
        .unwrap();
    assert!(again[0].is_ok(), "an expired invitation does not block");
    let all = store.list(&including_expired(), 0, 10, now).await.unwrap();
    assert_eq!(all.total, 1, "the expired one is superseded");
    assert_eq!(all.invitations[0].email, "OLD@x.com");
}

#[tokio::test]
async fn a_pending_address_is_refused_case_insensitively_and_alone() {
    let Fresh { store, _dir, .. } = fresh().await;
    let outcomes = store
        .create_many(
            &emails(&["a@x.com", "A@X.com", "b@x.com"]),
            Utc::now(),
            None,
        )
        .await
        .unwrap();
    assert!(outcomes[0].is_ok());
    assert_eq!(outcomes[1], Err(CreateRefusal::AlreadyPending));
    assert!(outcomes[2].is_ok(), "the refusal failed nothing else");
    let id = outcomes[0].clone().unwrap();
    let found = store.get(&id).await.unwrap().expect("stored");
    assert_eq!(found.email, "a@x.com");
    assert_eq!(found.organization_id, store.organization_id());
    assert_eq!(found.expires_at - found.created_at, TimeDelta::days(7));
}

/// The total a listing reports against the rows it lists, through every kind of write, with
/// and without expired ones, and for one address.
#[tokio::test]
async fn the_listing_total_is_the_real_count_through_every_kind_of_write() {
    let Fresh { store, _dir, .. } = fresh().await;
    let check = async |what: &str| {
        let now = Utc::now();
        for filter in [ListFilter::default(), including_expired()] {
            let page = store.list(&filter, 0, 1, now).await.unwrap();
            assert_eq!(
                page.total as usize,
                listed(&store, &filter, now).await.len(),
                "{what}, {filter:?}"
            );
        }
    };
    check("empty").await;
    let long_ago = Utc::now() - TimeDelta::days(8);
    store
        .create_many(&emails(&["a@x.com", "b@x.com", "c@x.com"]), long_ago, None)
        .await
        .unwrap();
    check("expired ones created").await;
    let created = store
        .create_many(
            &emails(&["a@x.com", "d@x.com", "d@x.com", "e@x.com"]),
            Utc::now(),
            None,
        )
        .await
        .unwrap();
    check("an expired one superseded, a duplicate refused").await;
    let d = created[1].clone().unwrap();
    assert!(
        store
            .invalidate(&d, Utc::now(), None)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .invalidate(&d, Utc::now(), None)
            .await
            .unwrap()
            .is_none()
    );
    check("revoked, twice").await;
    let e = created[3].clone().unwrap();
    let fresh = store.resend(&e, Utc::now(), None).await.unwrap().unwrap();
    assert_ne!(fresh.id, e);
    assert!(
        store.get(&e).await.unwrap().is_none(),
        "the old one is closed"
    );
    check("resent").await;
    let one = ListFilter {
        email_key: Some("e@x.com".into()),
        include_expired: false,
    };
    let page = store.list(&one, 0, 10, Utc::now()).await.unwrap();
    assert_eq!((page.total, page.invitations.len()), (1, 1));
    assert_eq!(page.invitations[0].id, fresh.id);
    assert_eq!(store.count_all().await.unwrap(), 7, "every row ever stored");
}

#[tokio::test]
async fn reopening_keeps_data_and_organization() {
    let Fresh {
        store,
        location,
        _dir,
    } = fresh().await;
    store
        .create_many(&emails(&["a@x.com"]), Utc::now(), None)
        .await
        .unwrap();
    let organization = store.organization_id().to_owned();
    drop(store);
    let again = open(&location).await.unwrap();
    assert_eq!(again.organization_id(), organization);
    assert_eq!(again.count_all().await.unwrap(), 1);
}

#[tokio::test]
async fn changes_and_their_records_are_written_together() {
    let Fresh { store, _dir, .. } = fresh().await;
    let alice = who("alice@x.com");
    let refused = [entry(Action::Create, "not-an-address", Some(422))];
    let created = store
        .create_many(
            &emails(&["a@x.com", "A@x.com"]),
            Utc::now(),
            Some((&alice, &refused)),
        )
        .await
        .unwrap();
    let id = created[0].clone().unwrap();
    store
        .invalidate("orginv_missing", Utc::now(), Some(&alice))
        .await
        .unwrap();
    let fresh = store
        .resend(&id, Utc::now(), Some(&alice))
        .await
        .unwrap()
        .unwrap();
    let page = store
        .audit_list(&Filter::default(), None, 10)
        .await
        .unwrap();
    let records: Vec<_> = page
        .records
        .iter()
        .map(|record| {
            (
                record.action.as_str(),
                record.status,
                record.invitation_id.as_deref(),
                record.replaces.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        records,
        [
            (
                "resend",
                Some(200),
                Some(fresh.id.as_str()),
                Some(id.as_str())
            ),
            ("invalidate", Some(404), Some("orginv_missing"), None),
            ("create", Some(409), None, None),
            ("create", Some(200), Some(id.as_str()), None),
            ("create", Some(422), None, None),
        ]
    );
    assert!(
        page.records
            .iter()
            .all(|record| record.actor == "alice@x.com")
    );
}

#[tokio::test]
async fn records_list_newest_first_filtered_and_paged() {
    let Fresh { store, _dir, .. } = fresh().await;
    let start = Utc::now();
    for i in 0..5 {
        let actor = if i % 2 == 0 {
            "alice@x.com"
        } else {
            "bob@x.com"
        };
        store
            .record(
                start + TimeDelta::seconds(i),
                &who(actor),
                &[entry(Action::Create, &format!("u{i}@x.com"), Some(200))],
            )
            .await
            .unwrap();
    }
    let page = store.audit_list(&Filter::default(), None, 2).await.unwrap();
    assert_eq!(page.total, 5);
    let shown: Vec<_> = page
        .records
        .iter()
        .map(|record| record.email.clone().unwrap())
        .collect();
    assert_eq!(shown, ["u4@x.com", "u3@x.com"]);
    let next = store
        .audit_list(&Filter::default(), page.next_before_seq, 10)
        .await
        .unwrap();
    assert_eq!(next.records.len(), 3);
    assert_eq!(next.next_before_seq, None);

    let alice = Filter {
        actor: Some("alice@x.com".into()),
        ..Filter::default()
    };
    assert_eq!(store.audit_list(&alice, None, 10).await.unwrap().total, 3);
    let one = Filter {
        email_key: Some("u1@x.com".into()),
        ..Filter::default()
    };
    assert_eq!(
        store.audit_list(&one, None, 10).await.unwrap().records[0].actor,
        "bob@x.com"
    );
    let recent = Filter {
        since: Some(start + TimeDelta::seconds(3)),
        until: Some(start + TimeDelta::seconds(4)),
        ..Filter::default()
    };
    assert_eq!(store.audit_list(&recent, None, 10).await.unwrap().total, 1);
    let denied = Filter {
        action: Some(Action::Denied),
        ..Filter::default()
    };
    assert_eq!(store.audit_list(&denied, None, 10).await.unwrap().total, 0);
}

/// What a caller sent may hold U+0000, which PostgreSQL's text cannot: it is kept as ␀ on
/// both stores, found by what was typed, and never fails a write or a look-up.
#[tokio::test]
async fn text_with_a_nul_character_is_kept_and_found_never_refused() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let typed = "a\0b@x.com";
    let refused = Entry {
        detail: Some(format!("{typed} is not an address")),
        ..entry(Action::Create, typed, Some(422))
    };
    let outcomes = store
        .create_many(
            &emails(&["c@x.com"]),
            now,
            Some((&who("owner"), std::slice::from_ref(&refused))),
        )
        .await
        .unwrap();
    assert!(
        outcomes[0].is_ok(),
        "the valid address is invited beside it"
    );
    let numbers = store
        .record(
            now,
            &who("owner"),
            &[entry(Action::Invalidate, typed, None)],
        )
        .await
        .unwrap();
    let completed = Entry {
        invitation_id: Some("inv_\0".into()),
        detail: Some("gone\0".into()),
        ..entry(Action::Invalidate, typed, Some(404))
    };
    store.complete(&[(numbers[0], completed)]).await.unwrap();

    let by_address = Filter {
        email_key: Some(org_invitations_core::email::comparison_key(typed)),
        ..Filter::default()
    };
    let page = store.audit_list(&by_address, None, 10).await.unwrap();
    assert_eq!(page.total, 2, "both records are found by what was typed");
    let [invalidated, created] = &page.records[..] else {
        panic!("two records: {:?}", page.records);
    };
    assert_eq!(created.email.as_deref(), Some("a\u{2400}b@x.com"));
    assert_eq!(
        created.detail.as_deref(),
        Some("a\u{2400}b@x.com is not an address")
    );
    assert_eq!(invalidated.invitation_id.as_deref(), Some("inv_\u{2400}"));
    assert_eq!(invalidated.detail.as_deref(), Some("gone\u{2400}"));
    let by_actor = Filter {
        actor: Some("own\0er".into()),
        ..Filter::default()
    };
    assert_eq!(
        store.audit_list(&by_actor, None, 10).await.unwrap().total,
        0
    );

    let key = ListFilter {
        email_key: Some(org_invitations_core::email::comparison_key(typed)),
        ..including_expired()
    };
    assert!(listed(&store, &key, now).await.is_empty());
    assert_eq!(store.get("inv_\0").await.unwrap(), None);
    assert_eq!(
        store
            .invalidate("inv_\0", now, Some(&who("owner")))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .resend("inv_\0", now, Some(&who("owner")))
            .await
            .unwrap(),
        None
    );
    assert_eq!(listed(&store, &including_expired(), now).await, ["c@x.com"]);
}

#[tokio::test]
async fn an_outcome_is_given_once() {
    let Fresh { store, _dir, .. } = fresh().await;
    let numbers = store
        .record(
            Utc::now(),
            &who("owner"),
            &[entry(Action::Invalidate, "a@x.com", None)],
        )
        .await
        .unwrap();
    let first = || async {
        store
            .audit_list(&Filter::default(), None, 1)
            .await
            .unwrap()
            .records
            .remove(0)
    };
    assert_eq!(first().await.status, None, "outcome unknown");
    store
        .complete(&[(numbers[0], entry(Action::Invalidate, "a@x.com", Some(200)))])
        .await
        .unwrap();
    assert_eq!(first().await.status, Some(200));
    store
        .complete(&[(numbers[0], entry(Action::Invalidate, "a@x.com", Some(500)))])
        .await
        .unwrap();
    assert_eq!(
        first().await.status,
        Some(200),
        "completing again changes nothing"
    );
}

#[tokio::test]
async fn retention_removes_only_older_records() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    for (at, email) in [(now - TimeDelta::days(40), "old@x.com"), (now, "new@x.com")] {
        store
            .record(
                at,
                &who("owner"),
                &[entry(Action::Create, email, Some(200))],
            )
            .await
            .unwrap();
    }
    assert_eq!(store.prune(now - TimeDelta::days(30)).await.unwrap(), 1);
    let left = store
        .audit_list(&Filter::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(left.records.len(), 1);
    assert_eq!(left.records[0].email.as_deref(), Some("new@x.com"));
}

#[tokio::test]
async fn a_session_lasts_its_lifetime_until_revoked() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let (one, two) = (
        store.create_session(now).await.unwrap(),
        store.create_session(now).await.unwrap(),
    );
    assert_ne!(one, two);
    assert!(store.session_is_valid(&one, now).await.unwrap());
    let last_second = now + SESSION_LIFETIME - TimeDelta::seconds(1);
    assert!(store.session_is_valid(&one, last_second).await.unwrap());
    assert!(
        !store
            .session_is_valid(&one, now + SESSION_LIFETIME)
            .await
            .unwrap()
    );
    assert!(!store.session_is_valid("ses_made_up", now).await.unwrap());
    store.revoke_session(&one).await.unwrap();
    assert!(!store.session_is_valid(&one, now).await.unwrap());
    assert!(store.session_is_valid(&two, now).await.unwrap());
}

#[tokio::test]
async fn a_token_is_found_by_itself_only_until_revoked() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let token = store
        .create_token("ci-bot", Role::Inviter, now)
        .await
        .unwrap();
    assert!(token.starts_with("sss_"));
    assert_eq!(store.list_tokens().await.unwrap()[0].last_used_at, None);
    assert_eq!(
        store.find_token(&token, now).await.unwrap(),
        Some(("ci-bot".to_owned(), Role::Inviter))
    );
    let listed = store.list_tokens().await.unwrap();
    assert_eq!(
        (listed[0].name.as_str(), listed[0].role),
        ("ci-bot", Role::Inviter)
    );
    assert!(listed[0].last_used_at.is_some(), "its use is noted");
    assert_eq!(
        store
            .find_token("sss_not_a_token_at_all", now)
            .await
            .unwrap(),
        None
    );
    assert!(store.revoke_token("ci-bot").await.unwrap());
    assert_eq!(store.find_token(&token, now).await.unwrap(), None);
    assert!(!store.revoke_token("ci-bot").await.unwrap());
}

#[tokio::test]
async fn token_names_are_unique_and_plain() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    store.create_token("a", Role::Viewer, now).await.unwrap();
    assert!(matches!(
        store.create_token("a", Role::Admin, now).await,
        Err(TokenStoreError::NameTaken(_))
    ));
    for bad in ["", "has space", "semi;colon", &"x".repeat(65)] {
        assert!(matches!(
            store.create_token(bad, Role::Viewer, now).await,
            Err(TokenStoreError::BadName(_))
        ));
    }
}
