use std::time::Duration;

use super::*;
use crate::cpu_time::measure;

const SOURCE: &str = r#"{
  "about": {
    "trial": true,
    "author": {"name": "EMQ", "email": "contact@emqx.io", "company": "EMQ Technologies Co., Ltd", "website": "https://www.emqx.io"},
    "helpUrl": {"en_US": "https://ekuiper.org/docs/en/latest/guide/sources/plugin/random.html", "zh_CN": "https://ekuiper.org/docs/zh/latest/guide/sources/plugin/random.html"},
    "description": {"en_US": "The source will generate random inputs with a specified pattern.", "zh_CN": "随机源将生成具有指定样式的随机输入。"}
  },
  "libs": [],
  "properties": {
    "default": [
      {"name": "interval", "default": 1000, "optional": false, "control": "text", "type": "int",
       "hint": {"en_US": "The interval (ms) to issue a message", "zh_CN": "发出消息的间隔（毫秒）"},
       "label": {"en_US": "Interval", "zh_CN": "间隔时间"}},
      {"name": "pattern", "default": [
          {"name": "count", "default": 50, "optional": false, "control": "text", "type": "int"}
        ], "optional": false, "control": "list", "type": "list_object"}
    ]
  },
  "outputs": [{"label": {"en_US": "Output"}}],
  "node": {"category": "source", "icon": "iconPath", "label": {"en_US": "Random", "zh_CN": "Random"}}
}"#;

const SINK: &str = r#"{
  "about": {"trial": false, "author": {"name": "EMQ"}, "helpUrl": {"en_US": "https://ekuiper.org"}, "description": {"en_US": "File sink"}},
  "libs": [],
  "properties": [
    {"name": "path", "default": "", "optional": false, "control": "text", "type": "string", "connection_related": true,
     "values": ["a", "b"], "hint": {"en_US": "The file path"}, "label": {"en_US": "Path"}}
  ],
  "node": {"category": "sink", "icon": "iconPath", "label": {"en": "File", "zh": "文件"}}
}"#;

const FUNCTION: &str = r#"{
  "about": {"trial": false, "author": {"name": "EMQ"}, "helpUrl": {"en_US": "https://ekuiper.org"}, "description": {"en_US": "", "zh_CN": ""}},
  "name": "echo",
  "functions": [{
    "name": "echo", "example": "echo(col1)", "hint": {"en_US": "The parameter value is output as it is."},
    "args": [{"name": "field", "optional": false, "control": "field", "type": "string"}],
    "return": {"type": "string"}, "node": {"category": "function"}, "aggregate": false
  }, {"name": "echo2", "example": "echo2(col1)"}]
}"#;

fn wrong_types(descriptor: &Descriptor) -> Vec<(&str, Expected, JsonType, Reader)> {
    descriptor
        .problems
        .iter()
        .filter_map(|problem| match problem {
            Problem::WrongType {
                path,
                expected,
                found,
                reader,
                ..
            } => Some((path.as_str(), *expected, *found, *reader)),
            _ => None,
        })
        .collect()
}

fn at(text: &str, span: Span) -> &str {
    &text[span.offset..span.offset + span.len]
}

#[test]
fn real_source_descriptor_parses_without_problems() {
    let descriptor = parse(SOURCE).unwrap();
    assert_eq!(descriptor.problems, vec![]);
    let about = descriptor.about.as_ref().unwrap();
    assert!(about.value.trial.as_ref().unwrap().value);
    let author = about.value.author.as_ref().unwrap();
    assert_eq!(author.email.as_ref().unwrap().value, "contact@emqx.io");
    let Some(Properties::Sections { sections, .. }) = &descriptor.properties else {
        panic!("{:?}", descriptor.properties);
    };
    assert_eq!(sections[0].key.value, "default");
    let fields = sections[0].fields.as_ref().unwrap();
    let names: Vec<_> = fields
        .iter()
        .map(|f| f.name.as_ref().unwrap().value.as_str())
        .collect();
    assert_eq!(names, ["interval", "pattern"]);
    let nested = fields[1].nested.as_ref().unwrap();
    assert_eq!(nested[0].name.as_ref().unwrap().value, "count");
    assert_eq!(
        descriptor
            .node
            .as_ref()
            .unwrap()
            .value
            .category
            .as_ref()
            .unwrap()
            .value,
        "source"
    );
}

#[test]
fn real_sink_descriptor_parses_without_problems() {
    let descriptor = parse(SINK).unwrap();
    assert_eq!(descriptor.problems, vec![]);
    let Some(Properties::Fields { fields, .. }) = &descriptor.properties else {
        panic!("{:?}", descriptor.properties);
    };
    assert!(fields[0].connection_related.as_ref().unwrap().value);
    assert_eq!(fields[0].kind.as_ref().unwrap().value, "string");
}

