//! The one place compressed entry data is inflated. It never allocates from
//! a declared size: output comes out in fixed chunks and goes to the
//! caller, which hashes, counts and (for kept entries) stores it, so the
//! caller's own bound on what it keeps is the only bound on memory.

use std::io::{self, Read};

use flate2::{Decompress, FlushDecompress, Status};

use super::fault::{Fault, corrupt};

/// Compressed input is read in chunks of at most this size.
const INPUT_CHUNK: usize = 64 * 1024;
/// Inflated output is handed on in chunks of at most this size.
const OUTPUT_CHUNK: usize = 64 * 1024;

/// Inflates the raw deflate stream in `compressed` (which ends where the
/// entry's compressed bytes end, or the file does), handing every chunk of
/// output to `emit`; an error from `emit` stops inflating at once. Bytes
/// after the end of the stream are ignored, as Go's `flate` reader does.
pub fn inflate(
    compressed: &mut dyn Read,
    compressed_len: u64,
    emit: &mut dyn FnMut(&[u8]) -> Result<(), Fault>,
) -> Result<(), Fault> {
    let mut inflater = Decompress::new(false);
    let input_len =
        usize::try_from(compressed_len).map_or(INPUT_CHUNK, |len| len.clamp(1, INPUT_CHUNK));
    let mut input = vec![0; input_len];
    let mut output = vec![0; OUTPUT_CHUNK];
    let mut pending = 0..0;
    let mut at_end = false;
    loop {
        if pending.is_empty() && !at_end {
            let read = read_some(compressed, &mut input)?;
            at_end = read == 0;
            pending = 0..read;
        }
        let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
        let status = inflater
            .decompress(
                input.get(pending.clone()).unwrap_or_default(),
                &mut output,
                FlushDecompress::None,
            )
            .map_err(|error| corrupt(format!("it fails to inflate: {error}")))?;
        let consumed = usize::try_from(inflater.total_in() - in_before).unwrap_or(usize::MAX);
        let produced = usize::try_from(inflater.total_out() - out_before).unwrap_or(usize::MAX);
        pending.start = pending.start.saturating_add(consumed).min(pending.end);
        emit(output.get(..produced).unwrap_or_default())?;
        if status == Status::StreamEnd {
            return Ok(());
        }
        if at_end && consumed == 0 && produced == 0 {
            return Err(corrupt(
                "its compressed data ends before the deflate stream does",
            ));
        }
    }
}

fn read_some(input: &mut dyn Read, buf: &mut [u8]) -> Result<usize, Fault> {
    loop {
        match input.read(buf) {
            Ok(read) => return Ok(read),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error.into()),
        }
    }
}
