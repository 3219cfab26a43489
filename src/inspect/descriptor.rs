//! The plugin descriptor (`NAME.json`): a typed view of what eKuiper's Go
//! structures read, every value with its source span, plus the places where
//! Go's decoder would disagree with the text (wrong types, ignored keys).
//!
//! Two parsers, each for one job: serde_json gives the accept/reject verdict
//! (strict RFC 8259 like Go's `encoding/json`, bounded recursion, line and
//! column), and only text it accepted goes to jsonc-parser (strict options)
//! for a tree with byte ranges on every value and key.

use std::collections::HashSet;
use std::fmt;

use jsonc_parser::ast::{Array, Object, ObjectProp, ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

use super::ParseError;

pub mod position;
use self::position::{Positions, at_line_byte_column};
use crate::diagnostic::Span;

/// A value and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// The JSON type of a value, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl JsonType {
    fn of(value: &Value) -> JsonType {
        match value {
            Value::NullKeyword(_) => JsonType::Null,
            Value::BooleanLit(_) => JsonType::Bool,
            Value::NumberLit(_) => JsonType::Number,
            Value::StringLit(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    /// The type with its article, as Go's messages put it ("an object").
    pub fn described(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Bool => "a boolean",
            JsonType::Number => "a number",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        }
    }
}

/// What a position in the descriptor must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Bool,
    String,
    Object,
    Array,
    /// A language map `{"en_US": …, "zh_CN": …}`.
    LanguageMap,
    /// An array of field objects.
    Fields,
    /// An object or an array: `properties` differs by kind.
    Properties,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Bool => "a boolean (true or false)",
            Expected::String => "a string",
            Expected::Object => "an object",
            Expected::Array => "an array",
            Expected::LanguageMap => "a language map {\"en_US\": …, \"zh_CN\": …}",
            Expected::Fields => "an array of field objects",
            Expected::Properties => "an object (source) or an array (sink) of fields",
        })
    }
}

/// Who reads a value, which decides what a wrong type costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Go's `encoding/json` into eKuiper's typed structs (sources, sinks).
    GoDecoder,
    /// `mapstructure` on a field's nested `default` array: any error makes
    /// eKuiper drop the whole descriptor, for sources too.
    NestedFields,
    /// Stored as `interface{}` or served verbatim (`node`, function
    /// entries): only the UI reads it.
    UiOnly,
}

/// A place where Go's decoder would not take the text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    WrongType {
        /// Where, as a path such as `about.author.name` or `properties[2].optional`.
        path: String,
        expected: Expected,
        found: JsonType,
        reader: Reader,
        span: Span,
    },
    /// A key no eKuiper structure has: Go ignores it silently.
    UnknownKey {
        path: String,
        key: String,
        span: Span,
    },
    /// The same key twice in one object: Go keeps the last one.
    DuplicateKey {
        path: String,
        key: String,
        span: Span,
    },
}

/// `about`: shown in the UI's plugin list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct About {
    pub trial: Option<Spanned<bool>>,
    pub installed: Option<Spanned<bool>>,
    pub author: Option<Author>,
    pub help_url: Option<LanguageMap>,
    pub description: Option<LanguageMap>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    pub name: Option<Spanned<String>>,
    pub email: Option<Spanned<String>>,
    pub company: Option<Spanned<String>>,
    pub website: Option<Spanned<String>>,
}

/// A text in the two languages eKuiper's structs keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanguageMap {
    pub en_us: Option<Spanned<String>>,
    pub zh_cn: Option<Spanned<String>>,
}

/// One property of the UI form (and of the config, for sources).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    /// Set when `default` is an array of fields (a nested structure).
    pub nested: Option<Vec<Field>>,
    pub control: Option<Spanned<String>>,
    pub connection_related: Option<Spanned<bool>>,
    pub optional: Option<Spanned<bool>>,
    pub kind: Option<Spanned<String>>,
    pub hint: Option<LanguageMap>,
    pub label: Option<LanguageMap>,
}

