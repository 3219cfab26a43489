//! Every built fixture package: the linter reports exactly the codes the
//! package was built to trigger, agrees with the Go loader's recorded
//! verdict, and its human and JSON output match the snapshots.

mod common;

use common::{Case, Verdict, codes, manifest, run, run_json, stdout};

/// The rule codes that predict a failure at each stage of the Go loader
/// (fixtures/host): the linter must report an error from the stage's set.
fn stage_codes(stage: &str) -> &'static [&'static str] {
    match stage {
        "install" => &["A002", "A003", "L001", "L002", "L005", "C001"],
        // A Go release with another module data layout crashes the host
        // too (B003 says so, B007 for plugins from before Go 1.18); a
        // non-plugin library always does.
        "crash" => &["E003", "B003", "B007"],
        "open" => &[
            "E001", "E002", "E004", "E005", "B002", "B003", "B004", "H001",
        ],
        "lookup" => &["S001", "S005"],
        "assert" => &["S002", "S004"],
        // What a rule needs after the type switch (eKuiper 2.x).
        "stream" => &["S006"],
        "lookup-table" => &["S007"],
        "collector" => &["S008"],
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

/// The error codes the linter reports for `case`, with `--host` if given.
fn error_codes(case: &Case, host: Option<&str>) -> Vec<String> {
    let mut args = args(case);
    if let Some(host) = host {
        args.extend(["--host".to_string(), host.to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (document, _) = run_json(&args);
    document["packages"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Whether the errors predict the loader's verdict: none for "ok", else
/// one of the codes of the stage that failed.
fn agrees(errors: &[String], verdict: &Verdict) -> bool {
    if verdict.stage == "ok" {
        errors.is_empty()
    } else {
        let predicted = stage_codes(&verdict.stage);
        errors.iter().any(|code| predicted.contains(&code.as_str()))
    }
}

#[test]
fn linter_agrees_with_the_go_loader() {
    let mut disagreements = Vec::new();
    let mut agreements = 0;
    for case in manifest().package {
        for (host, verdict) in case.loaders() {
            // The loader is a stand-in host: check against its own facts.
            let errors = error_codes(&case, Some(&host));
            if agrees(&errors, &verdict) {
                agreements += 1;
            } else {
                disagreements.push(format!(
                    "{} on {host}: loader says {} ({}), linter errors {errors:?}",
                    case.file, verdict.stage, verdict.message
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(agreements >= 40, "only {agreements} verdicts compared");
}

/// Without `--host` the default target (eKuiper 2.4.0's profile) stands for
/// the host, which is built like it: the verdict of the host of the
/// plugin's own machine must be predicted just the same.
#[test]
fn linter_agrees_with_the_go_loader_without_host() {
    let mut disagreements = Vec::new();
    for case in manifest().package {
        let (_, verdict) = case.loaders().swap_remove(0);
        let errors = error_codes(&case, None);
        if !agrees(&errors, &verdict) {
            disagreements.push(format!(
                "{}: loader says {} ({}), linter errors {errors:?}",
                case.file, verdict.stage, verdict.message
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// `plugin.Open` names the first package whose fingerprint differs in the
/// plugin's link order; H001 quotes the same one.
#[test]
fn fingerprint_findings_name_the_package_go_names() {
    let mut compared = 0;
    for case in manifest().package {
        for (host, verdict) in case.loaders() {
            let Some((_, package)) = verdict.message.split_once("different version of package ")
            else {
                continue;
            };
            let mut args = args(&case);
            args.extend(["--host".to_string(), host.clone()]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (document, _) = run_json(&args);
            let quoted = format!("different version of package {package}\"");
            let h001: Vec<&str> = document["packages"][0]["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["code"] == "H001")
                .map(|d| d["message"].as_str().unwrap())
                .collect();
            assert!(
                h001.len() == 1 && h001[0].ends_with(&quoted),
                "{} on {host}: Go names {package}, H001 says {h001:?}",
                case.file
            );
            compared += 1;
        }
    }
    // no -trimpath, go1.24.11, go1.25.3, contract v2.0.0
    assert_eq!(compared, 4);
}

#[test]
fn human_and_json_output_match_snapshots() {
    for case in manifest().package {
        let args = args(&case);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let human = stdout(&run(&args));
        insta::assert_snapshot!(format!("human-{}", case.file), human);
        let (mut document, _) = run_json(&args);
        // The run's settings (limits, target) are the same for every
        // fixture and tested in tests/cli.rs; kept out so a new default
        // does not rewrite every snapshot.
        document.as_object_mut().map(|d| d.remove("settings"));
        insta::assert_json_snapshot!(format!("json-{}", case.file), document);
    }
}

/// The stream, lookup and collector checks are eKuiper 2.x's: against a
/// 1.x target (whose API module has none of those interfaces) the same
/// packages get only the version findings.
#[test]
fn rule_time_interface_findings_follow_the_target() {
    for (file, code) in [
        ("pulse-nostream.zip", "S006"),
        ("pulse-nolookup.zip", "S007"),
        ("ledger-collect1x.zip", "S008"),
    ] {
        let path = format!("fixtures/packages/{file}");
        let (on_2x, _) = run_json(&[&path, "--target", "2.2"]);
        assert!(codes(&on_2x).contains(&code.to_string()), "{file} on 2.2");
        let (on_1x, _) = run_json(&[&path, "--target", "1.14.7"]);
        let found = codes(&on_1x);
        assert!(
            !found
                .iter()
                .any(|c| c.starts_with("S00") && c.as_str() >= "S006"),
            "{file} on 1.14.7: {found:?}"
        );
    }
}
