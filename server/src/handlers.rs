//! Request handlers: they turn HTTP into calls on the store and back. Storage work runs on
//! blocking threads so SQLite's fsyncs never stall the async workers.

pub mod audit;
pub mod console;
pub mod gateway;
pub mod invitations;
pub mod me;
pub mod telemetry;
pub mod userinfo;

use crate::error::ApiError;

/// Runs blocking storage work off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await?
}