/// One `properties` key of a source: a config key and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertySection {
    pub key: Spanned<String>,
    /// `None` when the value is not an array (a [`Problem`] says so).
    pub fields: Option<Vec<Field>>,
}

/// `properties`, whose shape depends on the kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Properties {
    /// An object from config key to fields: the source form.
    Sections {
        span: Span,
        sections: Vec<PropertySection>,
    },
    /// An array of fields: the sink form.
    Fields { span: Span, fields: Vec<Field> },
    /// Neither (string, number, boolean).
    Other { span: Span, found: JsonType },
}

impl Properties {
    pub fn span(&self) -> Span {
        match self {
            Properties::Sections { span, .. }
            | Properties::Fields { span, .. }
            | Properties::Other { span, .. } => *span,
        }
    }

    /// The section for a config key, matched exactly as a Go map key is.
    pub fn section(&self, key: &str) -> Option<&PropertySection> {
        match self {
            Properties::Sections { sections, .. } => {
                sections.iter().rev().find(|s| s.key.value == key)
            }
            _ => None,
        }
    }
}

/// `node`: the UI's palette entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeInfo {
    pub category: Option<Spanned<String>>,
    pub icon: Option<Spanned<String>>,
}

/// One entry of a function plugin's `functions` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub example: Option<Spanned<String>>,
    pub hint: Option<LanguageMap>,
}

/// The descriptor as eKuiper would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// The top-level value's type and span (eKuiper needs an object).
    pub root: Spanned<JsonType>,
    /// `None` when absent or `null`: eKuiper then drops the descriptor.
    pub about: Option<Spanned<About>>,
    pub libs: Option<Vec<Spanned<String>>>,
    pub properties: Option<Properties>,
    pub data_source: Option<Span>,
    pub node: Option<Spanned<NodeInfo>>,
    pub name: Option<Spanned<String>>,
    /// `None` when absent or not an array.
    pub functions: Option<Spanned<Vec<Function>>>,
    /// Each object's duplicate keys first, then its values' problems; at
    /// most [`MAX_PROBLEMS`].
    pub problems: Vec<Problem>,
    /// Problems found past [`MAX_PROBLEMS`], counted but not kept.
    pub omitted_problems: usize,
}

/// Most problems kept: a descriptor of one wrong value repeated (`"libs":
/// [1,1,…]`) would otherwise cost a problem, and then a diagnostic, per
/// few bytes of input.
pub const MAX_PROBLEMS: usize = 1000;

impl Descriptor {
    /// The names of the `functions` entries, for the export check.
    pub fn function_names(&self) -> Vec<(&str, Span)> {
        self.functions
            .iter()
            .flat_map(|functions| &functions.value)
            .filter_map(|function| function.name.as_ref())
            .map(|name| (name.value.as_str(), name.span))
            .collect()
    }
}

/// Parses a descriptor. Fails only when the text is not JSON; type and
/// shape problems are recorded in [`Descriptor::problems`].
pub fn parse(text: &str) -> Result<Descriptor, ParseError> {
    verdict(text)?;
    nesting(text)?;
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let tree = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(
        |error| ParseError {
            message: error.kind().to_string(),
            span: Some(Positions::new(text).bytes(error.range().start, error.range().end)),
        },
    )?;
    let value = tree.value.ok_or_else(|| ParseError {
        message: "the file holds no JSON value".into(),
        span: None,
    })?;
    Ok(Decoder::new(text).descriptor(&value))
}

/// serde_json's verdict, with its position turned into a span.
fn verdict(text: &str) -> Result<(), ParseError> {
    if text.starts_with('\u{feff}') {
        return Err(ParseError {
            message: "the file starts with a byte order mark, which Go's JSON decoder rejects"
                .into(),
            span: Some(Span::from_offset(text, 0, 3)),
        });
    }
    let error = match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => return Ok(()),
        Err(error) => error,
    };
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = error.to_string();
    let message = message.strip_suffix(&position).unwrap_or(&message);
    let message = if message.starts_with("recursion limit exceeded") {
        "values are nested more than 128 levels deep".to_string()
    } else {
        message.to_string()
    };
    Err(ParseError {
        message,
        span: Some(at_line_byte_column(text, error.line(), error.column())),
    })
}

