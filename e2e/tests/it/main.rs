//! The end-to-end tests: one binary, a module per feature, each starting the real server
//! with the release console and driving headless Chromium through ChromeDriver.

mod console;
mod delete;
mod embed;
mod export;
mod faults;
mod gateway;
mod invite;
mod invitee;
mod layout;
mod loading;
mod locales;
mod mail;
mod resend;
mod security;
mod split;
mod team;
mod timeline;
mod webhooks;
