//! Text the fix adds: a source's missing config (C001) and a minimal
//! descriptor (M001). Both are written the way eKuiper's own plugins spell
//! them, with fields in a fixed order so the output is reproducible.

use serde_json::Value;

use crate::inspect::Kind;

/// C001: `NAME.yaml` with a `default:` section holding every property of
/// the descriptor's `properties.default` that has a default value, as the
/// descriptor gives it (JSON scalars and flow collections are YAML too).
/// Without a descriptor the section is empty: the installer only needs
/// the file, and the plugin then runs on its built-in defaults.
pub fn config(descriptor: Option<&str>) -> String {
    let fields = descriptor
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|value| value.get("properties")?.get("default").cloned());
    let mut out = String::from("default:");
    let body = fields
        .as_ref()
        .map(|fields| mapping(fields, 1))
        .unwrap_or_default();
    if body.is_empty() {
        out.push_str(" {}\n");
    } else {
        out.push('\n');
        out.push_str(&body);
    }
    out
}

/// The lines of a YAML mapping from an array of descriptor fields.
fn mapping(fields: &Value, depth: usize) -> String {
    let indent = "  ".repeat(depth);
    let mut out = String::new();
    for field in fields.as_array().into_iter().flatten() {
        let (Some(name), Some(default)) = (
            field.get("name").and_then(Value::as_str),
            field.get("default"),
        ) else {
            continue;
        };
        let key = yaml_key(name);
        if is_nested(default) {
            let inner = mapping(default, depth + 1);
            if !inner.is_empty() {
                out.push_str(&format!("{indent}{key}:\n{inner}"));
            }
            continue;
        }
        out.push_str(&format!("{indent}{key}: {default}\n"));
    }
    out
}

/// A field whose default is itself an array of fields (a nested structure).
fn is_nested(default: &Value) -> bool {
    default.as_array().is_some_and(|items| {
        !items.is_empty() && items.iter().all(|item| item.get("name").is_some())
    })
}

/// A plain key when it needs no quoting, else a JSON (YAML double-quoted) string.
fn yaml_key(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !name.starts_with('-');
    if plain {
        name.to_string()
    } else {
        Value::from(name).to_string()
    }
}

/// M001: a descriptor with what eKuiper requires (`about`), the author and
/// descriptions left empty for the user, and what the package tells:
/// a source's properties from its config's `default` keys, a function
/// plugin's functions from the library's exports.
pub fn descriptor(kind: Kind, name: &str, config_keys: &[String], functions: &[String]) -> String {
    let quote = |text: &str| Value::from(text).to_string();
    let mut out = String::from(concat!(
        "{\n",
        "  \"about\": {\n",
        "    \"trial\": false,\n",
        "    \"installed\": false,\n",
        "    \"author\": {\"name\": \"\", \"email\": \"\", \"company\": \"\", \"website\": \"\"},\n",
        "    \"helpUrl\": {\"en_US\": \"\", \"zh_CN\": \"\"},\n",
        "    \"description\": {\"en_US\": \"\", \"zh_CN\": \"\"}\n",
        "  },\n",
        "  \"libs\": [],\n",
    ));
    match kind {
        Kind::Source => {
            let fields: Vec<String> = config_keys
                .iter()
                .map(|key| format!("      {{\"name\": {}, \"optional\": true}}", quote(key)))
                .collect();
            out.push_str(&format!(
                "  \"properties\": {{\n    \"default\": [{}]\n  }}\n",
                block(&fields, "    ")
            ));
        }
        Kind::Sink => out.push_str("  \"properties\": []\n"),
        Kind::Function => {
            let entries: Vec<String> = functions
                .iter()
                .map(|f| {
                    format!(
                        "    {{\"name\": {}, \"example\": {}}}",
                        quote(f),
                        quote(&format!("{f}()"))
                    )
                })
                .collect();
            out.push_str(&format!(
                "  \"name\": {},\n  \"functions\": [{}]\n",
                quote(name),
                block(&entries, "  ")
            ));
        }
    }
    out.push_str("}\n");
    out
}

/// JSON array items, one per line, or nothing for an empty array.
fn block(items: &[String], closing_indent: &str) -> String {
    if items.is_empty() {
        return String::new();
    }
    format!("\n{}\n{closing_indent}", items.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_from_descriptor_defaults() {
        let descriptor = r#"{"properties": {"default": [
            {"name": "interval", "default": 1000},
            {"name": "topic", "default": "a: b"},
            {"name": "hint"},
            {"name": "tls", "default": [{"name": "verify", "default": true}]},
            {"name": "tags", "default": ["x", 1]}
        ]}}"#;
        assert_eq!(
            config(Some(descriptor)),
            "default:\n  interval: 1000\n  topic: \"a: b\"\n  tls:\n    verify: true\n  tags: [\"x\",1]\n"
        );
        assert_eq!(config(None), "default: {}\n");
        assert_eq!(config(Some("not json")), "default: {}\n");
    }

    #[test]
    fn descriptors_parse_and_say_what_is_known() {
        for (kind, keys, functions) in [
            (Kind::Source, vec!["interval".to_string()], vec![]),
            (Kind::Source, vec![], vec![]),
            (Kind::Sink, vec![], vec![]),
            (
                Kind::Function,
                vec![],
                vec!["clamp".to_string(), "lerp".to_string()],
            ),
            (Kind::Function, vec![], vec![]),
        ] {
            let text = descriptor(kind, "x", &keys, &functions);
            let value: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert!(value["about"].is_object());
            if kind == Kind::Function {
                assert_eq!(
                    value["functions"].as_array().unwrap().len(),
                    functions.len()
                );
            }
        }
    }
}