/// The tree builder recurses, and serde_json's verdict skips values
/// without a depth bound: refuse deep nesting before building. Go accepts
/// up to 10000 levels; no real descriptor comes near [`MAX_DEPTH`].
fn nesting(text: &str) -> Result<(), ParseError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, byte) in text.bytes().enumerate() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_DEPTH {
            return Err(ParseError {
                message: format!(
                    "values are nested more than {MAX_DEPTH} levels deep, deeper than the linter reads (Go's decoder accepts up to 10000)"
                ),
                span: Some(Span::from_offset(text, offset, 1)),
            });
        }
    }
    Ok(())
}

/// Deepest nesting the tree builder is given.
const MAX_DEPTH: usize = 512;

/// Builds the typed view in one pre-order walk, so positions only move
/// forward.
struct Decoder<'t> {
    positions: Positions<'t>,
    problems: Vec<Problem>,
    omitted_problems: usize,
}

/// A key of an object, matched the way Go matches struct fields.
struct Prop<'a, 'v> {
    key: &'a str,
    key_span: Span,
    value: &'a Value<'v>,
}

impl<'t> Decoder<'t> {
    fn new(text: &'t str) -> Decoder<'t> {
        Decoder {
            positions: Positions::new(text),
            problems: Vec::new(),
            omitted_problems: 0,
        }
    }

    fn problem(&mut self, problem: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.omitted_problems += 1;
        }
    }

    fn span(&mut self, value: &impl Ranged) -> Span {
        let range = value.range();
        self.positions.bytes(range.start, range.end)
    }

    fn descriptor(mut self, root: &Value) -> Descriptor {
        let root_span = self.span(root);
        let mut descriptor = Descriptor {
            root: Spanned {
                value: JsonType::of(root),
                span: root_span,
            },
            about: None,
            libs: None,
            properties: None,
            data_source: None,
            node: None,
            name: None,
            functions: None,
            problems: Vec::new(),
            omitted_problems: 0,
        };
        let Value::Object(object) = root else {
            self.wrong(
                "(top level)",
                Expected::Object,
                root,
                root_span,
                Reader::GoDecoder,
            );
            descriptor.problems = self.problems;
            descriptor.omitted_problems = self.omitted_problems;
            return descriptor;
        };
        for prop in self.props(object, "") {
            let span = self.span(prop.value);
            match known(prop.key, TOP_LEVEL) {
                Some("about") => descriptor.about = self.about(&prop, span),
                Some("libs") => descriptor.libs = self.strings(&prop, span),
                Some("properties") => descriptor.properties = self.properties(&prop, span),
                Some("dataSource") => descriptor.data_source = Some(span),
                Some("node") => descriptor.node = self.node(&prop, span),
                Some("name") => descriptor.name = self.string(&prop, "name", span, Reader::UiOnly),
                Some("functions") => descriptor.functions = self.functions(&prop, span),
                Some(_) => {}
                None => self.unknown("", &prop),
            }
        }
        descriptor.problems = self.problems;
        descriptor.omitted_problems = self.omitted_problems;
        descriptor
    }

    /// The object's properties in order, recording duplicates.
    fn props<'a, 'v>(&mut self, object: &'a Object<'v>, path: &str) -> Vec<Prop<'a, 'v>> {
        let mut seen = HashSet::new();
        let mut props = Vec::with_capacity(object.properties.len());
        for ObjectProp { name, value, .. } in &object.properties {
            let key: &str = match name {
                ObjectPropName::String(lit) => &lit.value,
                ObjectPropName::Word(word) => word.value,
            };
            let key_span = self.span(name);
            if !seen.insert(key) {
                self.problem(Problem::DuplicateKey {
                    path: path.to_string(),
                    key: key.to_string(),
                    span: key_span,
                });
            }
            props.push(Prop {
                key,
                key_span,
                value,
            });
        }
        props
    }