#[test]
fn real_function_descriptor_gives_function_names_with_spans() {
    let descriptor = parse(FUNCTION).unwrap();
    assert_eq!(descriptor.problems, vec![]);
    assert_eq!(descriptor.name.as_ref().unwrap().value, "echo");
    let names = descriptor.function_names();
    let texts: Vec<_> = names
        .iter()
        .map(|(name, span)| (*name, at(FUNCTION, *span)))
        .collect();
    assert_eq!(texts, [("echo", "\"echo\""), ("echo2", "\"echo2\"")]);
    let line = FUNCTION
        .lines()
        .position(|l| l.contains("\"echo2\""))
        .unwrap()
        + 1;
    assert_eq!(names[1].1.line, line);
}

#[test]
fn each_wrong_type_is_recorded_with_its_reader() {
    let text = r#"{
  "about": {"trial": "yes", "installed": 1, "author": {"name": 7}, "helpUrl": "https://x", "description": {"en_US": false}},
  "libs": "lib.so",
  "properties": [{"name": 1, "optional": "no", "connection_related": null, "control": [], "type": {},
                  "hint": [], "default": [{"name": true}, "x"]}, 3],
  "node": [],
  "functions": [{"name": 5}, 6]
}"#;
    let descriptor = parse(text).unwrap();
    use Expected as E;
    use JsonType as J;
    use Reader as R;
    assert_eq!(
        wrong_types(&descriptor),
        [
            ("about.trial", E::Bool, J::String, R::GoDecoder),
            ("about.installed", E::Bool, J::Number, R::GoDecoder),
            ("about.author.name", E::String, J::Number, R::GoDecoder),
            ("about.helpUrl", E::LanguageMap, J::String, R::GoDecoder),
            ("about.description.en_US", E::String, J::Bool, R::GoDecoder),
            ("libs", E::Array, J::String, R::GoDecoder),
            ("properties[0].name", E::String, J::Number, R::GoDecoder),
            ("properties[0].optional", E::Bool, J::String, R::GoDecoder),
            ("properties[0].control", E::String, J::Array, R::GoDecoder),
            ("properties[0].type", E::String, J::Object, R::GoDecoder),
            ("properties[0].hint", E::LanguageMap, J::Array, R::GoDecoder),
            (
                "properties[0].default[0].name",
                E::String,
                J::Bool,
                R::NestedFields
            ),
            (
                "properties[0].default[1]",
                E::Object,
                J::String,
                R::NestedFields
            ),
            ("properties[1]", E::Object, J::Number, R::GoDecoder),
            ("node", E::Object, J::Array, R::UiOnly),
            ("functions[0].name", E::String, J::Number, R::UiOnly),
            ("functions[1]", E::Object, J::Number, R::UiOnly),
        ]
    );
}

#[test]
fn source_section_that_is_not_an_array_is_a_wrong_type() {
    let text = r#"{"about": {}, "properties": {"default": [], "node": {"category": "source"}}}"#;
    let descriptor = parse(text).unwrap();
    assert_eq!(
        wrong_types(&descriptor),
        [(
            "properties.node",
            Expected::Fields,
            JsonType::Object,
            Reader::GoDecoder
        )]
    );
}

#[test]
fn wrong_type_span_points_at_the_value() {
    let text = "{\n  \"about\": {\n    \"trial\": \"yes\"\n  }\n}";
    let descriptor = parse(text).unwrap();
    let Some(Problem::WrongType { span, .. }) = descriptor.problems.first() else {
        panic!("{:?}", descriptor.problems);
    };
    assert_eq!((span.line, span.column), (3, 14));
    assert_eq!(at(text, *span), "\"yes\"");
}

#[test]
fn null_is_no_value_not_a_wrong_type() {
    let text = r#"{"about": null, "libs": null, "properties": null, "node": null}"#;
    let descriptor = parse(text).unwrap();
    assert_eq!(descriptor.problems, vec![]);
    assert!(descriptor.about.is_none());
    assert!(descriptor.properties.is_none());
}

#[test]
fn keys_match_case_insensitively_like_go() {
    let text = "{\"ABOUT\": {\"Trial\": true, \"author\": {\"NAME\": \"x\"}}, \"Libs\": [], \"\u{212A}ind\": 1, \"librar\u{17F}\": 2}";
    let descriptor = parse(text).unwrap();
    let about = descriptor.about.as_ref().unwrap();
    assert!(about.value.trial.as_ref().unwrap().value);
    assert_eq!(
        about
            .value
            .author
            .as_ref()
            .unwrap()
            .name
            .as_ref()
            .unwrap()
            .value,
        "x"
    );
    let unknown: Vec<_> = descriptor
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::UnknownKey { key, .. } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(unknown, ["\u{212A}ind", "librar\u{17F}"]);
    assert!(go_equal_fold("\u{212A}ind", "kind"));
    assert!(!go_equal_fold("librar\u{17F}", "libraries"));
    assert!(go_equal_fold("li\u{17F}t", "list"));
    assert!(!go_equal_fold("abou", "about"));
    assert!(!go_equal_fold("aboutx", "about"));
}

