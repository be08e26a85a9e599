//! The conformance suite can fail, and says why: for each check, a store
//! broken in the one way that check is about (a wrapper around
//! `MemoryStore`) fails the suite, and that check is the only one to fail.
//! A store whose reads never run out fails too, rather than hanging.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use fanatical::actor::Actor;
use fanatical::event::{SCHEMA_VERSION, StreamId};
use fanatical::id::CustomerId;
use fanatical::store::conformance::{self, ConformanceFailure, Suite};
use fanatical::store::{
    Erasure, ExpectedVersion, MemoryStore, RecordedEvent, Store, StoreError, StreamWrite,
};
use serde_json::Value;
use uuid::Uuid;

/// One way to be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Text over 64 KiB is cut there (a column with a size limit).
    TruncatesLongText,
    /// Instants lose their fraction of a second.
    RoundsInstants,
    /// Durations lose their fraction of a second (whole seconds on disk).
    RoundsDurations,
    /// Every character beyond ASCII becomes `?` (a Latin-1 column).
    MangleNonAscii,
    /// Integration names lose what is beyond ASCII (the event is kept
    /// right, the actor column is not).
    MangleNonAsciiActors,
    /// Decomposed accents are composed (Unicode normalisation).
    NormalisesText,
    /// A ticket's SLA record is kept under the ticket's key.
    MergesSlaIntoTicket,
    /// `read_all` returns the event at `after` again.
    RepeatsAfterInReadAll,
    /// `read_all` after the first page always returns a full page.
    NeverRunsOut,
    /// `read_stream` returns the event at `after_version` again.
    RepeatsAfterInReadStream,
    /// A conflict reports the stream's version as 0.
    MisreportsConflicts,
    /// `ExpectedVersion::Any` is taken as "the stream is new".
    AnyMeansNew,
    /// Two writes to one stream in a batch are merged, not refused.
    MergesDuplicateWrites,
    /// Writes with no events are dropped, unchecked.
    SkipsEmptyWrites,
    /// A batch is written one write at a time.
    NotAtomic,
    /// `read_stream` returns at most 1,000 events.
    CapsStreams,
    /// Every event reads as written in the current schema.
    ForgetsSchema,
    /// The command key is not kept.
    DropsCommandKey,
    /// The desk as actor (a timer, a rule) is not kept; agents and
    /// integrations are.
    DropsSystemActors,
    /// `append` returns its events in reverse.
    ReversedReceipt,
    /// Its table is made by the first append: reading before any fails.
    LazyTable,
    /// A batch's writes are stored last first.
    ReversesBatch,
    /// Customer streams are keyed by the low half of their UUID.
    KeysByHalfTheUuid,
    /// An erasure appends its batch and keeps the old text.
    KeepsErasedText,
}

struct Broken {
    inner: MemoryStore,
    fault: Fault,
    /// Whether `append` has been called (for [`Fault::LazyTable`]).
    appended: bool,
}

impl Broken {
    fn new(fault: Fault) -> Self {
        Broken {
            inner: MemoryStore::new(),
            fault,
            appended: false,
        }
    }

    fn key(&self, s: StreamId) -> StreamId {
        match (self.fault, s) {
            (Fault::MergesSlaIntoTicket, StreamId::Sla(t)) => StreamId::Ticket(t),
            (Fault::KeysByHalfTheUuid, StreamId::Customer(c)) => {
                let low = c.as_uuid().as_u128() & u128::from(u64::MAX);
                StreamId::Customer(CustomerId::from_uuid(Uuid::from_u128(low)))
            }
            _ => s,
        }
    }

    fn table(&self) -> Result<(), StoreError> {
        if self.fault == Fault::LazyTable && !self.appended {
            return Err(StoreError::backend_message("no such table: events"));
        }
        Ok(())
    }

