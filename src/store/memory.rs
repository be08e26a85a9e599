use std::collections::{BTreeMap, BTreeSet};

use super::{RecordedEvent, Store, StoreError, StreamWrite};
use crate::event::StreamId;

/// The embedded default store: everything in memory, nothing persisted.
///
/// Appends cost O(events written · log streams); `read_stream` costs
/// O(log streams + events returned); `read_all` O(events returned).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryStore {
    /// Every event in global order; position `p` is at index `p - 1`.
    log: Vec<RecordedEvent>,
    /// Each stream's events as indexes into `log`, in version order.
    streams: BTreeMap<StreamId, Vec<usize>>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many events are stored.
    #[must_use]
    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// Whether nothing is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    fn version_of(&self, stream: &StreamId) -> u64 {
        self.streams
            .get(stream)
            .map_or(0, |v| u64::try_from(v.len()).unwrap_or(u64::MAX))
    }
}

impl Store for MemoryStore {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        // Check everything before writing anything: all or nothing.
        let mut seen = BTreeSet::new();
        for w in batch {
            if !seen.insert(w.stream) {
                return Err(StoreError::DuplicateStreamInBatch(w.stream));
            }
            let actual = self.version_of(&w.stream);
            if !w.expected.matches(actual) {
                return Err(StoreError::Conflict {
                    stream: w.stream,
                    expected: w.expected,
                    actual,
                });
            }
        }
        let mut out = Vec::new();
        for w in batch {
            let mut version = self.version_of(&w.stream);
            for e in &w.events {
                version = version.saturating_add(1);
                let position = u64::try_from(self.log.len())
                    .unwrap_or(u64::MAX)
                    .saturating_add(1);
                let recorded = RecordedEvent {
                    id: e.id,
                    stream: w.stream,
                    version,
                    position,
                    schema: e.schema,
                    actor: e.actor.clone(),
                    command: e.command.clone(),
                    event: e.event.clone(),
                };
                self.streams
                    .entry(w.stream)
                    .or_default()
                    .push(self.log.len());
                self.log.push(recorded.clone());
                out.push(recorded);
            }
        }
        Ok(out)
    }

    fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let Some(indexes) = self.streams.get(stream) else {
            return Ok(Vec::new());
        };
        let skip = usize::try_from(after_version).unwrap_or(usize::MAX);
        Ok(indexes
            .iter()
            .skip(skip)
            .filter_map(|&i| self.log.get(i).cloned())
            .collect())
    }

    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let start = usize::try_from(after).unwrap_or(usize::MAX);
        Ok(self.log.iter().skip(start).take(limit).cloned().collect())
    }

    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        Ok(self.version_of(stream))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_passes_the_conformance_suite() {
        let report = super::super::conformance::run_all(MemoryStore::new);
        assert!(report.is_ok(), "{report:?}");
        assert_eq!(report.map(|n| n > 5), Ok(true));
    }
}
