//! Sessions and named tokens.

use super::*;

/// The generation of the owner token the sessions below are made for.
const GENERATION: &str = "generation-1";

#[tokio::test]
async fn a_session_lasts_its_lifetime_until_revoked() {
    let Fresh { store, _dir, .. } = fresh().await;
    let now = Utc::now();
    let (one, two) = (
        store.create_session(now, GENERATION).await.unwrap(),
        store.create_session(now, GENERATION).await.unwrap(),
    );
    assert_ne!(one, two);
    assert!(store.session_is_valid(&one, now, GENERATION).await.unwrap());
    let last_second = now + SESSION_LIFETIME - TimeDelta::seconds(1);
    assert!(
        store
            .session_is_valid(&one, last_second, GENERATION)
            .await
            .unwrap()
    );
    assert!(
        !store
            .session_is_valid(&one, now + SESSION_LIFETIME, GENERATION)
            .await
            .unwrap()
    );
    assert!(
        !store
            .session_is_valid("ses_made_up", now, GENERATION)
            .await
            .unwrap()
    );
    store.revoke_session(&one).await.unwrap();
    assert!(!store.session_is_valid(&one, now, GENERATION).await.unwrap());
    assert!(store.session_is_valid(&two, now, GENERATION).await.unwrap());
    assert!(
        !store.session_is_valid(&two, now, "another").await.unwrap(),
        "a session belongs to the token generation that made it"
    );
    let three = store.create_session(now, "another").await.unwrap();
    assert_eq!(store.revoke_all_sessions().await.unwrap(), 2);
    assert!(!store.session_is_valid(&two, now, GENERATION).await.unwrap());
    assert!(
        !store
            .session_is_valid(&three, now, "another")
            .await
            .unwrap()
    );
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

/// Sessions and named tokens are kept only as hashes: a database that leaks gives no way in.
#[tokio::test]
async fn secrets_are_stored_only_hashed() {
    let Fresh {
        store,
        location,
        _dir,
    } = fresh().await;
    let now = Utc::now();
    let session = store.create_session(now, GENERATION).await.unwrap();
    let token = store
        .create_token("reporting", Role::Viewer, now)
        .await
        .unwrap();
    let backend = &store.backend;
    assert!(
        !backend
            .session_exists(&session, GENERATION, now)
            .await
            .unwrap()
    );
    assert!(
        backend
            .session_exists(&sha256_hex(&session), GENERATION, now)
            .await
            .unwrap()
    );
    assert!(backend.token_by_hash(&token).await.unwrap().is_none());
    let stored = backend.token_by_hash(&sha256_hex(&token)).await.unwrap();
    assert_eq!(
        stored.map(|stored| stored.name).as_deref(),
        Some("reporting")
    );
    if let Location::Sqlite(path) = &location {
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        for file in [path.clone(), PathBuf::from(wal)] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            for secret in [&session, &token] {
                let plain = &secret.as_bytes()[4..];
                assert!(
                    !bytes.windows(plain.len()).any(|window| window == plain),
                    "{} holds a secret itself",
                    file.display()
                );
            }
        }
    }
}
