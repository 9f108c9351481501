//! Whether the store is ready to serve, for `/readyz`: it answers a query within a short
//! while, and holds the schema this server's migrations make.

use super::{Store, StoreError};
use crate::limits::READY_WITHIN;

impl Store {
    /// `Ok` when the store answers and its schema is the one this server knows; else why not,
    /// in words with nothing secret in them.
    pub async fn ready(&self) -> Result<(), String> {
        let found = tokio::time::timeout(READY_WITHIN, self.backend.schema_version())
            .await
            .map_err(|_| {
                format!(
                    "the store did not answer within {} s",
                    READY_WITHIN.as_secs()
                )
            })?
            .map_err(|err| match err {
                StoreError::Unavailable(_) => "the database cannot be reached".to_owned(),
                _ => "the store failed a query".to_owned(),
            })?;
        let known = self.backend.known_schema_version();
        if found == known {
            Ok(())
        } else {
            Err(format!(
                "the store holds schema {found}; this server needs {known} (its migrations \
                 are not applied)"
            ))
        }
    }
}
