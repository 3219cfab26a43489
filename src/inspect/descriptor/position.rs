//! Byte offsets and parser markers to [`Span`]s without rescanning the text
//! for every value: parsers report positions mostly in document order, so a
//! cursor that moves forward makes a whole file cost one pass. Queries that
//! go back (an object's values after all its keys) restart from the last
//! checkpoint before them, one every [`CHECKPOINT_EVERY`] bytes, never from
//! the start of the file: the cost stays linear in the text.

use crate::span::{Span, floor_char_boundary};

/// Bytes between two checkpoints: the most a backward query re-walks.
const CHECKPOINT_EVERY: usize = 256;

/// Where the cursor was at some offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    offset: usize,
    chars: usize,
    line: usize,
    column: usize,
}

/// A forward-moving position in a text.
#[derive(Debug, Clone)]
pub struct Positions<'t> {
    text: &'t str,
    at: Mark,
    /// Marks in increasing order of offset (and of chars), the first at 0.
    checkpoints: Vec<Mark>,
}

impl<'t> Positions<'t> {
    pub fn new(text: &'t str) -> Positions<'t> {
        let start = Mark {
            offset: 0,
            chars: 0,
            line: 1,
            column: 1,
        };
        Positions {
            text,
            at: start,
            checkpoints: vec![start],
        }
    }

    /// The span of the byte range `start..end`.
    pub fn bytes(&mut self, start: usize, end: usize) -> Span {
        let start = floor_char_boundary(self.text, start.min(self.text.len()));
        if start < self.at.offset {
            let index = self
                .checkpoints
                .partition_point(|mark| mark.offset <= start);
            self.restore(index);
        }
        self.advance(start, usize::MAX);
        self.here(end.saturating_sub(start))
    }

    /// The span starting at the `index`-th character, `len` bytes long.
    pub fn chars(&mut self, index: usize, len: usize) -> Span {
        if index < self.at.chars {
            let found = self.checkpoints.partition_point(|mark| mark.chars <= index);
            self.restore(found);
        }
        self.advance(usize::MAX, index);
        self.here(len)
    }

    /// Goes back to the checkpoint before `index` (a partition point, so at
    /// least 1: the first checkpoint is the start).
    fn restore(&mut self, index: usize) {
        if let Some(mark) = self.checkpoints.get(index.saturating_sub(1)) {
            self.at = *mark;
        }
    }

    /// Moves forward to byte `offset` or character `index`, whichever
    /// comes first (or the end of the text), leaving checkpoints behind.
    fn advance(&mut self, offset: usize, index: usize) {
        let rest = self.text.get(self.at.offset..).unwrap_or("");
        let mut next_checkpoint = self
            .checkpoints
            .last()
            .map_or(0, |mark| mark.offset)
            .saturating_add(CHECKPOINT_EVERY);
        for ch in rest.chars() {
            if self.at.offset >= offset || self.at.chars >= index {
                break;
            }
            self.at.offset += ch.len_utf8();
            self.at.chars += 1;
            if ch == '\n' {
                self.at.line += 1;
                self.at.column = 1;
            } else {
                self.at.column += 1;
            }
            if self.at.offset >= next_checkpoint {
                self.checkpoints.push(self.at);
                next_checkpoint = self.at.offset.saturating_add(CHECKPOINT_EVERY);
            }
        }
    }

    fn here(&self, len: usize) -> Span {
        Span {
            line: self.at.line,
            column: self.at.column,
            offset: self.at.offset,
            len: len.min(self.text.len().saturating_sub(self.at.offset)),
        }
    }
}

/// The span of the 1-based `line` and byte `column` a parser reported.
pub fn at_line_byte_column(text: &str, line: usize, column: usize) -> Span {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let offset = line_start.saturating_add(column.saturating_sub(1));
    Positions::new(text).bytes(offset, offset.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_and_backward_queries_agree_with_from_offset() {
        let text = "ab\né: [x,\n  y]";
        let mut positions = Positions::new(text);
        for offset in [0, 3, 8, 14, 1, 12] {
            assert_eq!(
                positions.bytes(offset, offset + 1),
                Span::from_offset(text, offset, 1),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn char_index_maps_to_byte_offset() {
        let text = "é: [x]";
        let mut positions = Positions::new(text);
        let span = positions.chars(4, 1);
        assert_eq!(&text[span.offset..span.offset + 1], "x");
        assert_eq!((span.line, span.column), (1, 5));
    }

    #[test]
    fn going_back_restarts_from_a_checkpoint_not_the_start() {
        let text = "a\u{e9}\n".repeat(10_000);
        let mut positions = Positions::new(&text);
        let far = positions.bytes(text.len() - 4, text.len());
        assert_eq!(far, Span::from_offset(&text, text.len() - 4, 4));
        for back in [text.len() - 300, 5000, 17, 0, 29_999] {
            let start = floor_char_boundary(&text, back);
            assert_eq!(
                positions.bytes(start, start + 1),
                Span::from_offset(&text, start, 1),
                "offset {start}"
            );
        }
        let by_char = positions.chars(15_000, 1);
        assert_eq!(by_char.line, 5001);
        assert!(positions.checkpoints.len() < text.len() / CHECKPOINT_EVERY + 2);
    }

    #[test]
    fn out_of_range_offsets_clamp() {
        let text = "é";
        let span = Positions::new(text).bytes(1, 99);
        assert_eq!((span.offset, span.len), (0, 2));
        let span = Positions::new(text).chars(50, 3);
        assert_eq!((span.offset, span.len), (2, 0));
        assert_eq!(at_line_byte_column(text, 9, 9).offset, 2);
    }
}
