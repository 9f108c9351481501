//! Databases made by the released versions, at schema 1, 2 and 3, upgrade in place: every row
//! is found, sessions end or live as their schema says, and the store writes as a new one does.
//! Each is made as that release made it: its migrations' SQL (the files are the released
//! schemas, never edited), the number it kept, and rows of every table.

use chrono::{TimeDelta, Utc};

use super::*;

const TOKEN: &str = "sss_upgraded_token_0123456789abcdef";
const SESSION: &str = "ses_upgraded_session_0123456789abcdef";
const GENERATION: &str = "generation_of_the_owner_token";

/// The released schema `version` of this run's database, with one of every row, as SQL.
fn made_at(version: i64, postgres: bool) -> String {
    let folder = if postgres { "postgres" } else { "sqlite" };
    // The release at SQLite's schema 3 also made the kept count (now migration 4) at every
    // start, outside its numbered steps; the ones before did not.
    let through = if !postgres && version == 3 {
        4
    } else {
        version
    };
    let released = crate::store::migrations::released(folder, through);
    let mut sql = released.join("\n");
    if postgres {
        sql.push_str("CREATE TABLE schema_version (version BIGINT NOT NULL);\n");
        for step in 1..=version {
            sql.push_str(&format!("INSERT INTO schema_version VALUES ({step});\n"));
        }
    } else {
        sql.push_str(&format!("PRAGMA user_version = {version};\n"));
    }
    let now = Utc::now().timestamp_millis();
    let day = 86_400_000;
    sql.push_str(&format!(
        "INSERT INTO meta (key, value) VALUES ('organization_id', 'org_upgraded');
         INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms)
             VALUES ('orginv_pending', 'pending@example.com', 'pending@example.com', {created}, {later}),
                    ('orginv_expired', 'expired@example.com', 'expired@example.com', {long_ago}, {earlier});
         INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms, state, closed_at_ms)
             VALUES ('orginv_revoked', 'revoked@example.com', 'revoked@example.com', {created}, {later}, 'revoked', {created});
         INSERT INTO audit (at_ms, actor, method, action, email, email_key, invitation_id, status, detail, request_id, client)
             VALUES ({created}, 'alice@corp.example', 'proxy', 'create', 'pending@example.com', 'pending@example.com', 'orginv_pending', 200, NULL, 'req_1', '10.0.0.1'),
                    ({created}, 'alice@corp.example', 'proxy', 'invalidate', 'revoked@example.com', 'revoked@example.com', 'orginv_revoked', 200, NULL, 'req_2', NULL);
         INSERT INTO api_tokens (name, role, token_hash, created_at_ms)
             VALUES ('ci-bot', 'inviter', '{token_hash}', {created});
         INSERT INTO sessions (id_hash, created_at_ms, expires_at_ms)
             VALUES ('{session_hash}', {created}, {later});
        ",
        created = now - day,
        long_ago = now - 9 * day,
        later = now + 6 * day,
        earlier = now - day / 24,
        token_hash = sha256_hex(TOKEN),
        session_hash = sha256_hex(SESSION),
    ));
    if version >= 2 {
        sql.push_str(&format!(
            "INSERT INTO audit (at_ms, actor, method, action, email, email_key, invitation_id, replaces_id, status, request_id)
                 VALUES ({now}, 'token:ci-bot', 'named_token', 'resend', 'pending@example.com', 'pending@example.com', 'orginv_pending', 'orginv_first', 200, 'req_3');\n"
        ));
    }
    if version >= 3 {
        sql.push_str(&format!(
            "UPDATE sessions SET generation = '{GENERATION}';\n"
        ));
    }
    sql
}

#[tokio::test]
async fn a_database_from_each_released_schema_upgrades_with_every_row() {
    for version in 1..=3 {
        let dir = tempfile::tempdir().unwrap();
        let location = if postgres::servers_use_postgres() {
            let url = postgres::database_for(dir.path());
            postgres::sql(&url, &made_at(version, true));
            Location::Postgres {
                url,
                ca_file: std::env::var_os(postgres::CA_ENV).map(PathBuf::from),
            }
        } else {
            let path = dir.path().join("store.sqlite3");
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch(&made_at(version, false))
                .unwrap();
            Location::Sqlite(path)
        };
        let store = open(&location).await.unwrap();
        let now = Utc::now();
        assert_eq!(store.ready().await, Ok(()), "schema {version}: migrated");
        assert_eq!(store.organization_id(), "org_upgraded", "schema {version}");
        assert_eq!(
            listed(&store, &including_expired(), now).await,
            ["pending@example.com", "expired@example.com"],
            "schema {version}: the open invitations"
        );
        assert_eq!(
            store.count_all().await.unwrap(),
            3,
            "schema {version}: every invitation"
        );
        let revoked = store.get("orginv_revoked").await.unwrap();
        assert!(
            revoked.is_none(),
            "schema {version}: a revoked one stays revoked"
        );
        let trail = store
            .audit_list(&Filter::default(), None, 50)
            .await
            .unwrap();
        let actions: Vec<(&str, Option<&str>)> = trail
            .records
            .iter()
            .map(|record| (record.action.as_str(), record.invitation_id.as_deref()))
            .collect();
        let mut expected = vec![
            ("invalidate", Some("orginv_revoked")),
            ("create", Some("orginv_pending")),
        ];
        if version >= 2 {
            expected.insert(0, ("resend", Some("orginv_pending")));
            assert_eq!(trail.records[0].replaces.as_deref(), Some("orginv_first"));
        }
        assert_eq!(actions, expected, "schema {version}: every audit record");
        assert_eq!(
            trail.records.last().unwrap().client.as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(
            store.find_token(TOKEN, now).await.unwrap(),
            Some(("ci-bot".to_owned(), Role::Inviter)),
            "schema {version}: the named token"
        );
        assert_eq!(
            store
                .session_is_valid(SESSION, now, GENERATION)
                .await
                .unwrap(),
            version >= 3,
            "schema {version}: a session lives only if its token generation was recorded"
        );
        // Written as a new store is: a resend recorded with both ids, the count kept.
        let fresh = store
            .resend("orginv_pending", now, Some(&who("bob@corp.example")), false)
            .await
            .unwrap()
            .expect("resent");
        let newest = store.audit_list(&Filter::default(), None, 1).await.unwrap();
        assert_eq!(
            newest.records[0].replaces.as_deref(),
            Some("orginv_pending")
        );
        assert_eq!(
            newest.records[0].invitation_id.as_deref(),
            Some(fresh.id.as_str())
        );
        store
            .create_many(
                &emails(&["new@example.com"]),
                now + TimeDelta::seconds(1),
                None,
                None,
            )
            .await
            .unwrap();
        let page = store
            .list(&ListFilter::default(), 0, 50, now)
            .await
            .unwrap();
        assert_eq!(
            page.total, 2,
            "schema {version}: pending total kept by the count"
        );
        // The trail takes what it records of mail and answers.
        let mail = crate::store::outbox::Mail {
            locales: vec!["en".into()],
            inviter: None,
        };
        store
            .create_many(
                &emails(&["mailed@example.com"]),
                now + TimeDelta::seconds(2),
                Some((&who("bob@corp.example"), &[])),
                Some(&mail),
            )
            .await
            .unwrap();
        let newest = store.audit_list(&Filter::default(), None, 1).await.unwrap();
        assert_eq!(newest.records[0].action, "mail_queued", "schema {version}");
        drop(store);
        // Opening it again finds nothing to do and everything where it was.
        let again = open(&location).await.unwrap();
        assert_eq!(again.count_all().await.unwrap(), 6, "schema {version}");
    }
}
