//! A snapshot's bytes in chunks, for stores that keep one snapshot as
//! several rows: a desk's encoded state at the stories' scale is larger
//! than one database value may be (PostgreSQL keeps at most 1 GB in one,
//! SQLite 1,000,000,000 bytes by default).
//!
//! [`SnapshotChunks`] is where a store encodes a snapshot (an
//! [`std::io::Write`]: the bytes are cut into chunks as they are written,
//! never one buffer of the whole); [`ChunkReader`] reads the stored chunks
//! back one at a time as one stream (an [`std::io::Read`] for the
//! decoder), checking they are the chunks that were saved: all of them, in
//! order, as many bytes as recorded. The encoding itself (MessagePack in
//! this repository's stores) stays the store's. Neither does any I/O: the
//! reader asks the store for each chunk through a function.

use std::fmt::Display;
use std::io;

use super::StoreError;

/// The size of the chunks this repository's stores cut a snapshot into
/// unless told otherwise: 64 MiB, well under what one value may hold in
/// PostgreSQL or SQLite, and large enough that reading one costs nothing
/// next to decoding it.
pub const SNAPSHOT_CHUNK_SIZE: usize = 64 * 1024 * 1024;

/// How a store reads a chunked snapshot back: a choice between time and
/// memory, measured on a 753 MiB snapshot of a 0.86 GiB state (the
/// workspace README has the figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SnapshotRead {
    /// Every chunk into one buffer, decoded from it
    /// ([`ChunkReader::decode_whole`]): as fast as a snapshot kept in one
    /// value was, and as much memory (the encoded snapshot and the state
    /// at once: peak 1.7 GiB above the start). The default. The chunks'
    /// count and sizes are checked as for `Streamed`, but bytes the
    /// decoder leaves after the snapshot's value are not seen (the
    /// snapshot's checksum still covers its state).
    #[default]
    Whole,
    /// One chunk in memory at a time, decoded as it comes
    /// ([`ChunkReader::decode`]): the encoded snapshot is never whole in
    /// memory beside the state it decodes to (peak 1.0 GiB above the
    /// start), but the decoder reads a stream more slowly than a buffer
    /// (about 0.55 s more on a CPU, 15% of the load).
    Streamed,
}

/// A snapshot's bytes as they are written, in chunks of at most
/// `chunk_size` bytes (every chunk but the last exactly that).
///
/// ```
/// use std::io::Write;
/// use fanatical::store::SnapshotChunks;
///
/// let mut chunks = SnapshotChunks::new(4);
/// chunks.write_all(b"fanatical")?;
/// assert_eq!(chunks.len(), 9);
/// let parts: Vec<&[u8]> = chunks.iter().collect();
/// assert_eq!(parts, [&b"fana"[..], b"tica", b"l"]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotChunks {
    size: usize,
    chunks: Vec<Vec<u8>>,
    len: u64,
}

impl SnapshotChunks {
    /// No bytes yet; chunks of `chunk_size` bytes (at least 1).
    #[must_use]
    pub fn new(chunk_size: usize) -> Self {
        SnapshotChunks {
            size: chunk_size.max(1),
            chunks: Vec::new(),
            len: 0,
        }
    }

    /// How many bytes were written.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many chunks the bytes fill.
    #[must_use]
    pub fn count(&self) -> usize {
        self.chunks.len()
    }

    /// The chunks, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.chunks.iter().map(Vec::as_slice)
    }

    /// The chunks, in order, owned.
    #[must_use]
    pub fn into_chunks(self) -> Vec<Vec<u8>> {
        self.chunks
    }
}

