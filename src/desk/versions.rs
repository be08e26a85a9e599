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
//! map. Nothing iterates it
//! but serialization, which writes the streams in order, so a snapshot's
//! bytes (and its checksum) do not depend on the order streams arrived in
//! and read back as the `BTreeMap` this replaced wrote them.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::event::StreamId;

/// Stream → version, for every stream the desk holds in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Versions(HashMap<StreamId, u64, Fixed>);

/// The hasher of the desk's hash maps: foldhash with its fixed seed.
pub(super) type Fixed = foldhash::fast::FixedState;

impl Versions {
    /// The stream's version; 0 for a stream the desk does not hold.
    pub(super) fn get(&self, stream: &StreamId) -> u64 {
        self.0.get(stream).copied().unwrap_or(0)
    }

    /// Records the stream at `version`.
    pub(super) fn insert(&mut self, stream: StreamId, version: u64) {
        self.0.insert(stream, version);
    }

    /// Forgets the stream (its ticket was archived).
    pub(super) fn remove(&mut self, stream: &StreamId) {
        self.0.remove(stream);
    }
}

impl Serialize for Versions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut sorted: Vec<(&StreamId, &u64)> = self.0.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        serializer.collect_map(sorted)
    }
}

impl<'de> Deserialize<'de> for Versions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let sorted = BTreeMap::<StreamId, u64>::deserialize(deserializer)?;
        let mut map = HashMap::with_capacity_and_hasher(sorted.len(), Fixed::default());
        map.extend(sorted);
        Ok(Versions(map))
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
        assert_eq!(
            back.get(&StreamId::Customer(
                CustomerId::from_uuid(uuid::Uuid::nil())
            )),
            0
        );
    }
}
