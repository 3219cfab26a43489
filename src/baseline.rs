//! `--baseline` and `--write-baseline`: adopt the gate on an existing tree
//! by recording today's findings, so only new ones fail the build. A
//! finding is known by the fingerprint SARIF also uses (rule, input, entry,
//! message), so moving text inside a descriptor does not make it new.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::lint::Outcome;
use crate::report::{BaselineSummary, artifact_uri, fingerprint};

/// The baseline file: readable, diffable JSON.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    version: u32,
    findings: Vec<Recorded>,
}

/// One recorded finding; the path, code and message are for people, the
/// fingerprint decides.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    path: String,
    code: String,
    message: String,
    fingerprint: String,
}

impl Baseline {
    /// Every finding of `outcomes`, as `--write-baseline` records them.
    pub fn of(outcomes: &[Outcome], cwd: &Path) -> Baseline {
        let mut findings: Vec<Recorded> = outcomes
            .iter()
            .flat_map(|outcome| {
                let uri = artifact_uri(&outcome.path, cwd).uri;
                outcome.diagnostics.iter().map(move |d| Recorded {
                    path: uri.clone(),
                    code: d.code.to_string(),
                    message: d.message.clone(),
                    fingerprint: fingerprint(&uri, d),
                })
            })
            .collect();
        findings.sort();
        findings.dedup();
        Baseline {
            version: 1,
            findings,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("the baseline {} is not one: {e}", path.display()))?;
        if baseline.version != 1 {
            return Err(format!(
                "the baseline {} has version {}; this build reads version 1",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(path, text)
            .map_err(|e| format!("cannot write the baseline {}: {e}", path.display()))
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// Drops the recorded findings from `outcomes`; tells how many were
    /// silenced and which recorded findings of these inputs are gone.
    pub fn apply(&self, file: &Path, outcomes: &mut [Outcome], cwd: &Path) -> BaselineSummary {
        let known: BTreeSet<&str> = self
            .findings
            .iter()
            .map(|r| r.fingerprint.as_str())
            .collect();
        let mut seen = BTreeSet::new();
        let mut linted = BTreeSet::new();
        let mut silenced = 0;
        for outcome in outcomes.iter_mut() {
            let uri = artifact_uri(&outcome.path, cwd).uri;
            outcome.diagnostics.retain(|d| {
                let print = fingerprint(&uri, d);
                let keep = !known.contains(print.as_str());
                silenced += usize::from(!keep);
                seen.insert(print);
                keep
            });
            linted.insert(uri);
        }
        let gone = self
            .findings
            .iter()
            .filter(|r| linted.contains(&r.path) && !seen.contains(&r.fingerprint))
            .map(|r| format!("{}: {} {}", r.path, r.code, r.message))
            .collect();
        BaselineSummary {
            file: PathBuf::from(file).display().to_string(),
            silenced,
            gone,
        }
    }
}