impl io::Write for SnapshotChunks {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            let chunk = match self.chunks.last_mut() {
                Some(chunk) if chunk.len() < self.size => chunk,
                _ => {
                    self.chunks.push(Vec::new());
                    self.chunks
                        .last_mut()
                        .ok_or_else(|| io::Error::other("no chunk"))?
                }
            };
            let n = rest.len().min(self.size - chunk.len());
            let (now, later) = rest.split_at(n);
            if chunk.capacity() < chunk.len() + n {
                // Grow by doubling, but never past the chunk size: a full
                // chunk holds no slack.
                let want = (chunk.capacity() * 2).max(chunk.len() + n).min(self.size);
                chunk.reserve_exact(want - chunk.len());
            }
            chunk.extend_from_slice(now);
            self.len += n as u64;
            rest = later;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A stored snapshot's chunks read back as one stream of bytes, one chunk
/// in memory at a time: `next(seq, buf)` fetches chunk `seq` (from 0) from
/// the store into `buf`, replacing what it held (one buffer serves every
/// chunk), and answers `false` when there is no such chunk. What the store recorded
/// with the snapshot, how many chunks and bytes it wrote, is checked as
/// they come: a chunk missing or empty, a chunk before the last that is
/// not as long as the first (every one but the last is full), or more or
/// fewer bytes than recorded is [`StoreError::Corrupt`] at the
/// snapshot's position, and
/// [`ChunkReader::decode`] says so rather than the decoder's own
/// complaint about the stream ending early.
///
/// ```
/// use std::io::Read;
/// use fanatical::store::{ChunkReader, StoreError};
///
/// let stored: Vec<Vec<u8>> = vec![b"fanat".to_vec(), b"ical".to_vec()];
/// let fetch = |seq: u64, buf: &mut Vec<u8>| match stored.get(seq as usize) {
///     Some(chunk) => {
///         buf.clone_from(chunk);
///         Ok(true)
///     }
///     None => Ok(false),
/// };
/// let reader = ChunkReader::new(7, 2, 9, fetch);
/// let text = reader.decode(b"", |r| {
///     let mut s = String::new();
///     r.read_to_string(&mut s).map(|_| s)
/// })?;
/// assert_eq!(text, "fanatical");
///
/// // The second chunk gone: the snapshot is corrupt, and the error says why.
/// let reader = ChunkReader::new(7, 2, 9, |seq: u64, buf: &mut Vec<u8>| {
///     buf.clone_from(&stored[0]);
///     Ok(seq == 0)
/// });
/// let err = reader.decode(b"", |r| r.read_to_end(&mut Vec::new())).unwrap_err();
/// assert_eq!(
///     err,
///     StoreError::Corrupt { position: 7, reason: "snapshot: chunk 1 of 2 is missing".into() }
/// );
/// # Ok::<(), StoreError>(())
/// ```
pub struct ChunkReader<F> {
    next: F,
    position: u64,
    chunks: u64,
    len: u64,
    seq: u64,
    read: u64,
    current: Vec<u8>,
    at: usize,
    /// The first chunk's length: every chunk but the last has it.
    full: usize,
    error: Option<StoreError>,
}

impl<F> std::fmt::Debug for ChunkReader<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkReader")
            .field("position", &self.position)
            .field("chunks", &self.chunks)
            .field("len", &self.len)
            .field("seq", &self.seq)
            .field("read", &self.read)
            .finish_non_exhaustive()
    }
}

impl<F: FnMut(u64, &mut Vec<u8>) -> Result<bool, StoreError>> ChunkReader<F> {
    /// A reader of the snapshot at `position`, stored as `chunks` chunks
    /// holding `len` bytes in all, fetched with `next`.
    pub fn new(position: u64, chunks: u64, len: u64, next: F) -> Self {
        ChunkReader {
            next,
            position,
            chunks,
            len,
            seq: 0,
            read: 0,
            current: Vec::new(),
            at: 0,
            full: 0,
            error: None,
        }
    }

    fn corrupt(&self, reason: String) -> StoreError {
        StoreError::Corrupt {
            position: self.position,
            reason: format!("snapshot: {reason}"),
        }
    }

    /// Keeps `error` (the first one) and hands the decoder an I/O error.
    fn fail(&mut self, error: StoreError) -> io::Error {
        let text = error.to_string();
        self.error.get_or_insert(error);
        io::Error::other(text)
    }

