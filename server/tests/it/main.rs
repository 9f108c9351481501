//! The server's integration tests: one binary (one link), a module per topic, each against
//! the real server binary over HTTP unless its name says otherwise (`in_process`).

mod anyscale_cli;
mod api;
mod colleagues;
mod concurrency;
mod cors;
mod delivery;
mod edges;
mod gateway;
mod hostile;
mod identities;
mod in_process;
mod invitee;
mod lifecycle;
mod logs;
mod openapi;
mod operations;
mod paging;
mod scale_out;
mod shipping;
mod webhook_delivery;
mod webhooks;