    fn about(&mut self, prop: &Prop, span: Span) -> Option<Spanned<About>> {
        let object = self.object(
            prop.value,
            "about",
            Expected::Object,
            span,
            Reader::GoDecoder,
        )?;
        let mut about = About::default();
        for prop in self.props(object, "about") {
            let span = self.span(prop.value);
            let reader = Reader::GoDecoder;
            match known(prop.key, ABOUT) {
                Some("trial") => about.trial = self.bool(&prop, "about.trial", span, reader),
                Some("installed") => {
                    about.installed = self.bool(&prop, "about.installed", span, reader)
                }
                Some("author") => about.author = self.author(&prop, span),
                Some("helpUrl") => {
                    about.help_url = self.language(&prop, "about.helpUrl", span, reader)
                }
                Some("description") => {
                    about.description = self.language(&prop, "about.description", span, reader)
                }
                _ => self.unknown("about", &prop),
            }
        }
        Some(Spanned { value: about, span })
    }

    fn author(&mut self, prop: &Prop, span: Span) -> Option<Author> {
        let path = "about.author";
        let object = self.object(prop.value, path, Expected::Object, span, Reader::GoDecoder)?;
        let mut author = Author::default();
        for prop in self.props(object, path) {
            let span = self.span(prop.value);
            let slot = match known(prop.key, AUTHOR) {
                Some("name") => &mut author.name,
                Some("email") => &mut author.email,
                Some("company") => &mut author.company,
                Some("website") => &mut author.website,
                _ => {
                    self.unknown(path, &prop);
                    continue;
                }
            };
            let child = format!("{path}.{}", prop.key);
            *slot = self.string(&prop, &child, span, Reader::GoDecoder);
        }
        Some(author)
    }

    fn language(
        &mut self,
        prop: &Prop,
        path: &str,
        span: Span,
        reader: Reader,
    ) -> Option<LanguageMap> {
        let object = self.object(prop.value, path, Expected::LanguageMap, span, reader)?;
        let mut map = LanguageMap::default();
        for prop in self.props(object, path) {
            let span = self.span(prop.value);
            let slot = match known(prop.key, LANGUAGES) {
                Some("en_US") => &mut map.en_us,
                Some("zh_CN") => &mut map.zh_cn,
                _ => {
                    self.unknown(path, &prop);
                    continue;
                }
            };
            let child = format!("{path}.{}", prop.key);
            *slot = self.string(&prop, &child, span, reader);
        }
        Some(map)
    }

    fn properties(&mut self, prop: &Prop, span: Span) -> Option<Properties> {
        match prop.value {
            Value::NullKeyword(_) => None,
            Value::Array(array) => Some(Properties::Fields {
                span,
                fields: self.fields(array, "properties", Reader::GoDecoder),
            }),
            Value::Object(object) => {
                let mut sections = Vec::new();
                for prop in self.props(object, "properties") {
                    let span = self.span(prop.value);
                    let path = format!("properties.{}", prop.key);
                    let fields = match prop.value {
                        Value::Array(array) => Some(self.fields(array, &path, Reader::GoDecoder)),
                        Value::NullKeyword(_) => Some(Vec::new()),
                        other => {
                            self.wrong(&path, Expected::Fields, other, span, Reader::GoDecoder);
                            None
                        }
                    };
                    let key = Spanned {
                        value: prop.key.to_string(),
                        span: prop.key_span,
                    };
                    sections.push(PropertySection { key, fields });
                }
                Some(Properties::Sections { span, sections })
            }
            other => Some(Properties::Other {
                span,
                found: JsonType::of(other),
            }),
        }
    }

    fn fields(&mut self, array: &Array, path: &str, reader: Reader) -> Vec<Field> {
        let mut fields = Vec::with_capacity(array.elements.len());
        for (index, element) in array.elements.iter().enumerate() {
            let span = self.span(element);
            let path = format!("{path}[{index}]");
            match element {
                Value::Object(object) => fields.push(self.field(object, &path, span, reader)),
                // Go skips a null element of []*fileField; mapstructure too.
                Value::NullKeyword(_) => {}
                other => self.wrong(&path, Expected::Object, other, span, reader),
            }
        }
        fields
    }

