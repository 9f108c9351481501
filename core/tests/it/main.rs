//! The core crate's integration tests: one binary (one link), a module per topic.

mod fuzz;
mod locales;
mod strings_doc;
