//! Borderline documents, each pair one node apart around yaml.v3's limit.
//! The verdicts in the comments were observed by decoding each text with
//! gopkg.in/yaml.v3 v3.0.1 into a `map[string]interface{}`, as eKuiper does.

use std::time::Duration;

use crate::cpu_time::measure;
use crate::inspect::config::parse;

const HEAD: &str = "default:\n  interval: 1\n";

fn seq(item: &str, n: usize) -> String {
    format!("[{}]", vec![item; n].join(", "))
}

fn mapping(keys: std::ops::Range<usize>) -> String {
    let entries: Vec<String> = keys.map(|j| format!("a{j}: {j}")).collect();
    format!("{{{}}}", entries.join(", "))
}

fn uses(n: usize, each: impl Fn(usize) -> String) -> String {
    (0..n).map(each).collect()
}

fn refused(text: &str) -> Option<String> {
    parse(text).err().map(|error| error.message)
}

/// `accepted` is accepted and `accepted + 1` refused, as by yaml.v3.
fn assert_flips_after(accepted: usize, make: impl Fn(usize) -> String) {
    let below = make(accepted);
    assert_eq!(refused(&below), None);
    let above = make(accepted + 1);
    let message = refused(&above).expect("refused");
    assert!(
        message.starts_with("document contains excessive aliasing"),
        "{message}"
    );
}

fn flat(n: usize) -> String {
    format!("{HEAD}b: &b {}\ntop: {}\n", seq("x", 200), seq("*b", n))
}

#[test]
fn aliases_of_one_anchor() {
    // Go: 203 OK, 204 "document contains excessive aliasing".
    assert_flips_after(203, flat);
}

#[test]
fn nested_aliases() {
    // Go: 139 OK, 140 refused.
    assert_flips_after(139, |n| {
        format!(
            "{HEAD}l0: &l0 {}\nl1: &l1 {}\ntop: {}\n",
            seq("x", 10),
            seq("*l0", 10),
            seq("*l1", n)
        )
    });
}

#[test]
fn merged_anchor_with_an_override() {
    // Go: 677 OK, 678 refused; the overridden `a0` is merged key only.
    assert_flips_after(677, |n| {
        format!("{HEAD}b: &b {}\n", mapping(0..300))
            + &uses(n, |i| format!("u{i}: {{<<: *b, a0: x}}\n"))
    });
}

#[test]
fn merged_sequence_of_overlapping_anchors() {
    // Go: 755 OK, 756 refused.
    assert_flips_after(755, |n| {
        format!(
            "{HEAD}b: &b {}\nc: &c {}\n",
            mapping(0..150),
            mapping(100..250)
        ) + &uses(n, |i| format!("u{i}: {{<<: [*b, *c], a0: 1}}\n"))
    });
}

#[test]
fn inline_merge_skips_values_the_map_has() {
    // Go: 412 OK, 413 refused; counting the skipped `x` would refuse far
    // earlier.
    assert_flips_after(412, |n| {
        format!("{HEAD}big: &big {}\n", seq("x", 200))
            + &uses(n, |i| {
                format!(
                    "u{i}: {{<<: {{x: {}, y: {}}}, x: 1}}\n",
                    seq("*big", 5),
                    seq("*big", 5)
                )
            })
    });
}

#[test]
fn top_level_null_key_is_not_decoded() {
    // Go: 204 OK, 205 refused; the `~` entry's 50 aliases never count.
    assert_flips_after(204, |n| {
        format!(
            "{HEAD}big: &big {}\n~: {}\ntop: {}\n",
            seq("x", 200),
            seq("*big", 50),
            seq("*big", n)
        )
    });
}

#[test]
fn merge_keys_keep_their_types() {
    // Go: 697 OK, 698 refused; `"1"` does not override the int key `1`.
    assert_flips_after(697, |n| {
        format!(
            "{HEAD}b: &b {{1: {}, \"2\": {}, q: 0}}\n",
            seq("x", 300),
            seq("x", 300)
        ) + &uses(n, |i| format!("u{i}: {{<<: *b, \"1\": 0, 2: 0}}\n"))
    });
}