    fn field(&mut self, object: &Object, path: &str, span: Span, reader: Reader) -> Field {
        let mut field = Field {
            span,
            name: None,
            nested: None,
            control: None,
            connection_related: None,
            optional: None,
            kind: None,
            hint: None,
            label: None,
        };
        for prop in self.props(object, path) {
            let span = self.span(prop.value);
            let child = format!("{path}.{}", prop.key);
            match known(prop.key, FIELD) {
                Some("name") => field.name = self.string(&prop, &child, span, reader),
                Some("control") => field.control = self.string(&prop, &child, span, reader),
                Some("type") => field.kind = self.string(&prop, &child, span, reader),
                Some("optional") => field.optional = self.bool(&prop, &child, span, reader),
                Some("connection_related") => {
                    field.connection_related = self.bool(&prop, &child, span, reader)
                }
                Some("hint") => field.hint = self.language(&prop, &child, span, reader),
                Some("label") => field.label = self.language(&prop, &child, span, reader),
                Some("default") => {
                    if let Value::Array(array) = prop.value {
                        field.nested = Some(self.fields(array, &child, Reader::NestedFields));
                    }
                }
                Some(_) => {}
                None => self.unknown(path, &prop),
            }
        }
        field
    }

    fn node(&mut self, prop: &Prop, span: Span) -> Option<Spanned<NodeInfo>> {
        let object = self.object(prop.value, "node", Expected::Object, span, Reader::UiOnly)?;
        let mut node = NodeInfo::default();
        for prop in self.props(object, "node") {
            let span = self.span(prop.value);
            match prop.key {
                "category" => {
                    node.category = self.string(&prop, "node.category", span, Reader::UiOnly)
                }
                "icon" => node.icon = self.string(&prop, "node.icon", span, Reader::UiOnly),
                _ => {}
            }
        }
        Some(Spanned { value: node, span })
    }

    fn functions(&mut self, prop: &Prop, span: Span) -> Option<Spanned<Vec<Function>>> {
        let reader = Reader::UiOnly;
        let array = match prop.value {
            Value::Array(array) => array,
            other => {
                self.wrong("functions", Expected::Array, other, span, reader);
                return None;
            }
        };
        let mut functions = Vec::with_capacity(array.elements.len());
        for (index, element) in array.elements.iter().enumerate() {
            let span = self.span(element);
            let path = format!("functions[{index}]");
            let Value::Object(object) = element else {
                self.wrong(&path, Expected::Object, element, span, reader);
                continue;
            };
            let mut function = Function {
                span,
                name: None,
                example: None,
                hint: None,
            };
            for prop in self.props(object, &path) {
                let span = self.span(prop.value);
                let child = format!("{path}.{}", prop.key);
                match known(prop.key, FUNCTION) {
                    Some("name") => function.name = self.string(&prop, &child, span, reader),
                    Some("example") => function.example = self.string(&prop, &child, span, reader),
                    Some("hint") => function.hint = self.language(&prop, &child, span, reader),
                    Some(_) => {}
                    None => self.unknown(&path, &prop),
                }
            }
            functions.push(function);
        }
        Some(Spanned {
            value: functions,
            span,
        })
    }

    fn strings(&mut self, prop: &Prop, span: Span) -> Option<Vec<Spanned<String>>> {
        let array = match prop.value {
            Value::Array(array) => array,
            Value::NullKeyword(_) => return None,
            other => {
                self.wrong("libs", Expected::Array, other, span, Reader::GoDecoder);
                return None;
            }
        };
        let mut strings = Vec::with_capacity(array.elements.len());
        for (index, element) in array.elements.iter().enumerate() {
            let span = self.span(element);
            match element {
                Value::StringLit(lit) => strings.push(Spanned {
                    value: lit.value.to_string(),
                    span,
                }),
                Value::NullKeyword(_) => {}
                other => {
                    let path = format!("libs[{index}]");
                    self.wrong(&path, Expected::String, other, span, Reader::GoDecoder);
                }
            }
        }
        Some(strings)
    }

