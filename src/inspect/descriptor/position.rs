//! Byte offsets and parser markers to [`Span`]s without rescanning the text
//! for every value: parsers report positions in document order, so a cursor
//! that only moves forward makes a whole file cost one pass.

use crate::diagnostic::Span;

/// A forward-moving position in a text.
#[derive(Debug, Clone)]
pub struct Positions<'t> {
    text: &'t str,
    offset: usize,
    chars: usize,
    line: usize,
    column: usize,
}

impl<'t> Positions<'t> {
    pub fn new(text: &'t str) -> Positions<'t> {
        Positions {
            text,
            offset: 0,
            chars: 0,
            line: 1,
            column: 1,
        }
    }

    /// The span of the byte range `start..end`.
    pub fn bytes(&mut self, start: usize, end: usize) -> Span {
        let start = floor_boundary(self.text, start.min(self.text.len()));
        if start < self.offset {
            self.rewind();
        }
        let passed = self.text.get(self.offset..start).unwrap_or("");
        for ch in passed.chars() {
            self.step(ch);
        }
        self.offset = start;
        self.here(end.saturating_sub(start))
    }

    /// The span starting at the `index`-th character, `len` bytes long.
    pub fn chars(&mut self, index: usize, len: usize) -> Span {
        if index < self.chars {
            self.rewind();
        }
        let rest = self.text.get(self.offset..).unwrap_or("");
        for ch in rest.chars().take(index.saturating_sub(self.chars)) {
            self.step(ch);
            self.offset += ch.len_utf8();
        }
        self.here(len)
    }

    /// The byte offset of the `index`-th character.
    pub fn char_offset(&mut self, index: usize) -> usize {
        self.chars(index, 0).offset
    }

    fn step(&mut self, ch: char) {
        self.chars += 1;
        if ch == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
    }

    fn rewind(&mut self) {
        *self = Positions::new(self.text);
    }

    fn here(&self, len: usize) -> Span {
        Span {
            line: self.line,
            column: self.column,
            offset: self.offset,
            len: len.min(self.text.len().saturating_sub(self.offset)),
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

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
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
    fn out_of_range_offsets_clamp() {
        let text = "é";
        let span = Positions::new(text).bytes(1, 99);
        assert_eq!((span.offset, span.len), (0, 2));
        let span = Positions::new(text).chars(50, 3);
        assert_eq!((span.offset, span.len), (2, 0));
        assert_eq!(at_line_byte_column(text, 9, 9).offset, 2);
    }
}