    /// What a reader gets back, through the fault.
    fn out(&self, mut events: Vec<RecordedEvent>) -> Vec<RecordedEvent> {
        for r in &mut events {
            match self.fault {
                Fault::ForgetsSchema => r.schema = SCHEMA_VERSION,
                Fault::DropsCommandKey => r.command = None,
                Fault::DropsSystemActors => {
                    if matches!(r.actor, Some(Actor::System(_))) {
                        r.actor = None;
                    }
                }
                Fault::MangleNonAsciiActors => {
                    if let Some(Actor::Integration(name)) = &r.actor {
                        let ascii: String = name
                            .chars()
                            .map(|c| if c.is_ascii() { c } else { '?' })
                            .collect();
                        r.actor = Some(Actor::integration(&ascii));
                    }
                }
                _ => {}
            }
            let edit: Option<fn(&mut Value)> = match self.fault {
                Fault::TruncatesLongText => Some(truncate),
                Fault::RoundsInstants => Some(round_instants),
                Fault::RoundsDurations => Some(round_durations),
                Fault::MangleNonAscii => Some(ascii_only),
                Fault::NormalisesText => Some(compose),
                _ => None,
            };
            if let Some(edit) = edit {
                let mut v = serde_json::to_value(&r.event).unwrap();
                edit(&mut v);
                // Rounded past chrono's range: kept as it was.
                if let Ok(event) = serde_json::from_value(v) {
                    r.event = event;
                }
            }
        }
        events
    }
}

fn strings(v: &mut Value, f: &dyn Fn(&mut String)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter_mut().for_each(|v| strings(v, f)),
        Value::Object(o) => o.values_mut().for_each(|v| strings(v, f)),
        _ => {}
    }
}

fn truncate(v: &mut Value) {
    strings(v, &|s| {
        let mut end = s.len().min(65_535);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    });
}

fn round_instants(v: &mut Value) {
    strings(v, &|s| {
        if let Ok(t) = s.parse::<DateTime<Utc>>() {
            let whole = DateTime::from_timestamp(t.timestamp(), 0).unwrap();
            *s = serde_json::to_value(whole)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned();
        }
    });
}

fn round_durations(v: &mut Value) {
    match v {
        Value::Object(o) if o.len() == 2 && o.contains_key("secs") && o.contains_key("nanos") => {
            *v = o["secs"].clone();
        }
        Value::Array(a) => a.iter_mut().for_each(round_durations),
        Value::Object(o) => o.values_mut().for_each(round_durations),
        _ => {}
    }
}

fn ascii_only(v: &mut Value) {
    strings(v, &|s| {
        *s = s
            .chars()
            .map(|c| if c.is_ascii() { c } else { '?' })
            .collect();
    });
}

fn compose(v: &mut Value) {
    strings(v, &|s| *s = s.replace("e\u{301}", "\u{e9}"));
}

fn distinct(batch: &[StreamWrite]) -> bool {
    let streams: std::collections::BTreeSet<_> = batch.iter().map(|w| w.stream).collect();
    streams.len() == batch.len()
}