    /// Checks that `magic` begins the bytes, runs `decode` over the rest
    /// and checks that it read every byte the chunks hold.
    ///
    /// # Errors
    /// What `next` failed with, as it was (a backend error stays one);
    /// [`StoreError::Corrupt`] at the snapshot's position for chunks that
    /// are not the ones recorded, bytes that do not begin with `magic`
    /// ("not in an encoding this store writes"), a decoder error, or bytes
    /// left after the value.
    pub fn decode<T, E: Display>(
        mut self,
        magic: &[u8],
        decode: impl FnOnce(&mut Self) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        let mut head = vec![0; magic.len()];
        if let Err(e) = io::Read::read_exact(&mut self, &mut head) {
            return Err(self.error.take().unwrap_or_else(|| {
                self.corrupt(format!("shorter than its encoding's name: {e}"))
            }));
        }
        if head != magic {
            return Err(self.corrupt("not in an encoding this store writes".into()));
        }
        let value = match decode(&mut self) {
            Ok(value) => value,
            Err(e) => {
                return Err(self
                    .error
                    .take()
                    .unwrap_or_else(|| self.corrupt(e.to_string())));
            }
        };
        let mut rest = [0u8; 1];
        match io::Read::read(&mut self, &mut rest) {
            Ok(0) => Ok(value),
            Ok(_) => Err(self.corrupt(format!(
                "{} bytes follow the value",
                self.len.saturating_sub(self.read) + (self.current.len() - self.at) as u64 + 1
            ))),
            Err(e) => Err(self
                .error
                .take()
                .unwrap_or_else(|| self.corrupt(e.to_string()))),
        }
    }
}

impl<F: FnMut(u64, &mut Vec<u8>) -> Result<bool, StoreError>> ChunkReader<F> {
    /// As [`ChunkReader::decode`], but every chunk is read into one buffer
    /// first and `decode` reads the bytes after `magic` from it
    /// ([`SnapshotRead::Whole`]). The chunks are checked as for `decode`;
    /// bytes the decoder leaves after the value are not seen.
    ///
    /// # Errors
    /// As [`ChunkReader::decode`]; [`StoreError::Corrupt`] too for a
    /// recorded size no buffer can hold.
    pub fn decode_whole<T, E: Display>(
        mut self,
        magic: &[u8],
        decode: impl FnOnce(&[u8]) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        let mut bytes = Vec::new();
        let size = usize::try_from(self.len).unwrap_or(usize::MAX);
        if bytes.try_reserve_exact(size).is_err() {
            return Err(self.corrupt(format!("{} bytes recorded: too many to read", self.len)));
        }
        if let Err(e) = io::Read::read_to_end(&mut self, &mut bytes) {
            return Err(self
                .error
                .take()
                .unwrap_or_else(|| self.corrupt(e.to_string())));
        }
        let Some(body) = bytes.strip_prefix(magic) else {
            return Err(self.corrupt("not in an encoding this store writes".into()));
        };
        decode(body).map_err(|e| self.corrupt(e.to_string()))
    }
}

