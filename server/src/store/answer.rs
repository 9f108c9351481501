//! How a storage failure is answered: the cause goes to the log, the client gets a `503` that
//! says nothing was changed (changes and their records share one transaction).

use axum::http::StatusCode;

use crate::error::ApiError;
use crate::store::StoreError;

impl ApiError {
    /// The audit trail could not be written, so the change was not made.
    pub fn unrecorded(err: StoreError) -> Self {
        tracing::error!(error = %err, "the audit trail cannot be written");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The audit trail cannot be written just now, so nothing was changed; try again",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        // The cause goes to the log; the client gets no internals. Changes and their records
        // share one transaction, so a failure leaves nothing half done, and a retry is safe.
        tracing::error!(error = %err, "storage failure");
        if matches!(err, StoreError::Unavailable(_)) {
            return Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database cannot be reached just now; nothing was changed. Try again in a moment",
            );
        }
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The invitation store failed; nothing was changed. Try again",
        )
    }
}
