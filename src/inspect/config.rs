//! The source config (`NAME.yaml`): its config keys (`default`, `fast`, …)
//! and the property names under each, with spans.
//!
//! Read from saphyr-parser's event stream rather than a loaded tree: aliases
//! stay references and are never expanded, so an alias bomb costs one pass,
//! and nesting lives in a heap stack with the depth bound Go's decoder has.
//! The same pass replays the alias limit of eKuiper's decoder (`aliasing`),
//! so a document it refuses is refused here too.

mod aliasing;
mod keys;

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use self::aliasing::{Cause, Decoding, Refusal, Site, allowed_alias_ratio};
use super::ParseError;
use super::descriptor::Spanned;
use super::descriptor::position::Positions;
use crate::diagnostic::Span;

/// Deeper nesting is refused by `gopkg.in/yaml.v3`, which eKuiper uses
/// ("exceeded max depth of 10000").
const MAX_DEPTH: usize = 10_000;

/// The YAML merge key, which imports another mapping rather than naming a
/// property.
const MERGE_KEY: &str = "<<";

/// A parsed config: the top-level mapping's keys in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub sections: Vec<Section>,
}

impl Config {
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|section| section.key.value == key)
    }
}

/// One config key and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub key: Spanned<String>,
    pub body: Body,
}

/// The value of a config key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A mapping: its property names (merge keys left out).
    Properties(Vec<Spanned<String>>),
    /// `key:` with nothing, `~` or `null`.
    Empty,
    /// `*anchor`: another node's value, not expanded.
    Alias(Span),
    /// A scalar or a sequence where a mapping belongs.
    Other { found: YamlType, span: Span },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlType {
    Scalar,
    Sequence,
}

impl YamlType {
    pub fn described(self) -> &'static str {
        match self {
            YamlType::Scalar => "a scalar",
            YamlType::Sequence => "a sequence",
        }
    }
}