impl<F: FnMut(u64, &mut Vec<u8>) -> Result<bool, StoreError>> io::Read for ChunkReader<F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Err(io::Error::other("the snapshot's chunks failed before"));
        }
        if self.at == self.current.len() {
            if self.seq == self.chunks {
                if self.read != self.len {
                    let e = self.corrupt(format!(
                        "its {} chunks hold {} bytes, not the {} recorded",
                        self.chunks, self.read, self.len
                    ));
                    return Err(self.fail(e));
                }
                return Ok(0);
            }
            // The chunk before is overwritten: one in memory at a time.
            match (self.next)(self.seq, &mut self.current) {
                Ok(true) => {}
                Ok(false) => {
                    let e =
                        self.corrupt(format!("chunk {} of {} is missing", self.seq, self.chunks));
                    return Err(self.fail(e));
                }
                Err(e) => return Err(self.fail(e)),
            }
            self.at = 0;
            let chunk = &self.current;
            if chunk.is_empty() {
                let e = self.corrupt(format!("chunk {} of {} is empty", self.seq, self.chunks));
                return Err(self.fail(e));
            }
            if self.seq == 0 {
                self.full = chunk.len();
            }
            let last = self.seq + 1 == self.chunks;
            if chunk.len() > self.full || (!last && chunk.len() < self.full) {
                let e = self.corrupt(format!(
                    "chunk {} of {} holds {} bytes, the first {}",
                    self.seq,
                    self.chunks,
                    chunk.len(),
                    self.full
                ));
                return Err(self.fail(e));
            }
            self.read = self.read.saturating_add(self.current.len() as u64);
            if self.read > self.len {
                let e = self.corrupt(format!(
                    "its chunks hold more than the {} bytes recorded",
                    self.len
                ));
                return Err(self.fail(e));
            }
            self.seq += 1;
        }
        let rest = self.current.get(self.at..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
            to.copy_from_slice(from);
        }
        self.at += n;
        Ok(n)
    }

    /// The decoder reads a byte or a few at a time: from the chunk in
    /// hand, a copy and no more (as a slice's reader does); across chunks,
    /// [`Read::read`](io::Read::read) until the buffer is full.
    #[inline]
    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        let end = self.at.saturating_add(buf.len());
        if self.error.is_none()
            && let Some(from) = self.current.get(self.at..end)
        {
            match (buf, from) {
                ([to], [from]) => *to = *from,
                (to, from) => to.copy_from_slice(from),
            }
            self.at = end;
            return Ok(());
        }
        let mut rest = buf;
        while !rest.is_empty() {
            match io::Read::read(self, rest) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => rest = rest.get_mut(n..).unwrap_or_default(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    fn written(size: usize, bytes: &[u8], pieces: usize) -> SnapshotChunks {
        let mut chunks = SnapshotChunks::new(size);
        for piece in bytes.chunks(pieces.max(1)) {
            chunks.write_all(piece).unwrap();
        }
        chunks
    }

    /// Fetches chunks from `stored`.
    fn from(stored: &[Vec<u8>]) -> impl FnMut(u64, &mut Vec<u8>) -> Result<bool, StoreError> {
        move |seq, buf| match stored.get(usize::try_from(seq).unwrap()) {
            Some(chunk) => {
                buf.clone_from(chunk);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn read_back(stored: &[Vec<u8>], len: u64) -> Result<Vec<u8>, StoreError> {
        let reader = ChunkReader::new(3, stored.len() as u64, len, from(stored));
        reader.decode(b"", |r| {
            let mut out = Vec::new();
            r.read_to_end(&mut out).map(|_| out)
        })
    }

    #[test]
    fn bytes_cut_into_chunks_read_back_whole_however_they_were_written() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for size in [1, 7, 64, 999, 1000, 1001, 4096] {
            for pieces in [1, 3, 100, 2000] {
                let chunks = written(size, &bytes, pieces);
                assert_eq!(chunks.len(), 1000);
                assert_eq!(chunks.count(), 1000usize.div_ceil(size));
                assert!(chunks.iter().all(|c| c.len() <= size && !c.is_empty()));
                let stored = chunks.into_chunks();
                assert!(stored.iter().all(|c| c.capacity() <= size.max(c.len())));
                assert_eq!(read_back(&stored, 1000).unwrap(), bytes, "{size} {pieces}");
            }
        }
        assert!(SnapshotChunks::new(0).is_empty());
        assert_eq!(written(0, b"ab", 1).count(), 2);
    }

    #[test]
    fn chunks_that_are_not_the_ones_recorded_are_corrupt_and_say_how() {
        let stored = written(4, b"fanatical", 9).into_chunks();
        let reason = |r: Result<Vec<u8>, StoreError>| match r {
            Err(StoreError::Corrupt {
                position: 3,
                reason,
            }) => reason,
            other => panic!("not corrupt: {other:?}"),
        };
        assert_eq!(
            reason(read_back(&stored[..2], 9)),
            "snapshot: its 2 chunks hold 8 bytes, not the 9 recorded"
        );
        assert_eq!(
            reason(read_back(&stored, 8)),
            "snapshot: its chunks hold more than the 8 bytes recorded"
        );
        let mut short = stored.clone();
        short[1].pop();
        assert_eq!(
            reason(read_back(&short, 9)),
            "snapshot: chunk 1 of 3 holds 3 bytes, the first 4"
        );
        let mut long = stored.clone();
        long[2].extend_from_slice(b"ly long");
        assert_eq!(
            reason(read_back(&long, 16)),
            "snapshot: chunk 2 of 3 holds 8 bytes, the first 4"
        );
        assert_eq!(
            reason(read_back(&stored, 10)),
            "snapshot: its 3 chunks hold 9 bytes, not the 10 recorded"
        );
        short[1].clear();
        assert_eq!(
            reason(read_back(&short, 9)),
            "snapshot: chunk 1 of 3 is empty"
        );
        // Recorded as four chunks, stored as three.
        let full = written(4, b"fanatical!!!", 12).into_chunks();
        let reader = ChunkReader::new(3, 4, 16, from(&full));
        let err = reader
            .decode(b"", |r| r.read_to_end(&mut Vec::new()))
            .unwrap_err();
        assert_eq!(
            err,
            StoreError::Corrupt {
                position: 3,
                reason: "snapshot: chunk 3 of 4 is missing".into()
            }
        );
    }

    #[test]
    fn read_whole_the_chunks_are_checked_the_same_way() {
        let stored = written(4, b"fanatical", 9).into_chunks();
        let whole = |stored: &[Vec<u8>], len| {
            ChunkReader::new(3, stored.len() as u64, len, from(stored))
                .decode_whole(b"fa", |b: &[u8]| String::from_utf8(b.to_vec()))
        };
        assert_eq!(whole(&stored, 9).unwrap(), "natical");
        assert_eq!(
            whole(&stored[..2], 9).unwrap_err(),
            StoreError::Corrupt {
                position: 3,
                reason: "snapshot: its 2 chunks hold 8 bytes, not the 9 recorded".into()
            }
        );
        let err = ChunkReader::new(3, 1, u64::MAX, from(&stored))
            .decode_whole(b"", |b: &[u8]| Ok::<_, String>(b.len()))
            .unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        let err = ChunkReader::new(3, 3, 9, from(&stored))
            .decode_whole(b"x", |b: &[u8]| Ok::<_, String>(b.len()))
            .unwrap_err();
        assert_eq!(
            err,
            StoreError::Corrupt {
                position: 3,
                reason: "snapshot: not in an encoding this store writes".into()
            }
        );
    }

    #[test]
    fn the_stores_failure_stays_a_backend_error_and_the_magic_and_the_end_are_checked() {
        let failing = ChunkReader::new(3, 2, 9, |seq, buf: &mut Vec<u8>| {
            if seq == 0 {
                buf.clone_from(&b"fana".to_vec());
                Ok(true)
            } else {
                Err(StoreError::backend_message("connection lost"))
            }
        });
        let err = failing
            .decode(b"fa", |r| r.read_to_end(&mut Vec::new()))
            .unwrap_err();
        assert_eq!(err, StoreError::backend_message("connection lost"));

        let stored = written(4, b"fanatical", 9).into_chunks();
        let reader = || ChunkReader::new(3, 3, 9, from(&stored));
        let err = reader()
            .decode(b"fanx", |_| Ok::<_, io::Error>(()))
            .unwrap_err();
        assert_eq!(
            err,
            StoreError::Corrupt {
                position: 3,
                reason: "snapshot: not in an encoding this store writes".into()
            }
        );
        // A decoder that stops early leaves bytes: corrupt, not accepted.
        let err = reader()
            .decode(b"fana", |r| {
                let mut two = [0; 2];
                r.read_exact(&mut two).map(|()| two)
            })
            .unwrap_err();
        assert_eq!(
            err,
            StoreError::Corrupt {
                position: 3,
                reason: "snapshot: 3 bytes follow the value".into()
            }
        );
        // The decoder's own complaint, when the chunks are fine.
        let err = reader()
            .decode(b"fana", |_| Err::<(), _>("not a value"))
            .unwrap_err();
        assert_eq!(
            err,
            StoreError::Corrupt {
                position: 3,
                reason: "snapshot: not a value".into()
            }
        );
    }
}
