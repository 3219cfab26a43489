//! Little-endian field reading that never panics: a short buffer yields
//! `None` instead of an index out of bounds.

/// A cursor over a header's bytes.
pub struct Le<'a> {
    bytes: &'a [u8],
}

impl<'a> Le<'a> {
    pub fn new(bytes: &'a [u8]) -> Le<'a> {
        Le { bytes }
    }

    pub fn u16(&mut self) -> Option<u16> {
        let (head, rest) = self.bytes.split_first_chunk::<2>()?;
        self.bytes = rest;
        Some(u16::from_le_bytes(*head))
    }

    pub fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.bytes.split_first_chunk::<4>()?;
        self.bytes = rest;
        Some(u32::from_le_bytes(*head))
    }

    pub fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.bytes.split_first_chunk::<8>()?;
        self.bytes = rest;
        Some(u64::from_le_bytes(*head))
    }

    pub fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.bytes.split_at_checked(len)?;
        self.bytes = rest;
        Some(head)
    }

    pub fn skip(&mut self, len: usize) -> Option<()> {
        self.take(len).map(|_| ())
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_and_stops_at_the_end() {
        let mut le = Le::new(&[1, 0, 2, 0, 0, 0, 9]);
        assert_eq!(le.u16(), Some(1));
        assert_eq!(le.u32(), Some(2));
        assert_eq!(le.u16(), None);
        assert_eq!(le.take(1), Some(&[9][..]));
        assert_eq!(le.remaining(), 0);
    }
}