impl Store for Broken {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        self.appended = true;
        let mut batch: Vec<StreamWrite> = batch
            .iter()
            .map(|w| StreamWrite {
                stream: self.key(w.stream),
                ..w.clone()
            })
            .collect();
        match self.fault {
            Fault::MisreportsConflicts => {
                return self.inner.append(&batch).map_err(|e| match e {
                    StoreError::Conflict {
                        stream, expected, ..
                    } => StoreError::Conflict {
                        stream,
                        expected,
                        actual: 0,
                    },
                    e => e,
                });
            }
            Fault::AnyMeansNew => {
                for w in &mut batch {
                    if w.expected == ExpectedVersion::Any {
                        w.expected = ExpectedVersion::Exact(0);
                    }
                }
            }
            Fault::MergesDuplicateWrites => {
                let mut merged: Vec<StreamWrite> = Vec::new();
                for w in batch {
                    match merged.iter_mut().find(|m| m.stream == w.stream) {
                        Some(m) => m.events.extend(w.events),
                        None => merged.push(w),
                    }
                }
                batch = merged;
            }
            Fault::SkipsEmptyWrites => batch.retain(|w| !w.events.is_empty()),
            // (Two writes of one stream are still refused.)
            Fault::ReversesBatch if distinct(&batch) => batch.reverse(),
            Fault::NotAtomic if distinct(&batch) => {
                let mut out = Vec::new();
                for w in &batch {
                    out.extend(self.inner.append(std::slice::from_ref(w))?);
                }
                return Ok(out);
            }
            Fault::ReversedReceipt => {
                let mut out = self.inner.append(&batch)?;
                out.reverse();
                return Ok(out);
            }
            _ => {}
        }
        self.inner.append(&batch)
    }

    fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.table()?;
        let s = self.key(*s);
        let after = match self.fault {
            Fault::RepeatsAfterInReadStream => after.saturating_sub(1),
            _ => after,
        };
        let mut events = self.inner.read_stream(&s, after)?;
        if self.fault == Fault::CapsStreams {
            events.truncate(1_000);
        }
        Ok(self.out(events))
    }

    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.table()?;
        match self.fault {
            Fault::RepeatsAfterInReadAll => {
                return Ok(self.out(self.inner.read_all(after.saturating_sub(1), limit)?));
            }
            Fault::NeverRunsOut if after > 0 && limit <= 1_000 => {
                // Events of its own, at ever later positions.
                let log = self.inner.read_all(0, usize::MAX)?;
                let page = (1..=limit as u64)
                    .zip(log.iter().cycle())
                    .map(|(i, r)| RecordedEvent {
                        position: after + i,
                        ..r.clone()
                    })
                    .collect();
                return Ok(page);
            }
            _ => {}
        }
        Ok(self.out(self.inner.read_all(after, limit)?))
    }

    /// (Versions come from a table of their own, made up front.)
    fn stream_version(&self, s: &StreamId) -> Result<u64, StoreError> {
        self.inner.stream_version(&self.key(*s))
    }

    /// Erases faithfully (a stale batch first refused, so a conflict
    /// erases nothing), then appends through the fault — unless the fault
    /// is keeping what it was told to erase.
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        if self.fault != Fault::KeepsErasedText {
            for w in batch {
                let actual = self.inner.stream_version(&self.key(w.stream))?;
                if !w.expected.matches(actual) {
                    return Err(StoreError::Conflict {
                        stream: w.stream,
                        expected: w.expected,
                        actual,
                    });
                }
            }
            self.inner.append_erasing(&[], erasure)?;
        }
        self.append(batch)
    }
}

fn failed(
    result: Result<conformance::ConformanceReport, Vec<ConformanceFailure>>,
) -> Vec<&'static str> {
    match result {
        Ok(report) => panic!("the broken store passed: {report}"),
        Err(failures) => failures.iter().map(|f| f.check).collect(),
    }
}

