//! Mapping keys as yaml.v3's merge bookkeeping sees them.
//!
//! A merge (`<<`) skips a merged entry whose key the target map already
//! has. yaml.v3 tracks the keys in a Go map of decoded values, so whether two
//! keys collide depends on how each decodes: into `string` inside a
//! `map[string]interface{}` (the top level, or a mapping whose keys all
//! resolve to strings) or into `interface{}` otherwise, where `1` (an int) and
//! `"1"` (a string) differ.

use saphyr_parser::{ScalarStyle, Tag};

/// The resolution class of a scalar used as a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Str,
    Null,
    Bool(bool),
    /// A plain `<<`: the merge key, which decodes to the string `<<`.
    Merge,
    /// Numbers, timestamps and scalars with other tags: compared by spelling,
    /// which can tell apart two spellings Go would decode to one value
    /// (`0x10`, `16`); such keys in one merge are vanishingly rare.
    Other,
}

/// A scalar key: its text and how it resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct KeyName {
    text: Box<str>,
    class: Class,
}

/// What a key is in yaml.v3's merged-key set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum KeyId<'k> {
    Str(&'k str),
    Null,
    Bool(bool),
    Other(&'k str),
}

/// The Go type keys decode into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyType {
    /// `map[string]interface{}`: a null key fails to decode and its entry is
    /// skipped.
    String,
    /// `map[interface{}]interface{}`: keys keep their resolved type.
    Any,
}

impl KeyName {
    pub(super) fn new(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> KeyName {
        KeyName {
            text: text.into(),
            class: classify(text, style, tag),
        }
    }

    /// yaml.v3's merge key: a plain `<<` with no tag other than `!!merge`.
    pub(super) fn is_merge(&self) -> bool {
        self.class == Class::Merge
    }

    /// Whether the key keeps a map a `map[string]interface{}` (its short tag
    /// is `!!str` or `!!merge`).
    pub(super) fn is_string(&self) -> bool {
        matches!(self.class, Class::Str | Class::Merge)
    }

    /// The key decoded into `key_type`; `None` when it does not decode, which
    /// makes yaml.v3 skip the entry.
    pub(super) fn id(&self, key_type: KeyType) -> Option<KeyId<'_>> {
        match (key_type, self.class) {
            (KeyType::String, Class::Null) => None,
            (KeyType::String, _) | (KeyType::Any, Class::Str | Class::Merge) => {
                Some(KeyId::Str(&self.text))
            }
            (KeyType::Any, Class::Null) => Some(KeyId::Null),
            (KeyType::Any, Class::Bool(value)) => Some(KeyId::Bool(value)),
            (KeyType::Any, Class::Other) => Some(KeyId::Other(&self.text)),
        }
    }
}

fn classify(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Class {
    if let Some(tag) = tag {
        return match (tag.is_yaml_core_schema(), tag.suffix.as_str()) {
            (true, "str") => Class::Str,
            (true, "merge") if text == "<<" => Class::Merge,
            _ => Class::Other,
        };
    }
    if style != ScalarStyle::Plain {
        return Class::Str;
    }
    match text {
        "<<" => Class::Merge,
        "" | "~" | "null" | "Null" | "NULL" => Class::Null,
        "true" | "True" | "TRUE" => Class::Bool(true),
        "false" | "False" | "FALSE" => Class::Bool(false),
        _ if resolves_to_non_string(text) => Class::Other,
        _ => Class::Str,
    }
}

/// yaml.v3's resolver turns a plain scalar into a number or timestamp only
/// when it starts with a digit, a sign or a dot; those that do and parse as
/// one are not strings.
fn resolves_to_non_string(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return false;
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    let unsigned = plain.trim_start_matches(['+', '-']);
    let radix_digits = |prefix: &str, radix: u32| {
        unsigned
            .strip_prefix(prefix)
            .is_some_and(|digits| !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)))
    };
    matches!(
        text,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
    ) || matches!(text, "-.inf" | "-.Inf" | "-.INF")
        || (!unsigned.is_empty() && unsigned.chars().all(|c| c.is_ascii_digit()))
        || radix_digits("0x", 16)
        || radix_digits("0X", 16)
        || radix_digits("0o", 8)
        || radix_digits("0b", 2)
        || is_yaml_float(&plain)
        || looks_like_timestamp(text)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(text: &str) -> bool {
    let text = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && fraction.chars().all(|c| c.is_ascii_digit()),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// `2001-12-14`, `2001-12-14t21:59:43.10-05:00` and the like: a date first.
fn looks_like_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    let date = bytes.get(..10).is_some_and(|date| {
        date.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
    });
    date && bytes
        .get(10)
        .is_none_or(|b| matches!(b, b'T' | b't' | b' ' | b'\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> KeyName {
        KeyName::new(text, ScalarStyle::Plain, None)
    }

    #[test]
    fn plain_scalars_resolve_like_yaml_v3() {
        for text in [
            "1", "-2", "0x1F", "0o17", "0b101", "1_000", "1.5", ".5", "1e3", ".inf",
        ] {
            assert_eq!(plain(text).class, Class::Other, "{text}");
        }
        for text in ["interval", "1a", "0x", "-", ".", "1.2.3", "yes", "on"] {
            assert_eq!(plain(text).class, Class::Str, "{text}");
        }
        assert_eq!(plain("2001-12-14").class, Class::Other);
        assert_eq!(plain("~").class, Class::Null);
        assert_eq!(plain("True").class, Class::Bool(true));
        assert!(plain("<<").is_merge());
        assert!(!KeyName::new("<<", ScalarStyle::DoubleQuoted, None).is_merge());
    }

    #[test]
    fn key_types_decide_collisions() {
        let int = plain("1");
        let quoted = KeyName::new("1", ScalarStyle::SingleQuoted, None);
        assert_ne!(int.id(KeyType::Any), quoted.id(KeyType::Any));
        assert_eq!(int.id(KeyType::String), quoted.id(KeyType::String));
        assert_eq!(plain("null").id(KeyType::String), None);
        assert_eq!(plain("null").id(KeyType::Any), Some(KeyId::Null));
        assert_eq!(plain("<<").id(KeyType::Any), Some(KeyId::Str("<<")));
    }
}
