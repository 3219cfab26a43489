//! The source config (`NAME.yaml`) with source spans.

use super::ParseError;

#[derive(Debug)]
pub struct Config {}

pub fn parse(_text: &str) -> Result<Config, ParseError> {
    Ok(Config {})
}