#[test]
fn each_broken_store_fails_exactly_the_check_about_its_fault() {
    let cases = [
        (Fault::TruncatesLongText, "long_text_round_trips"),
        (Fault::RoundsInstants, "sub_second_precision_round_trips"),
        (Fault::RoundsDurations, "sub_second_precision_round_trips"),
        (Fault::MangleNonAscii, "non_ascii_text_round_trips"),
        (Fault::NormalisesText, "non_ascii_text_round_trips"),
        (Fault::MangleNonAsciiActors, "non_ascii_text_round_trips"),
        (
            Fault::MergesSlaIntoTicket,
            "every_stream_kind_is_its_own_stream",
        ),
        (
            Fault::RepeatsAfterInReadAll,
            "read_all_after_position_with_limit",
        ),
        (Fault::NeverRunsOut, "read_all_after_position_with_limit"),
        (Fault::RepeatsAfterInReadStream, "read_stream_after_version"),
        (
            Fault::MisreportsConflicts,
            "stale_version_conflicts_and_writes_nothing",
        ),
        (Fault::AnyMeansNew, "any_version_always_appends"),
        (
            Fault::MergesDuplicateWrites,
            "duplicate_stream_in_batch_is_rejected",
        ),
        (Fault::SkipsEmptyWrites, "empty_write_checks_version_only"),
        (Fault::NotAtomic, "failed_batch_leaves_nothing_behind"),
        (Fault::CapsStreams, "large_stream_round_trips"),
        (Fault::ForgetsSchema, "schema_version_round_trips"),
        (Fault::DropsSystemActors, "actor_and_command_round_trip"),
        (Fault::ReversedReceipt, "append_then_read_in_order"),
        (Fault::LazyTable, "empty_store_reads_nothing"),
        (Fault::ReversesBatch, "versions_per_stream_positions_global"),
        (Fault::KeysByHalfTheUuid, "streams_are_isolated"),
        (Fault::KeepsErasedText, "erasure_redacts_in_place"),
    ];
    // Every check of the suite is named by one fault or more.
    for (name, _) in conformance::CHECKS {
        assert!(
            cases.iter().any(|(_, c)| c == name),
            "no broken store for {name}"
        );
    }
    for (fault, check) in cases {
        let names = failed(conformance::run_all(|| Broken::new(fault)));
        assert_eq!(names, [check], "{fault:?}");
    }
    // Some faults are about more than one check: each names them all.
    let names = failed(conformance::run_all(|| Broken::new(Fault::DropsCommandKey)));
    assert_eq!(
        names,
        ["actor_and_command_round_trip", "non_ascii_text_round_trips"]
    );
}

#[test]
fn a_failure_names_its_check_and_what_the_store_did() {
    let failures = conformance::run_all(|| Broken::new(Fault::RoundsInstants)).unwrap_err();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].check, "sub_second_precision_round_trips");
    assert_eq!(
        failures[0].to_string(),
        "store conformance check sub_second_precision_round_trips failed: \
         read_stream: the instant 2026-01-01T00:00:00.000000001Z came back different"
    );
    let failures = conformance::run_all(|| Broken::new(Fault::NeverRunsOut)).unwrap_err();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].check, "read_all_after_position_with_limit");
    assert_eq!(
        failures[0].detail,
        "read_all still returns events after 10 pages of 3 (of 10 events)"
    );
}

/// Handles on one log, as connections share a database file; a copy is a
/// handle on a snapshot instead.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<MemoryStore>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, MemoryStore> {
        self.0.lock().unwrap()
    }
    fn snapshot(&self) -> Shared {
        Shared(Arc::new(Mutex::new(self.lock().clone())))
    }
}

impl Store for Shared {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        self.lock().append(batch)
    }
    fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.lock().read_stream(s, after)
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.lock().read_all(after, limit)
    }
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.lock().append_erasing(batch, erasure)
    }
}

#[test]
fn the_hooked_checks_pass_a_good_store_and_catch_their_broken_ones() {
    // Shared handles, reopened as themselves: every check runs and holds.
    let report = Suite::new(Shared::default)
        .reopen(Ok)
        .second_handle(|s: &Shared| Ok(s.clone()))
        .run()
        .unwrap_or_else(|f| panic!("{f:#?}"));
    assert!(report.skipped.is_empty(), "{report}");
    assert!(report.passed.contains(&conformance::SURVIVES_REOPENING));
    assert!(
        report
            .passed
            .contains(&conformance::TWO_HANDLES_WRITE_AT_ONCE)
    );

    // Reopening finds an empty store: not durable.
    let names = failed(
        Suite::new(Shared::default)
            .reopen(|_| Ok(Shared::default()))
            .run(),
    );
    assert_eq!(names, [conformance::SURVIVES_REOPENING]);

    // Reopening fails outright.
    let failures = Suite::new(Shared::default)
        .reopen(|_| Err(StoreError::backend_message("file vanished")))
        .run()
        .unwrap_err();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].check, conformance::SURVIVES_REOPENING);
    assert_eq!(
        failures[0].detail,
        "could not reopen: store backend failed: file vanished"
    );

    // The second handle reads a snapshot, not the store.
    let names = failed(
        Suite::new(Shared::default)
            .second_handle(|s: &Shared| Ok(s.snapshot()))
            .run(),
    );
    assert_eq!(names, [conformance::TWO_HANDLES_WRITE_AT_ONCE]);
}

