use std::time::Duration;

use super::*;
use crate::cpu_time::measure;

const RANDOM: &str = "default:\n  interval: 1000\n  seed: 1\n  pattern:\n    count: 50\n  deduplicate: 0\n\next:\n  interval: 100\n\ndedup:\n  interval: 100\n  deduplicate: 50";

fn property_names(section: &Section) -> Vec<&str> {
    match &section.body {
        Body::Properties(names) => names.iter().map(|n| n.value.as_str()).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn real_source_config_lists_keys_and_properties() {
    let config = parse(RANDOM).unwrap();
    let keys: Vec<_> = config
        .sections
        .iter()
        .map(|s| s.key.value.as_str())
        .collect();
    assert_eq!(keys, ["default", "ext", "dedup"]);
    assert_eq!(
        property_names(&config.sections[0]),
        ["interval", "seed", "pattern", "deduplicate"]
    );
    let ext = &config.sections[1].key.span;
    assert_eq!((ext.line, ext.column, ext.len), (8, 1, 3));
    let Body::Properties(names) = &config.sections[2].body else {
        panic!();
    };
    let span = names[1].span;
    assert_eq!((span.line, span.column), (13, 3));
    assert_eq!(&RANDOM[span.offset..span.offset + span.len], "deduplicate");
}

#[test]
fn spans_count_characters_after_multibyte_text() {
    let text = "default:\n  é: \"ü\"\n  next: 1\n";
    let config = parse(text).unwrap();
    let Body::Properties(names) = &config.sections[0].body else {
        panic!();
    };
    assert_eq!(&text[names[1].span.offset..][..4], "next");
    assert_eq!((names[1].span.line, names[1].span.column), (3, 3));
}

#[test]
fn section_bodies_of_other_shapes() {
    let config = parse("default: &d\n  a: 1\nfast: *d\nslow:\nlist: [1, 2]\nflat: 3\n").unwrap();
    let bodies: Vec<_> = config.sections.iter().map(|s| &s.body).collect();
    assert!(matches!(bodies[1], Body::Alias(_)));
    assert_eq!(bodies[2], &Body::Empty);
    assert!(matches!(
        bodies[3],
        Body::Other {
            found: YamlType::Sequence,
            ..
        }
    ));
    assert!(matches!(
        bodies[4],
        Body::Other {
            found: YamlType::Scalar,
            ..
        }
    ));
}

#[test]
fn merge_keys_are_not_properties() {
    let config = parse("default: &d\n  a: 1\nfast:\n  <<: *d\n  b: 2\n").unwrap();
    assert_eq!(property_names(&config.sections[1]), ["b"]);
}

#[test]
fn empty_and_null_documents_have_no_sections() {
    for text in ["", "# only a comment\n", "~\n", "---\n"] {
        assert_eq!(parse(text).unwrap(), Config::default(), "{text:?}");
    }
}

#[test]
fn only_the_first_document_counts() {
    let config = parse("default:\n  a: 1\n---\n- not: read\n").unwrap();
    assert_eq!(config.sections.len(), 1);
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let error = parse("default:\n  a: 1\n b: 2\n").unwrap_err();
    let span = error.span.unwrap();
    assert_eq!(span.line, 3, "{error:?}");
    let error = parse("default: [1, 2\n").unwrap_err();
    assert!(error.span.is_some(), "{error:?}");
}

#[test]
fn top_level_must_be_a_mapping() {
    for text in ["- a\n- b\n", "just text\n", "&x 3\n"] {
        let error = parse(text).unwrap_err();
        assert!(error.message.contains("top level"), "{text:?}: {error:?}");
    }
}

#[test]
fn duplicate_keys_fail_like_yaml_v3() {
    let error = parse("default:\n  a: 1\n  a: 2\n").unwrap_err();
    assert!(
        error.message.contains("`a` already defined at line 2"),
        "{error:?}"
    );
    assert_eq!(error.span.unwrap().line, 3);
    let error = parse("default: {}\ndefault: {}\n").unwrap_err();
    assert_eq!(error.span.unwrap().line, 2);
    assert!(parse("a:\n  x: 1\nb:\n  x: 1\n").is_ok());
}

#[test]
fn alias_bomb_is_refused_fast() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for level in 1..40 {
        let prev = level - 1;
        let refs = vec![format!("*l{prev}"); 9].join(",");
        let name = if level == 1 {
            "a".to_string()
        } else {
            format!("l{prev}")
        };
        let refs = refs.replace(&format!("*l{prev}"), &format!("*{name}"));
        text.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
    }
    text.push_str("default:\n  x: *l39\n");
    let (error, cpu) = measure(|| parse(&text).unwrap_err());
    assert!(cpu < Duration::from_millis(500), "{cpu:?}");
    assert!(
        error
            .message
            .starts_with("document contains excessive aliasing"),
        "{error:?}"
    );
}

#[test]
fn deep_nesting_is_refused_in_bounded_time() {
    let text = format!("default: {}", "[".repeat(100_000));
    let (error, cpu) = measure(|| parse(&text).unwrap_err());
    assert!(cpu < Duration::from_secs(5), "{cpu:?}");
    assert!(error.span.is_some(), "{error:?}");
    let block: String = (0..20_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    assert!(parse(&block).is_err());
}

/// Four times the default config limit; the time it takes through the
/// binary is bounded in tests/hostile.rs, not here under a loaded test run.
#[test]
fn huge_scalars_parse() {
    let text = format!("default:\n  big: \"{}\"\n  after: 1\n", "x".repeat(1 << 20));
    let config = parse(&text).unwrap();
    assert_eq!(property_names(&config.sections[0]), ["big", "after"]);
}
