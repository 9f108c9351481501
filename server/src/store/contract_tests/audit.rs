//! The audit trail: records written with their changes, listing, stored text, outcomes,
//! retention.

use super::*;

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
            None,
        )
        .await
        .unwrap();
    let id = created[0].clone().unwrap();
    store
        .invalidate("orginv_missing", Utc::now(), Some(&alice))
        .await
        .unwrap();
    let fresh = store
        .resend(&id, Utc::now(), Some(&alice), false)
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
            None,
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
            .resend("inv_\0", now, Some(&who("owner")), false)
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
