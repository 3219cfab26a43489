//! Diagnostics are data: a rule fills them in, a formatter renders them.

use serde::Serialize;

use crate::rules::Code;
pub use crate::rules::Severity;

/// A location inside a text entry (descriptor or config): 1-based line and
/// column for people, byte offset and length for underlining.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub offset: usize,
    #[serde(skip)]
    pub len: usize,
}

impl Span {
    /// Builds a span from a byte range of `text`, computing line and column
    /// (column counts characters, as editors do).
    pub fn from_offset(text: &str, offset: usize, len: usize) -> Span {
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Span {
            line,
            column,
            offset,
            len: len.min(text.len() - offset),
        }
    }

    /// Builds a span from a 1-based line and column, computing the offset.
    pub fn from_line_column(text: &str, line: usize, column: usize, len: usize) -> Span {
        let line_start = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum::<usize>();
        let offset = text[line_start..]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(text.len(), |(i, _)| line_start + i);
        Span {
            line,
            column,
            offset,
            len: len.min(text.len() - offset),
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_from_offset_counts_lines_and_characters() {
        let text = "{\n  \"é\": x\n}";
        let at = text.find('x').unwrap();
        let span = Span::from_offset(text, at, 1);
        assert_eq!((span.line, span.column), (2, 8));
    }

    #[test]
    fn span_from_line_column_round_trips() {
        let text = "a: 1\nb: [\n";
        let span = Span::from_line_column(text, 2, 4, 1);
        assert_eq!(&text[span.offset..span.offset + 1], "[");
        assert_eq!(Span::from_offset(text, span.offset, 1), span);
    }
}
