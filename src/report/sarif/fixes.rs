//! SARIF for `--diff`: the findings a repair would clear, each carrying
//! the proposed changes. SARIF 2.1.0 expresses a fix only as byte
//! replacements inside an artifact, so the changes that write text (a
//! generated config or descriptor, install.sh without CRs) are `fixes` on
//! the entry inside the zip; renames and removals, which it cannot
//! express, are listed in the result's `properties.repairs`.

use serde_json::{Value, json};

use super::ArtifactUri;
use crate::diagnostic::Diagnostic;
use crate::lint::Outcome;
use crate::repair::Change;

/// Results for the findings `outcome`'s planned repair clears; nothing
/// for a repair already applied (its findings are gone).
pub fn proposed(
    outcome: &Outcome,
    artifact: &ArtifactUri,
    result: &dyn Fn(&Outcome, &Diagnostic) -> Value,
) -> Vec<Value> {
    let Some(repair) = outcome.repair.as_ref().filter(|repair| repair.planned) else {
        return Vec::new();
    };
    let mut seen = Vec::new();
    repair
        .cleared
        .iter()
        .map(|diagnostic| {
            let mut value = result(outcome, diagnostic);
            // The changes go with the first finding of their rule.
            if !seen.contains(&diagnostic.code) {
                seen.push(diagnostic.code);
                let changes: Vec<&Change> = repair
                    .changes
                    .iter()
                    .filter(|change| change.rule == diagnostic.code)
                    .collect();
                attach(&mut value, artifact, &changes);
            }
            value
        })
        .collect()
}

fn attach(result: &mut Value, artifact: &ArtifactUri, changes: &[&Change]) {
    let fixes: Vec<Value> = changes.iter().filter_map(|c| fix(artifact, c)).collect();
    if !fixes.is_empty() {
        result["fixes"] = Value::from(fixes);
    }
    result["properties"] = json!({"repairs": changes});
}

fn fix(artifact: &ArtifactUri, change: &Change) -> Option<Value> {
    let text = change.text.as_ref()?;
    Some(json!({
        "description": {"text": format!(
            "{} {}: {}", change.action.as_str(), change.entry, change.detail
        )},
        "artifactChanges": [{
            // The entry as a path below the package's own location (and
            // its %SRCROOT%, when it has one).
            "artifactLocation": artifact.inside(&change.entry, format!(
                "the entry {} inside the package", change.entry
            )),
            "replacements": [{
                "deletedRegion": {"byteOffset": 0, "byteLength": change.replaced},
                "insertedContent": {"text": text},
            }],
        }],
    }))
}
