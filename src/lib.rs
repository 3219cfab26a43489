//! ekplugin-lint: checks eKuiper native plugin packages before upload.
//!
//! Data flows one way: [`read`] → [`inspect`] → [`check`] → [`report`].

pub mod args;
pub mod baseline;
pub mod check;
pub mod cli;
#[cfg(test)]
mod cpu_time;
pub mod diagnostic;
pub mod fix;
pub mod host;
pub mod inputs;
pub mod inspect;
pub mod interfaces;
pub mod lint;
pub mod profile;
pub mod read;
pub mod repair;
pub mod report;
pub mod rules;
pub mod settings;
pub mod span;
pub mod target;
