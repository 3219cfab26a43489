//! Diagnostics are data: a rule fills them in, a formatter renders them.

use crate::rules::Code;
pub use crate::rules::Severity;
pub use crate::span::Span;

/// One finding of one rule about one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The zip entry (or file) the finding is about, when there is one.
    pub entry: Option<String>,
    pub span: Option<Span>,
    /// How to fix it, in one sentence.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at the rule's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            entry: None,
            span: None,
            help: None,
        }
    }

    /// A severity other than the default: one the registry lists for the
    /// rule (`rules.rs`), which the tests hold every rule to.
    pub fn severity(mut self, severity: Severity) -> Diagnostic {
        debug_assert!(
            self.code.can_be(severity),
            "{} is not registered as able to be {}",
            self.code,
            severity.as_str()
        );
        self.severity = severity;
        self
    }

    pub fn entry(mut self, entry: impl Into<String>) -> Diagnostic {
        self.entry = Some(entry.into());
        self
    }

    pub fn span(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}