#[test]
fn top_level_merge_decodes_keys_as_strings() {
    // Go: 147 OK, 148 refused.
    assert_flips_after(147, |n| {
        format!(
            "b: &b {{1: {}, default: {{interval: 1}}, q: {}}}\n",
            seq("x", 300),
            seq("x", 300)
        ) + &uses(n, |i| format!("u{i}: *b\n"))
            + "<<: *b\n1: 0\n"
    });
}

#[test]
fn legit_aliases_and_merges_are_accepted() {
    // Go: both OK.
    let alias = format!("{HEAD}  seed: 1\nprod: &p\n  interval: 5\nfast: *p\n");
    assert_eq!(refused(&alias), None);
    let merge = "default: &default\n  interval: 1000\n  seed: 1\nfast:\n  <<: *default\n  interval: 100\nslow:\n  <<: [*default]\n";
    assert_eq!(refused(merge), None);
    // Go: OK, the anchored scalar decodes as a key.
    assert_eq!(refused(&format!("{HEAD}k: &k name\nu: {{*k : 3}}\n")), None);
}

#[test]
fn billion_laughs_is_refused_at_the_alias() {
    // Go: "document contains excessive aliasing".
    let mut text = format!("{HEAD}l0: &l0 {}\n", seq("lol", 10));
    for level in 1..9 {
        let items = seq(&format!("*l{}", level - 1), 10);
        text.push_str(&format!("l{level}: &l{level} {items}\n"));
    }
    let (error, cpu) = measure(|| parse(&text).unwrap_err());
    assert!(cpu < Duration::from_millis(500), "{cpu:?}");
    assert!(
        error.message.contains("`*l2` expands to 1221 nodes"),
        "{error:?}"
    );
    let span = error.span.unwrap();
    assert_eq!(
        (span.line, &text[span.offset..span.offset + span.len]),
        (6, "*l2")
    );
}

#[test]
fn other_refusals_of_the_decoder() {
    // Go: "anchor 'a' value contains itself" (both).
    for text in ["a: &a [1, *a]\n", "a: &a {<<: *a, b: 1}\n"] {
        let message = refused(&format!("{HEAD}{text}")).unwrap();
        assert_eq!(message, "anchor 'a' value contains itself", "{text}");
    }
    // Go: "map merge requires map or sequence of maps as the value".
    for text in [
        "s: &s [{a: 1}]\nu: {<<: *s}\n",
        "u: {<<: 1}\n",
        "u: {<<: ~}\n",
    ] {
        let message = refused(&format!("{HEAD}{text}")).unwrap();
        assert!(message.starts_with("map merge requires map"), "{text}");
    }
    // Go: "invalid map key: []interface {}{…}" (both).
    for text in ["u: {? [1, 2] : 3}\n", "s: &s [1]\nu: {*s : 3}\n"] {
        let message = refused(&format!("{HEAD}{text}")).unwrap();
        assert!(message.starts_with("invalid map key"), "{text}");
    }
    // Go: OK, a top-level null key's value is never decoded.
    assert_eq!(refused(&format!("{HEAD}~: &a [*a]\n")), None);
}

#[test]
fn merge_diamonds_cost_linear_work() {
    // Every level merges the previous one twice: yaml.v3 visits 2^40 keys.
    let mut text = String::from("default: {interval: 1}\nd0: &d0 {k: 0}\n");
    for level in 1..40 {
        let previous = level - 1;
        text.push_str(&format!(
            "d{level}: &d{level} {{<<: [*d{previous}, *d{previous}], k{level}: {level}}}\n"
        ));
    }
    let (message, cpu) = measure(|| refused(&text).unwrap());
    assert!(cpu < Duration::from_millis(500), "{cpu:?}");
    assert!(message.starts_with("document contains excessive aliasing"));
}

#[test]
fn allowed_ratio_scales_like_yaml_v3() {
    use super::allowed_alias_ratio;
    assert_eq!(allowed_alias_ratio(1000), 0.99);
    assert_eq!(allowed_alias_ratio(400_000), 0.99);
    assert!((allowed_alias_ratio(2_200_000) - 0.545).abs() < 1e-12);
    assert_eq!(allowed_alias_ratio(4_000_000), 0.10);
    assert_eq!(allowed_alias_ratio(u64::MAX), 0.10);
}