/// A lease store broken in one way.
#[derive(Debug, Clone, Copy)]
enum LeaseFault {
    /// Grants every lease, whoever holds it.
    NeverHolds,
    /// Finishes and releases whatever token it is given.
    NoFencing,
    /// Forgets that a delivery was finished: grants its lease again.
    ForgetsFinished,
}

struct BrokenLeases {
    inner: MemoryStore,
    fault: LeaseFault,
    /// The leases handed out, to finish or release without fencing.
    taken: Vec<fanatical::store::Lease>,
}

impl fanatical::store::DeliveryLeases for BrokenLeases {
    fn take_lease(
        &mut self,
        message: fanatical::id::MessageId,
        holder: &fanatical::store::LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<fanatical::store::LeaseOutcome, StoreError> {
        use fanatical::store::LeaseOutcome;
        let got = self.inner.take_lease(message, holder, now, until)?;
        let got = match (self.fault, got) {
            (LeaseFault::NeverHolds, LeaseOutcome::Held { .. }) => {
                LeaseOutcome::Taken(fanatical::store::Lease {
                    message,
                    holder: holder.clone(),
                    token: 99,
                    until,
                })
            }
            (LeaseFault::ForgetsFinished, LeaseOutcome::Finished) => {
                LeaseOutcome::Taken(fanatical::store::Lease {
                    message,
                    holder: holder.clone(),
                    token: 99,
                    until,
                })
            }
            (_, got) => got,
        };
        if let LeaseOutcome::Taken(l) = &got {
            self.taken.push(l.clone());
        }
        Ok(got)
    }
    fn finish_lease(&mut self, lease: &fanatical::store::Lease) -> Result<bool, StoreError> {
        if let LeaseFault::NoFencing = self.fault {
            let latest = self
                .taken
                .iter()
                .rev()
                .find(|l| l.message == lease.message)
                .cloned();
            return Ok(latest.is_some_and(|l| self.inner.finish_lease(&l).unwrap_or(false)));
        }
        self.inner.finish_lease(lease)
    }
    fn release_lease(&mut self, lease: &fanatical::store::Lease) -> Result<bool, StoreError> {
        if let LeaseFault::NoFencing = self.fault {
            let latest = self
                .taken
                .iter()
                .rev()
                .find(|l| l.message == lease.message)
                .cloned();
            return Ok(latest.is_some_and(|l| self.inner.release_lease(&l).unwrap_or(false)));
        }
        self.inner.release_lease(lease)
    }
}

#[test]
fn each_broken_lease_store_fails_the_lease_checks_about_its_fault() {
    for (fault, want) in [
        (
            LeaseFault::NeverHolds,
            vec![
                "a_live_lease_is_held_from_others",
                "the_holder_renews_its_lease",
                "a_lost_lease_cannot_finish_or_release",
                "leases_are_per_message",
            ],
        ),
        (
            LeaseFault::NoFencing,
            vec!["a_lost_lease_cannot_finish_or_release"],
        ),
        (
            LeaseFault::ForgetsFinished,
            vec!["a_finished_lease_is_for_good"],
        ),
    ] {
        let failures = conformance::run_lease_checks(|| BrokenLeases {
            inner: MemoryStore::new(),
            fault,
            taken: Vec::new(),
        })
        .expect_err("a broken lease store passed");
        let mut got: Vec<&str> = failures.iter().map(|f| f.check).collect();
        got.sort_unstable();
        let mut want = want;
        want.sort_unstable();
        assert_eq!(got, want, "{fault:?}: {failures:#?}");
    }
}