    /// The object inside `value`; `null` is no value, anything else wrong.
    fn object<'a, 'v>(
        &mut self,
        value: &'a Value<'v>,
        path: &str,
        expected: Expected,
        span: Span,
        reader: Reader,
    ) -> Option<&'a Object<'v>> {
        match value {
            Value::Object(object) => Some(object),
            Value::NullKeyword(_) => None,
            other => {
                self.wrong(path, expected, other, span, reader);
                None
            }
        }
    }

    fn string(
        &mut self,
        prop: &Prop,
        path: &str,
        span: Span,
        reader: Reader,
    ) -> Option<Spanned<String>> {
        match prop.value {
            Value::StringLit(lit) => Some(Spanned {
                value: lit.value.to_string(),
                span,
            }),
            Value::NullKeyword(_) => None,
            other => {
                self.wrong(path, Expected::String, other, span, reader);
                None
            }
        }
    }

    fn bool(
        &mut self,
        prop: &Prop,
        path: &str,
        span: Span,
        reader: Reader,
    ) -> Option<Spanned<bool>> {
        match prop.value {
            Value::BooleanLit(lit) => Some(Spanned {
                value: lit.value,
                span,
            }),
            Value::NullKeyword(_) => None,
            other => {
                self.wrong(path, Expected::Bool, other, span, reader);
                None
            }
        }
    }

    fn wrong(&mut self, path: &str, expected: Expected, found: &Value, span: Span, reader: Reader) {
        self.problem(Problem::WrongType {
            path: path.to_string(),
            expected,
            found: JsonType::of(found),
            reader,
            span,
        });
    }

    fn unknown(&mut self, path: &str, prop: &Prop) {
        self.problem(Problem::UnknownKey {
            path: path.to_string(),
            key: prop.key.to_string(),
            span: prop.key_span,
        });
    }
}

/// Keys eKuiper's structs (or its UI, for `name`, `functions`, `outputs`)
/// read at each level.
const TOP_LEVEL: &[&str] = &[
    "about",
    "libs",
    "properties",
    "dataSource",
    "node",
    "name",
    "functions",
    "outputs",
];
const ABOUT: &[&str] = &["trial", "installed", "author", "helpUrl", "description"];
const AUTHOR: &[&str] = &["name", "email", "company", "website"];
const LANGUAGES: &[&str] = &["en_US", "zh_CN"];
const FIELD: &[&str] = &[
    "name",
    "default",
    "control",
    "connection_related",
    "optional",
    "type",
    "hint",
    "label",
    "values",
];
const FUNCTION: &[&str] = &[
    "name",
    "example",
    "hint",
    "args",
    "return",
    "node",
    "aggregate",
];

/// The known name `key` selects. Go's `encoding/json` prefers an exact
/// match, else compares as `bytes.EqualFold` (Unicode simple folding).
fn known(key: &str, names: &[&'static str]) -> Option<&'static str> {
    names
        .iter()
        .find(|name| **name == key)
        .or_else(|| names.iter().find(|name| go_equal_fold(key, name)))
        .copied()
}

/// `bytes.EqualFold` against an ASCII name: besides ASCII case, only the
/// Kelvin sign folds to `k` and the long s to `s`.
fn go_equal_fold(key: &str, ascii_name: &str) -> bool {
    let mut key = key.chars();
    for expected in ascii_name.chars() {
        let Some(ch) = key.next() else {
            return false;
        };
        let folded = match ch {
            '\u{212A}' => 'k',
            '\u{17F}' => 's',
            other => other.to_ascii_lowercase(),
        };
        if folded != expected.to_ascii_lowercase() {
            return false;
        }
    }
    key.next().is_none()
}

#[cfg(test)]
mod tests;
