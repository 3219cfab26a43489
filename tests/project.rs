//! Project mode: a plugin's source tree (go.mod, descriptors and configs in
//! eKuiper's layout) linted before there is a package, as the pre-commit
//! hook for sources does.

mod common;

use std::path::Path;

use common::{codes, run_json};

const GOOD_GO_MOD: &str = "fixtures/project/pulse/go.mod";

fn lint_file(path: &Path) -> (serde_json::Value, i32) {
    run_json(&[path.to_str().expect("UTF-8 path")])
}

/// Writes `text` as `name` in a fresh temporary folder.
fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn go_mod_variant(from: &str, to: &str) -> (serde_json::Value, i32) {
    let good = std::fs::read_to_string(common::root().join(GOOD_GO_MOD)).unwrap();
    assert!(good.contains(from), "the fixture go.mod has `{from}`");
    let dir = tempfile::tempdir().unwrap();
    lint_file(&write(&dir, "go.mod", &good.replace(from, to)))
}

#[test]
fn the_fixture_project_is_clean() {
    for file in [
        GOOD_GO_MOD,
        "fixtures/project/pulse/etc/sources/pulse.json",
        "fixtures/project/pulse/etc/sources/pulse.yaml",
    ] {
        let (document, status) = run_json(&[file]);
        assert_eq!(codes(&document), Vec::<String>::new(), "{file}");
        assert_eq!(status, 0, "{file}");
    }
}

#[test]
fn go_mod_contract_version_is_checked_against_the_target() {
    let (document, status) = go_mod_variant("v2.3.1", "v2.0.0");
    assert_eq!(codes(&document), ["B002"]);
    assert_eq!(status, 1);
    let span = &document["packages"][0]["diagnostics"][0]["span"];
    assert_eq!(span["line"], 7, "points at the require line");
    // The same go.mod is right for eKuiper 2.2.
    let good = std::fs::read_to_string(common::root().join(GOOD_GO_MOD)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "go.mod", &good.replace("v2.3.1", "v2.0.0"));
    let (document, _) = run_json(&[
        path.to_str().unwrap(),
        "--target",
        "2.2.0",
        "--ignore",
        "B003",
    ]);
    assert_eq!(codes(&document), Vec::<String>::new());
}

#[test]
fn go_mod_replacement_missing_contract_and_go_versions() {
    let (document, _) = go_mod_variant(
        "require github.com/lf-edge/ekuiper/contract/v2 v2.3.1",
        "require github.com/lf-edge/ekuiper/contract/v2 v2.3.1\n\nreplace github.com/lf-edge/ekuiper/contract/v2 => ../contract",
    );
    assert_eq!(codes(&document), ["B005"]);

    let (document, status) = go_mod_variant(
        "require github.com/lf-edge/ekuiper/contract/v2 v2.3.1",
        "require golang.org/x/net v0.20.0",
    );
    assert_eq!((codes(&document), status), (vec!["B001".to_string()], 1));

    let (document, status) = go_mod_variant("go 1.24.0", "go 1.26");
    assert_eq!((codes(&document), status), (vec!["B003".to_string()], 1));

    let (document, status) = go_mod_variant("toolchain go1.25.4", "toolchain go1.25.3");
    assert_eq!(codes(&document), ["B003"]);
    assert_eq!(
        document["packages"][0]["diagnostics"][0]["severity"],
        "warning"
    );
    assert_eq!(status, 0);
}

#[test]
fn broken_go_mod_is_a_finding_not_a_crash() {
    let (document, status) = go_mod_variant("require github", "require (\n\tgithub");
    assert_eq!((codes(&document), status), (vec!["B006".to_string()], 1));
}

#[test]
fn descriptors_and_configs_in_the_layout_get_their_kind_from_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let sink = write(
        &dir,
        "etc/sinks/ledger.json",
        r#"{"about": {"trial": "yes"}, "properties": []}"#,
    );
    let (document, status) = lint_file(&sink);
    assert_eq!(document["packages"][0]["plugin"]["kind"], "sink");
    assert_eq!(codes(&document), ["M003"]);
    assert_eq!(status, 1);

    let config = write(&dir, "etc/sources/pulse.yaml", "default:\n  interval: [1\n");
    let (document, status) = lint_file(&config);
    assert_eq!((codes(&document), status), (vec!["C002".to_string()], 1));
    assert!(document["packages"][0]["diagnostics"][0]["span"]["line"].is_number());
}
