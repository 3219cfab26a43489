//! What `--fix` and `--diff` did to a package, as data: the [`Repair`] an
//! [`Outcome`](crate::lint::Outcome) carries to the formatters. The fix
//! module makes it; it lives apart so that the lint outcome needs nothing
//! of the fixer.

use std::path::PathBuf;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::rules::Code;

/// What a change does to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Remove,
    Rename,
    Add,
    Rewrite,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Remove => "remove",
            Action::Rename => "rename",
            Action::Add => "add",
            Action::Rewrite => "rewrite",
        }
    }
}

/// One planned or applied change, tied to the rule whose finding it clears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub rule: Code,
    /// The entry as named in the input (for `add`, the new entry).
    pub entry: String,
    pub action: Action,
    /// The new name, for `rename`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why, or what the rewrite does, in a few words.
    pub detail: String,
    /// The text of an added or rewritten text entry, for `--diff` and SARIF.
    #[serde(skip)]
    pub text: Option<String>,
    /// How many bytes of the entry `text` replaces (0 for an added one).
    #[serde(skip)]
    pub replaced: usize,
}

/// What `--fix` did to one package, carried by its [`Outcome`](crate::lint::Outcome).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Repair {
    /// Applied (or, with `--diff`, planned) changes, in plan order.
    pub changes: Vec<Change>,
    /// Where the repaired package was written; `None` with `--diff`, when
    /// nothing changed in place, or when the fix was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<PathBuf>,
    /// Why the package was left as it was, when it could not be repaired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// The commands that rebuild the library for the target, when findings
    /// remain that only a rebuild clears.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rebuild: Vec<String>,
    /// `--diff`: the changes are proposed, not made.
    #[serde(skip)]
    pub planned: bool,
    /// The findings of the original package the changes clear (SARIF
    /// proposes the changes on them).
    #[serde(skip)]
    pub cleared: Vec<Diagnostic>,
}
