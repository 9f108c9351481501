//! The storage contract: the same tests of [`super::Store`] over every [`super::Backend`]. They run on
//! SQLite, and on PostgreSQL in the pass of `cargo xtask test` that puts every server there
//! (`ORG_INVITATIONS_TEST_STORE=postgres`). What only one database has (SQLite's file, its
//! upgrades, group commit; PostgreSQL's migrations and TLS) is tested beside its code.

use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, Utc};
use testkit::postgres;

mod audit;
mod invitations;
mod outbox;
mod secrets;
mod upgrades;
mod webhooks;

use super::audit::{Action, Entry, Filter, Who};
use super::tokens::TokenStoreError;
use super::{CreateRefusal, ListFilter, Location, Store, open, sha256_hex};
use crate::limits::SESSION_LIFETIME;
use org_invitations_core::role::Role;

/// A store of its own, on the database this test run is about.
struct Fresh {
    store: Store,
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
async fn listed(store: &Store, filter: &ListFilter, now: DateTime<Utc>) -> Vec<String> {
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