/// Parses the config. Fails where Go's `yaml.Unmarshal` into a map would:
/// syntax errors, a top level that is not a mapping, duplicate keys, nesting
/// beyond its depth limit, excessive aliasing.
pub fn parse(text: &str) -> Result<Config, ParseError> {
    let mut reader = Reader::new(text);
    let mut decoding = Decoding::new(text.len());
    let mut refusal = None;
    for event in Parser::new_from_str(text) {
        // yaml.v3 parses the whole document before decoding it, so a syntax
        // error anywhere wins over a refusal to decode.
        let (event, span) = event.map_err(|error| reader.scan_error(&error))?;
        if refusal.is_none() {
            let site = Site {
                start: span.start.index(),
                end: span.end.index(),
            };
            refusal = decoding.event(&event, site).err();
        }
        match reader.event(event, span.start, span.end) {
            Ok(Flow::More) => {}
            Ok(Flow::Done) => break,
            Err(error) => return Err(refusal.map_or(error, |r| reader.refusal(r))),
        }
    }
    match refusal {
        Some(refusal) => Err(reader.refusal(refusal)),
        None => Ok(reader.config),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Flow {
    More,
    Done,
}

/// Where a mapping sits, which says what its keys mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The top level: keys are config keys.
    Top,
    /// A config key's mapping: keys are property names.
    Section,
    Nested,
}

#[derive(Debug)]
enum Frame {
    Mapping {
        role: Role,
        expect_key: bool,
        /// Scalar keys seen, with their line, for yaml.v3's duplicate check.
        keys: HashMap<String, usize>,
    },
    Sequence,
}

struct Reader<'t> {
    text: &'t str,
    positions: Positions<'t>,
    stack: Vec<Frame>,
    started: bool,
    config: Config,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str) -> Reader<'t> {
        Reader {
            text,
            positions: Positions::new(text),
            stack: Vec::new(),
            started: false,
            config: Config::default(),
        }
    }

    fn event(&mut self, event: Event, start: Marker, end: Marker) -> Result<Flow, ParseError> {
        match event {
            Event::DocumentEnd | Event::StreamEnd => return Ok(Flow::Done),
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::Scalar(value, style, _, _) => {
                let node = Node::Scalar {
                    value: &value,
                    null: style == ScalarStyle::Plain && is_null(&value),
                };
                self.node(node, start, end)?;
            }
            Event::Alias(_) => self.node(Node::Alias, start, end)?,
            Event::MappingStart(..) => self.node(Node::Mapping, start, end)?,
            Event::SequenceStart(..) => self.node(Node::Sequence, start, end)?,
        }
        Ok(Flow::More)
    }

    /// A node: a key or value of the enclosing mapping, an element of the
    /// enclosing sequence, or the root.
    fn node(&mut self, node: Node, start: Marker, end: Marker) -> Result<(), ParseError> {
        let position = match self.stack.last_mut() {
            None => Position::Root,
            Some(Frame::Sequence) => Position::Element,
            Some(Frame::Mapping {
                role, expect_key, ..
            }) => {
                let position = if *expect_key {
                    Position::Key(*role)
                } else {
                    Position::Value(*role)
                };
                *expect_key = !*expect_key;
                position
            }
        };
        match position {
            Position::Root => self.root(&node, start)?,
            Position::Key(role) => self.key(&node, role, start, end)?,
            Position::Value(Role::Top) => self.section_body(&node, start),
            Position::Value(_) | Position::Element => {}
        }
        let role = match position {
            Position::Root => Role::Top,
            Position::Value(Role::Top) => Role::Section,
            _ => Role::Nested,
        };
        self.open(&node, role, start)
    }

    fn root(&mut self, node: &Node, start: Marker) -> Result<(), ParseError> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        match node {
            Node::Mapping | Node::Scalar { null: true, .. } => Ok(()),
            _ => Err(ParseError {
                message: format!(
                    "the top level is {}; eKuiper reads a mapping of config keys",
                    node.described()
                ),
                span: Some(self.positions.chars(start.index(), 1)),
            }),
        }
    }

    fn key(
        &mut self,
        node: &Node,
        role: Role,
        start: Marker,
        end: Marker,
    ) -> Result<(), ParseError> {
        let Node::Scalar { value, .. } = node else {
            return Ok(());
        };
        if *value == MERGE_KEY {
            return Ok(());
        }
        let span = self.scalar_span(start, end);
        self.check_duplicate(value, span)?;
        let key = Spanned {
            value: value.to_string(),
            span,
        };
        match role {
            Role::Top => self.config.sections.push(Section {
                key,
                body: Body::Empty,
            }),
            Role::Section => {
                if let Some(Section {
                    body: Body::Properties(names),
                    ..
                }) = self.config.sections.last_mut()
                {
                    names.push(key);
                }
            }
            Role::Nested => {}
        }
        Ok(())
    }

    fn check_duplicate(&mut self, key: &str, span: Span) -> Result<(), ParseError> {
        let Some(Frame::Mapping { keys, .. }) = self.stack.last_mut() else {
            return Ok(());
        };
        match keys.get(key) {
            Some(line) => Err(ParseError {
                message: format!("mapping key `{key}` already defined at line {line}"),
                span: Some(span),
            }),
            None => {
                keys.insert(key.to_string(), span.line);
                Ok(())
            }
        }
    }

    fn section_body(&mut self, node: &Node, start: Marker) {
        let span = self.positions.chars(start.index(), 1);
        let body = match node {
            Node::Mapping => Body::Properties(Vec::new()),
            Node::Scalar { null: true, .. } => Body::Empty,
            Node::Alias => Body::Alias(span),
            Node::Scalar { .. } => Body::Other {
                found: YamlType::Scalar,
                span,
            },
            Node::Sequence => Body::Other {
                found: YamlType::Sequence,
                span,
            },
        };
        if let Some(section) = self.config.sections.last_mut() {
            section.body = body;
        }
    }

    fn open(&mut self, node: &Node, role: Role, start: Marker) -> Result<(), ParseError> {
        let frame = match node {
            Node::Mapping => Frame::Mapping {
                role,
                expect_key: true,
                keys: HashMap::new(),
            },
            Node::Sequence => Frame::Sequence,
            Node::Scalar { .. } | Node::Alias => return Ok(()),
        };
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError {
                message: format!(
                    "nested more than {MAX_DEPTH} levels deep; Go's YAML decoder refuses it"
                ),
                span: Some(self.positions.chars(start.index(), 1)),
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    /// A scalar's span; its length counts only the scalar's own characters.
    fn scalar_span(&mut self, start: Marker, end: Marker) -> Span {
        self.chars_span(start.index(), end.index())
    }

    /// The span of characters `start..end`.
    fn chars_span(&mut self, start: usize, end: usize) -> Span {
        let mut span = self.positions.chars(start, 0);
        let chars = end.saturating_sub(start);
        let rest = self.text.get(span.offset..).unwrap_or("");
        span.len = rest
            .char_indices()
            .nth(chars)
            .map_or(rest.len(), |(offset, _)| offset);
        span
    }

    fn refusal(&mut self, refusal: Refusal) -> ParseError {
        let span = self.chars_span(
            refusal.site.start,
            refusal.site.end.max(refusal.site.start.saturating_add(1)),
        );
        let token = self
            .text
            .get(span.offset..span.offset.saturating_add(span.len))
            .unwrap_or("");
        ParseError {
            message: refusal_message(refusal.cause, token),
            span: Some(span),
        }
    }

    fn scan_error(&mut self, error: &ScanError) -> ParseError {
        ParseError {
            message: error.info().to_string(),
            span: Some(self.positions.chars(error.marker().index(), 1)),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Position {
    Root,
    Key(Role),
    Value(Role),
    Element,
}

enum Node<'v> {
    Scalar { value: &'v str, null: bool },
    Alias,
    Mapping,
    Sequence,
}

impl Node<'_> {
    fn described(&self) -> &'static str {
        match self {
            Node::Scalar { .. } => "a scalar",
            Node::Alias => "an alias",
            Node::Mapping => "a mapping",
            Node::Sequence => "a sequence",
        }
    }
}

/// The cause in yaml.v3's words, with what it saw.
fn refusal_message(cause: Cause, token: &str) -> String {
    const EXCESSIVE: &str = "document contains excessive aliasing";
    match cause {
        Cause::Excessive {
            expansion,
            decoded,
            aliased,
        } => {
            let share = aliased as f64 / decoded as f64 * 100.0;
            let allowed = allowed_alias_ratio(decoded) * 100.0;
            let through = if expansion == 0 {
                String::new()
            } else {
                format!("`{token}` expands to {} nodes; ", count(expansion))
            };
            format!(
                "{EXCESSIVE}: {through}{} of the {} nodes gopkg.in/yaml.v3 has decoded by then come from aliases ({share:.4}%), more than the {allowed:.4}% it accepts",
                count(aliased),
                count(decoded)
            )
        }
        Cause::ContainsItself => format!(
            "anchor '{}' value contains itself",
            token.trim_start_matches('*')
        ),
        Cause::MergeNotMapping => {
            "map merge requires map or sequence of maps as the value".to_string()
        }
        Cause::CollectionKey => "invalid map key: a mapping or sequence used as a key".to_string(),
        Cause::MergeWork => format!(
            "{EXCESSIVE}: merge keys (`<<`) pull in more entries than gopkg.in/yaml.v3 accepts"
        ),
    }
}

/// A count, which saturates past any limit.
fn count(nodes: u64) -> String {
    if nodes == u64::MAX {
        format!("more than {}", u64::MAX - 1)
    } else {
        nodes.to_string()
    }
}

/// The plain scalars YAML reads as null.
fn is_null(value: &str) -> bool {
    matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

#[cfg(test)]
mod tests;
