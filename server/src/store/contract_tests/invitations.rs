//! Invitations: listing, refusals, totals, reopening.

use super::*;

#[tokio::test]
async fn an_expired_invitation_is_listed_only_on_request_and_can_be_replaced() {
    let Fresh { store, _dir, .. } = fresh().await;
    let long_ago = Utc::now() - TimeDelta::days(8);
    store
        .create_many(&emails(&["old@x.com"]), long_ago, None, None)
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
        .create_many(&emails(&["OLD@x.com"]), now, None, None)
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
        .create_many(
            &emails(&["a@x.com", "b@x.com", "c@x.com"]),
            long_ago,
            None,
            None,
        )
        .await
        .unwrap();
    check("expired ones created").await;
    let created = store
        .create_many(
            &emails(&["a@x.com", "d@x.com", "d@x.com", "e@x.com"]),
            Utc::now(),
            None,
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
    let fresh = store
        .resend(&e, Utc::now(), None, false)
        .await
        .unwrap()
        .unwrap();
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
        .create_many(&emails(&["a@x.com"]), Utc::now(), None, None)
        .await
        .unwrap();
    let organization = store.organization_id().to_owned();
    drop(store);
    let again = open(&location).await.unwrap();
    assert_eq!(again.organization_id(), organization);
    assert_eq!(again.count_all().await.unwrap(), 1);
}