#[test]
fn unknown_and_duplicate_keys_point_at_the_key() {
    let text = "{\"about\": {\"trail\": true},\n \"about\": {}, \"propertys\": []}";
    let descriptor = parse(text).unwrap();
    let spans: Vec<_> = descriptor
        .problems
        .iter()
        .map(|p| match p {
            Problem::UnknownKey { span, .. } | Problem::DuplicateKey { span, .. } => {
                (at(text, *span), span.line)
            }
            Problem::WrongType { .. } => panic!("{p:?}"),
        })
        .collect();
    assert_eq!(
        spans,
        [("\"about\"", 2), ("\"trail\"", 1), ("\"propertys\"", 2)]
    );
}

#[test]
fn root_that_is_not_an_object_is_recorded() {
    let descriptor = parse("[1, 2]").unwrap();
    assert_eq!(descriptor.root.value, JsonType::Array);
    assert_eq!(wrong_types(&descriptor).len(), 1);
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let text = "{\n  \"about\": {\n    \"trial\" true\n  }\n}";
    let error = parse(text).unwrap_err();
    let span = error.span.unwrap();
    assert_eq!((span.line, span.column), (3, 13), "{error:?}");
    assert!(error.message.contains("expected `:`"), "{}", error.message);
    assert!(!error.message.contains("line"), "{}", error.message);
}

#[test]
fn jsonc_extensions_are_rejected_like_go() {
    for text in [
        "{\"about\": {},}",
        "{// c\n}",
        "{about: {}}",
        "{'about': {}}",
        "",
        "{} {}",
        "\u{feff}{}",
    ] {
        assert!(parse(text).is_err(), "{text:?}");
    }
}

#[test]
fn error_span_after_multibyte_text_counts_characters() {
    let text = "{\"é\": 1 2}";
    let span = parse(text).unwrap_err().span.unwrap();
    assert_eq!(&text[span.offset..span.offset + 1], "2");
    assert_eq!(span.column, 9);
}

#[test]
fn deep_nesting_fails_fast_without_overflowing() {
    let (error, cpu) = measure(|| {
        assert!(parse(&"[".repeat(100_000)).is_err());
        let balanced = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let error = parse(&balanced).unwrap_err();
        let objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        assert!(parse(&objects).is_err());
        error
    });
    assert!(cpu < Duration::from_secs(2), "{cpu:?}");
    assert!(
        error.message.contains("nested more than 512"),
        "{}",
        error.message
    );
    assert_eq!(error.span.unwrap().column, 513);
    let fine = format!("{{\"about\": {}{}}}", "[".repeat(500), "]".repeat(500));
    assert!(parse(&fine).is_ok());
    let in_string = format!(
        "{{\"about\": \"{}\\\"{}\"}}",
        "[".repeat(1000),
        "{".repeat(1000)
    );
    assert!(parse(&in_string).is_ok());
}

#[test]
fn huge_strings_parse_in_bounded_time() {
    let big = "x".repeat(10 << 20);
    let text =
        format!("{{\"about\": {{\"description\": {{\"en_US\": \"{big}\"}}}}, \"bogus\": 1}}");
    let (descriptor, cpu) = measure(|| parse(&text).unwrap());
    assert!(cpu < Duration::from_secs(5), "{cpu:?}");
    let about = descriptor.about.unwrap().value;
    assert_eq!(
        about.description.unwrap().en_us.unwrap().value.len(),
        10 << 20
    );
    let Some(Problem::UnknownKey { span, .. }) = descriptor.problems.first() else {
        panic!();
    };
    assert_eq!(span.column, text.find("\"bogus\"").unwrap() + 1);
}

#[test]
fn many_values_on_one_line_stay_linear() {
    let entries: Vec<String> = (0..200_000)
        .map(|i| format!("{{\"name\":\"f{i}\"}}"))
        .collect();
    let text = format!("{{\"about\":{{}},\"functions\":[{}]}}", entries.join(","));
    let (descriptor, cpu) = measure(|| parse(&text).unwrap());
    assert!(cpu < Duration::from_secs(5), "{cpu:?}");
    assert_eq!(descriptor.function_names().len(), 200_000);
}

#[test]
fn problems_are_capped_and_the_rest_counted() {
    let ints = vec!["1"; MAX_PROBLEMS + 500].join(",");
    let text = format!(r#"{{"about": {{}}, "libs": [{ints}]}}"#);
    let descriptor = parse(&text).unwrap();
    assert_eq!(descriptor.problems.len(), MAX_PROBLEMS);
    assert_eq!(descriptor.omitted_problems, 500);
}
