//! The one reader of Go's unsigned varints (`encoding/binary.Uvarint`),
//! used by the build info decoder and the Go type decoder.

/// Decodes an unsigned varint at the start of `bytes`: the value and the
/// bytes used. `None` where Go's `binary.Uvarint` fails: the input ends
/// before the last byte (n == 0), or the value overflows 64 bits: more than
/// 10 bytes, or a 10th byte above 1 (n < 0).
pub fn uvarint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (index, &byte) in bytes.iter().take(10).enumerate() {
        if index == 9 && byte > 1 {
            return None;
        }
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_go() {
        assert_eq!(uvarint(&[0x05]), Some((5, 1)));
        assert_eq!(uvarint(&[0x96, 0x01, 0xff]), Some((150, 2)));
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(uvarint(&max), Some((u64::MAX, 10)));
    }

    #[test]
    fn fails_where_go_does() {
        assert_eq!(uvarint(&[]), None, "empty");
        assert_eq!(uvarint(&[0x80, 0x80]), None, "unterminated");
        assert_eq!(uvarint(&[0xff; 11]), None, "longer than 10 bytes");
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(uvarint(&overflow), None, "a 10th byte above 1");
    }
}
