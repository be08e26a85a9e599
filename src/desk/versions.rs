//! Every live stream's version: the one lookup each applied event makes,
//! and each decision's expected versions.
//!
//! A hash map, not a B-tree: at story 004's scale it holds millions of
//! streams, and replaying the record looks each event's stream up and
//! moves it on, where a B-tree's twenty-odd comparisons of stream ids (and
//! their cache misses) were the largest single cost of a replay. The
//! hasher is foldhash with a fixed seed: fast on the 17 bytes of a stream
//! id, and deterministic (no randomness asked of the OS, as the library
//! asks none), so two desks that applied the same events hold the same
//! map. Stream ids are chosen by the services that call the desk, not by
//! the people writing in, so a fixed seed gives nobody a way to crowd one
//! bucket. Nothing iterates the map but serialization (and `Debug`, in no
//! particular order), and serialization writes the streams in order: a snapshot's bytes (and its checksum) do not depend
//! on the order streams arrived in, and read back as the `BTreeMap` this
//! replaced wrote them.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::event::StreamId;

/// The hasher of the desk's hash maps: foldhash with its fixed seed.
pub(super) type Fixed = foldhash::fast::FixedState;

/// Stream → version, for every stream the desk holds in memory.
///
/// A version is kept in 32 bits (an entry is then 24 bytes, not 32); the
/// rare stream past `u32::MAX - 1` events keeps `u32::MAX` there and its
/// version in `wide`, which holds nothing else, so equal contents are
/// equal maps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Versions {
    narrow: HashMap<StreamId, u32, Fixed>,
    wide: BTreeMap<StreamId, u64>,
}

impl Versions {
    /// The stream's version; 0 for a stream the desk does not hold.
    pub(super) fn get(&self, stream: &StreamId) -> u64 {
        match self.narrow.get(stream) {
            None => 0,
            Some(&u32::MAX) => self
                .wide
                .get(stream)
                .copied()
                .unwrap_or(u64::from(u32::MAX)),
            Some(&v) => u64::from(v),
        }
    }

    /// Records the stream at `version`.
    pub(super) fn insert(&mut self, stream: StreamId, version: u64) {
        match u32::try_from(version) {
            Ok(v) if v < u32::MAX => {
                self.narrow.insert(stream, v);
                if !self.wide.is_empty() {
                    self.wide.remove(&stream);
                }
            }
            _ => {
                self.narrow.insert(stream, u32::MAX);
                self.wide.insert(stream, version);
            }
        }
    }

    /// Forgets the stream (its ticket was archived).
    pub(super) fn remove(&mut self, stream: &StreamId) {
        self.narrow.remove(stream);
        if !self.wide.is_empty() {
            self.wide.remove(stream);
        }
    }

    /// Gives back the room of forgotten streams. A hash map keeps the room
    /// of its largest size; a replay passes through every ticket that was
    /// ever live at once, so it ends with room for streams archived since.
    /// An eighth is left free, so the first streams opened after a restart
    /// do not make the whole table grow at once.
    pub(super) fn shrink(&mut self) {
        let len = self.narrow.len();
        self.narrow.shrink_to(len.saturating_add(len / 8));
    }

    /// Every stream and its version, in stream order.
    fn sorted(&self) -> Vec<(StreamId, u64)> {
        let mut sorted: Vec<(StreamId, u64)> =
            self.narrow.keys().map(|s| (*s, self.get(s))).collect();
        sorted.sort_unstable_by_key(|(stream, _)| *stream);
        sorted
    }
}

impl Serialize for Versions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.sorted())
    }
}

impl<'de> Deserialize<'de> for Versions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let sorted = BTreeMap::<StreamId, u64>::deserialize(deserializer)?;
        let mut versions = Versions {
            narrow: HashMap::with_capacity_and_hasher(sorted.len(), Fixed::default()),
            wide: BTreeMap::new(),
        };
        for (stream, version) in sorted {
            versions.insert(stream, version);
        }
        Ok(versions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{CustomerId, TicketId};

    fn stream(n: u128) -> StreamId {
        StreamId::Ticket(TicketId::from_uuid(uuid::Uuid::from_u128(n)))
    }

    #[test]
    fn serializes_in_stream_order_whatever_the_arrival_order() {
        let mut forward = Versions::default();
        let mut backward = Versions::default();
        for n in 1..=200 {
            forward.insert(stream(n), n as u64);
        }
        for n in (1..=200).rev() {
            backward.insert(stream(n), n as u64);
        }
        // Grown and shrunk: another capacity, the same content.
        for n in 201..=400 {
            backward.insert(stream(n), 1);
        }
        for n in 201..=400 {
            backward.remove(&stream(n));
        }
        backward.shrink();
        let a = serde_json::to_string(&forward).unwrap();
        let b = serde_json::to_string(&backward).unwrap();
        assert_eq!(a, b);
        assert_eq!(forward, backward);
        // The same bytes as the B-tree map it replaced.
        let tree: BTreeMap<StreamId, u64> = (1..=200).map(|n| (stream(n), n as u64)).collect();
        assert_eq!(a, serde_json::to_string(&tree).unwrap());
        let back: Versions = serde_json::from_str(&a).unwrap();
        assert_eq!(back, forward);
        assert_eq!(back.get(&stream(7)), 7);
        let nobody = StreamId::Customer(CustomerId::from_uuid(uuid::Uuid::nil()));
        assert_eq!(back.get(&nobody), 0);
    }

    #[test]
    fn versions_past_32_bits_are_kept_whole() {
        let mut v = Versions::default();
        let big = u64::from(u32::MAX);
        for (n, version) in [(1, big - 1), (2, big), (3, big + 1), (4, u64::MAX)] {
            v.insert(stream(n), version);
            assert_eq!(v.get(&stream(n)), version);
        }
        assert_eq!(v.wide.len(), 3);
        // Back under 32 bits (a stream forgotten and opened again).
        v.insert(stream(3), 7);
        assert_eq!(v.get(&stream(3)), 7);
        v.remove(&stream(4));
        assert_eq!(v.get(&stream(4)), 0);
        assert_eq!(v.wide.len(), 1);
        let json = serde_json::to_string(&v).unwrap();
        let back: Versions = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
        assert_eq!(back.get(&stream(2)), big);
        assert_eq!(back.get(&stream(1)), big - 1);
        assert_eq!(back.get(&stream(3)), 7);
    }
}
