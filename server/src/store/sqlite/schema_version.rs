//! Which schema a database file holds (SQLite's `user_version`), and the steps that bring an
//! older file up to this server's. Every connection checks it before touching the tables, in
//! one immediate transaction, so two servers starting at once upgrade a file once. A file from
//! a newer server is refused, not guessed at.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::audit;
use crate::store::StoreError;

/// 1: invitations, sessions, named tokens and the audit trail (files made before versions
/// were recorded say 0 and hold this); 2: the audit trail records resends.
pub const CURRENT: i64 = 2;

pub(super) fn upgrade(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > CURRENT {
        return Err(StoreError::NewerSchema {
            database: format!("file {}", path.display()),
            found,
            supported: CURRENT,
        });
    }
    if found == CURRENT {
        return Ok(());
    }
    if audit_without_resends(&tx)? {
        tx.execute_batch(audit::UPGRADE_TO_RESENDS)?;
        tx.execute_batch(audit::SCHEMA)?;
        tx.execute_batch(audit::MOVE_RECORDS_FOR_RESENDS)?;
    }
    tx.pragma_update(None, "user_version", CURRENT)?;
    tx.commit()?;
    Ok(())
}

/// Whether the file has an audit table from before resends (a new file has none yet).
fn audit_without_resends(conn: &Connection) -> Result<bool, StoreError> {
    let columns: i64 = conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info('audit')",
        [],
        |row| row.get(0),
    )?;
    let has_replaces: i64 = conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info('audit') WHERE name = 'replaces_id'",
        [],
        |row| row.get(0),
    )?;
    Ok(columns > 0 && has_replaces == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::audit::Filter;
    use crate::store::sqlite::Store;
    use crate::store::sqlite::audit::AuditLog;

    /// The audit table as schema 1 made it, with one record.
    const SCHEMA_1_AUDIT: &str = "
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, actor TEXT NOT NULL,
            method TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'invalidate', 'denied')),
            email TEXT, email_key TEXT, invitation_id TEXT, status INTEGER, detail TEXT,
            request_id TEXT NOT NULL, client TEXT);
        CREATE INDEX audit_by_email ON audit (email_key, seq);
        CREATE INDEX audit_by_actor ON audit (actor, seq);
        CREATE TRIGGER audit_is_append_only BEFORE UPDATE ON audit WHEN OLD.status IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        INSERT INTO audit (at_ms, actor, method, action, email, email_key, invitation_id,
                           status, detail, request_id, client)
            VALUES (1764300000000, 'alice@corp.example', 'proxy', 'create', 'a@x.com',
                    'a@x.com', 'orginv_old', 200, NULL, 'req_1', '127.0.0.1');
    ";

    #[test]
    fn a_file_from_before_resends_keeps_its_records_and_can_record_resends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        Connection::open(&path)
            .unwrap()
            .execute_batch(SCHEMA_1_AUDIT)
            .unwrap();

        let store = Store::open(&path).unwrap();
        let audit = AuditLog::open(&path).unwrap();
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, CURRENT);

        let created = store
            .create_many(&["a@x.com".to_owned()], chrono::Utc::now(), None)
            .unwrap();
        let id = created[0].clone().unwrap();
        let who = crate::store::audit::Who {
            actor: "bob@corp.example".into(),
            method: "proxy",
            request_id: "req_2".into(),
            client: None,
        };
        let fresh = store.resend(&id, chrono::Utc::now(), Some(&who)).unwrap();
        assert_eq!(fresh.expect("resent").email, "a@x.com");
        let page = audit.list(&Filter::default(), None, 10).unwrap();
        let actions: Vec<(&str, Option<&str>)> = page
            .records
            .iter()
            .map(|record| (record.action.as_str(), record.replaces.as_deref()))
            .collect();
        assert_eq!(
            actions,
            [("resend", Some(id.as_str())), ("create", None)],
            "the old record kept, the resend recorded"
        );
        assert_eq!(page.records[1].invitation_id.as_deref(), Some("orginv_old"));
        // Still append-only after the rebuild.
        let refused = Connection::open(&path).unwrap().execute(
            "UPDATE audit SET actor = 'mallory' WHERE invitation_id = 'orginv_old'",
            [],
        );
        assert!(refused.is_err());
    }

    #[test]
    fn a_file_from_a_newer_server_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("newer.sqlite3");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", CURRENT + 1)
            .unwrap();
        let err = Store::open(&path).err().expect("refused");
        let said = err.to_string();
        assert!(said.contains("newer"), "{said}");
        assert!(said.contains(&format!("schema {}", CURRENT + 1)), "{said}");
        let tables: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| row.get(0))
            .unwrap();
        assert_eq!(tables, 0, "nothing was created in it");
    }
}
