//! Writing a whole response body to a WASI output stream in as few host calls as the host allows.
//!
//! `blocking-write-and-flush` takes at most 4,096 bytes and waits for each flush: a 60 KB body
//! became fifteen round trips through the host's HTTP body channel, and under Spin the OpenAPI
//! document answered at a sixteenth of an empty component's rate. Writing up to the host's
//! `check-write` permit and flushing once costs one round trip for any body the host buffers.

use wasi::io::streams::{OutputStream, StreamError};

pub fn write_all(stream: &OutputStream, mut bytes: &[u8]) -> Result<(), StreamError> {
    while !bytes.is_empty() {
        let permit = stream.check_write()?;
        if permit == 0 {
            stream.subscribe().block();
            continue;
        }
        let (now, rest) = bytes.split_at(chunk_len(permit, bytes.len()));
        stream.write(now)?;
        bytes = rest;
    }
    stream.blocking_flush()
}

/// How much of `remaining` bytes one `write` may take under a permit of `permit` bytes.
fn chunk_len(permit: u64, remaining: usize) -> usize {
    usize::try_from(permit).map_or(remaining, |p| p.min(remaining))
}

#[cfg(test)]
mod tests {
    use super::chunk_len;

    #[test]
    fn a_write_never_exceeds_the_permit_nor_what_is_left() {
        assert_eq!(chunk_len(4096, 60_000), 4096);
        assert_eq!(chunk_len(1 << 20, 60_000), 60_000);
        assert_eq!(chunk_len(u64::MAX, 10), 10);
        assert_eq!(chunk_len(1, 0), 0);
    }
}
