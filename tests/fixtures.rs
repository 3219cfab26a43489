//! Every built fixture package: the linter reports exactly the codes the
//! package was built to trigger, agrees with the Go loader's recorded
//! verdict, and its human and JSON output match the snapshots.

mod common;

use common::{Case, codes, manifest, run, run_json, stdout};

/// The rule codes that predict a failure at each stage of the Go loader
/// (fixtures/host): the linter must report an error from the stage's set.
fn stage_codes(stage: &str) -> &'static [&'static str] {
    match stage {
        "install" => &["A002", "A003", "L001", "L002", "C001"],
        // A Go release with another module data layout crashes the host
        // too (B003 says so); a non-plugin library always does.
        "crash" => &["E003", "B003"],
        "open" => &[
            "E001", "E002", "E004", "E005", "B002", "B003", "B004", "H001",
        ],
        "lookup" => &["S001", "S005"],
        "assert" => &["S002", "S004"],
        other => panic!("unknown loader stage `{other}`"),
    }
}

fn args(case: &Case) -> Vec<String> {
    vec![
        format!("fixtures/packages/{}", case.file),
        "--name".into(),
        case.name.clone(),
        "--kind".into(),
        case.kind.clone(),
    ]
}

fn lint_json(case: &Case) -> (serde_json::Value, i32) {
    let args = args(case);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_json(&args)
}

#[test]
fn each_package_reports_exactly_what_it_was_built_to_trigger() {
    let mut failures = Vec::new();
    for case in manifest().package {
        let (document, status) = lint_json(&case);
        let mut expected = case.expect.clone();
        expected.sort();
        let found = codes(&document);
        if found != expected {
            failures.push(format!(
                "{}: expected {expected:?}, found {found:?}",
                case.file
            ));
        }
        let has_error = document["summary"]["errors"].as_u64() != Some(0);
        assert_eq!(status, i32::from(has_error), "{}: exit status", case.file);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn linter_agrees_with_the_go_loader() {
    let mut disagreements = Vec::new();
    for case in manifest().package {
        for (host, verdict) in case.loaders() {
            // The loader is a stand-in host: check against its own facts.
            let mut args = args(&case);
            args.extend(["--host".to_string(), host.clone()]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (document, _) = run_json(&args);
            let errors: Vec<String> = document["packages"][0]["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["severity"] == "error")
                .map(|d| d["code"].as_str().unwrap().to_string())
                .collect();
            let agrees = if verdict.stage == "ok" {
                errors.is_empty()
            } else {
                let predicted = stage_codes(&verdict.stage);
                errors.iter().any(|code| predicted.contains(&code.as_str()))
            };
            if !agrees {
                disagreements.push(format!(
                    "{} on {host}: loader says {} ({}), linter errors {errors:?}",
                    case.file, verdict.stage, verdict.message
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn human_and_json_output_match_snapshots() {
    for case in manifest().package {
        let args = args(&case);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let human = stdout(&run(&args));
        insta::assert_snapshot!(format!("human-{}", case.file), human);
        let (document, _) = run_json(&args);
        insta::assert_json_snapshot!(format!("json-{}", case.file), document);
    }
}
