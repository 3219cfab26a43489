//! Where a finding sits inside a text entry (descriptor, config, go.mod):
//! the one position type, and the one place that turns byte offsets into
//! lines and columns and back.

use serde::Serialize;

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

/// The largest character boundary of `text` at or before byte `i`.
pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
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
