//! Every recorded field survives a JSON round trip exactly, so a desk on a
//! JSON or SQL store is the desk on `MemoryStore`: instants keep their
//! nanoseconds, and so do durations (credit downtime, incident cadence,
//! SLA clocks), whatever their size.
//!
//! The durations of each event kind are found, not listed: an integer of
//! a golden record is a duration when it also reads as seconds and
//! nanoseconds (`{"secs": 1, "nanos": 500000000}`), so a duration field
//! added later is covered without touching this file.
//!
//! Case counts follow `FANATICAL_PROPTEST_CASES` (see `crate::cases`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use fanatical::actor::Actor;
use fanatical::customer::{AccountStanding, Currency, CustomerCommand, Money, Tier};
use fanatical::desk::{CustomerAction, Desk, IncidentAction};
use fanatical::id::{ComponentId, IncidentId};
use fanatical::incident::{Audience, ComponentState, IncidentEventKind, IncidentStatus, Messages};
use fanatical::store::{MemoryStore, RecordedEvent, Store, StreamWrite};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Every golden record: one per event kind, and the older schemas.
fn golden() -> Vec<(String, Value)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut out = Vec::new();
    for sub in ["events", "v0", "v1"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(sub))
            .unwrap()
            .map(|f| f.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = format!("{sub}/{}", path.file_name().unwrap().to_string_lossy());
            out.push((name, serde_json::from_str(&text).unwrap()));
        }
    }
    out
}

/// JSON pointers to every leaf of `v`, with the leaf.
fn leaves<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let k = k.replace('~', "~0").replace('/', "~1");
                leaves(child, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                leaves(child, format!("{at}/{i}"), out);
            }
        }
        leaf => out.push((at, leaf)),
    }
}

fn reads(v: &Value) -> bool {
    serde_json::from_value::<RecordedEvent>(v.clone()).is_ok()
}

/// Where a record holds instants and durations.
struct Shape {
    name: String,
    record: Value,
    instants: Vec<String>,
    durations: Vec<String>,
}

fn shapes() -> Vec<Shape> {
    golden()
        .into_iter()
        .map(|(name, record)| {
            assert!(reads(&record), "{name} does not read");
            let mut all = Vec::new();
            leaves(&record, String::new(), &mut all);
            let mut instants = Vec::new();
            let mut durations = Vec::new();
            for (at, leaf) in all {
                match leaf {
                    Value::String(s) if s.parse::<DateTime<Utc>>().is_ok() => instants.push(at),
                    Value::Number(n) if n.is_i64() || n.is_u64() => {
                        let mut probe = record.clone();
                        *probe.pointer_mut(&at).unwrap() = json!({"secs": 1, "nanos": 500_000_000});
                        if reads(&probe) {
                            durations.push(at);
                        }
                    }
                    _ => {}
                }
            }
            Shape {
                name,
                record,
                instants,
                durations,
            }
        })
        .collect()
}

/// Any instant chrono represents, to the nanosecond.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let (lo, hi) = (
        DateTime::<Utc>::MIN_UTC.timestamp(),
        DateTime::<Utc>::MAX_UTC.timestamp(),
    );
    prop_oneof![
        1 => Just(DateTime::<Utc>::MIN_UTC),
        1 => Just(DateTime::<Utc>::MAX_UTC),
        8 => (lo..=hi, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap()),
    ]
}

/// Durations with a fraction of a second: small, large, negative, chrono's
/// limits.
fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        1 => Just(Duration::MAX),
        1 => Just(Duration::MIN),
        4 => (0i64..86_400 * 7, 1u32..1_000_000_000)
            .prop_map(|(s, n)| Duration::new(s, n).unwrap()),
        2 => (-(i64::MAX / 1000)..i64::MAX / 1000, 0u32..1_000_000_000)
            .prop_map(|(s, n)| Duration::new(s, n).unwrap_or(Duration::MAX)),
    ]
}

fn split(d: Duration) -> Value {
    let n = i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos());
    json!({
        "secs": i64::try_from(n.div_euclid(1_000_000_000)).unwrap(),
        "nanos": u32::try_from(n.rem_euclid(1_000_000_000)).unwrap(),
    })
}

/// The duration a written leaf holds: seconds and nanoseconds, or an
/// integer in the field's unit (seconds or nanoseconds).
fn written_is(leaf: &Value, d: Duration) -> bool {
    let n = i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos());
    match leaf {
        Value::Number(x) => x
            .as_i64()
            .is_some_and(|x| i128::from(x) == n || i128::from(x) * 1_000_000_000 == n),
        other => *other == split(d),
    }
}

#[test]
fn the_durations_of_recorded_events_are_found() {
    let shapes = shapes();
    let found: Vec<String> = shapes
        .iter()
        .flat_map(|s| s.durations.iter().map(move |d| format!("{}{d}", s.name)))
        .collect();
    for must in [
        "events/incident.credit_issued.json/event/event/kind/credit/downtime/major",
        "events/incident.declared.json/event/event/kind/cadence/every",
    ] {
        assert!(found.iter().any(|f| f == must), "{must} not in {found:#?}");
    }
    assert!(
        found.iter().any(|f| f.starts_with("events/sla.")),
        "{found:#?}"
    );
    assert!(
        shapes.iter().all(|s| !s.instants.is_empty()),
        "every record has its instant"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(64)))]

    /// Every event kind, with instants anywhere in chrono's range and
    /// durations with fractions of a second, reads, writes and reads back
    /// equal, and the written JSON holds the very values given.
    #[test]
    fn every_event_kind_round_trips_exactly(
        instants in proptest::collection::vec(instant(), 8),
        durations in proptest::collection::vec(duration(), 8),
    ) {
        for shape in shapes_cached() {
            let mut v = shape.record.clone();
            for (i, at) in shape.instants.iter().enumerate() {
                let t = instants[i % instants.len()];
                *v.pointer_mut(at).unwrap() = serde_json::to_value(t).unwrap();
            }
            for (i, at) in shape.durations.iter().enumerate() {
                *v.pointer_mut(at).unwrap() = split(durations[i % durations.len()]);
            }
            let read: RecordedEvent = serde_json::from_value(v)
                .map_err(|e| TestCaseError::fail(format!("{}: {e}", shape.name)))?;
            let text = serde_json::to_string(&read).unwrap();
            let back: RecordedEvent = serde_json::from_str(&text)
                .map_err(|e| TestCaseError::fail(format!("{}: {e}: {text}", shape.name)))?;
            prop_assert_eq!(&back, &read, "{}", shape.name);
            let written: Value = serde_json::from_str(&text).unwrap();
            for (i, at) in shape.instants.iter().enumerate() {
                let t: DateTime<Utc> = serde_json::from_value(written.pointer(at).unwrap().clone()).unwrap();
                prop_assert_eq!(t, instants[i % instants.len()], "{}{}", shape.name, at);
            }
            for (i, at) in shape.durations.iter().enumerate() {
                let d = durations[i % durations.len()];
                let leaf = written.pointer(at).unwrap();
                prop_assert!(written_is(leaf, d), "{}{}: {:?} written as {}", shape.name, at, d, leaf);
            }
        }
    }
}

fn shapes_cached() -> &'static [Shape] {
    static SHAPES: std::sync::OnceLock<Vec<Shape>> = std::sync::OnceLock::new();
    SHAPES.get_or_init(shapes)
}

/// A store that keeps its events as JSON text, as a file or SQL store does.
#[derive(Default)]
struct JsonStore {
    inner: MemoryStore,
}

impl JsonStore {
    fn through_json(events: Vec<RecordedEvent>) -> Vec<RecordedEvent> {
        events
            .iter()
            .map(|e| serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap())
            .collect()
    }
}

impl Store for JsonStore {
    fn append(
        &mut self,
        batch: &[StreamWrite],
    ) -> Result<Vec<RecordedEvent>, fanatical::store::StoreError> {
        self.inner.append(batch)
    }
    fn read_stream(
        &self,
        stream: &fanatical::event::StreamId,
        after: u64,
    ) -> Result<Vec<RecordedEvent>, fanatical::store::StoreError> {
        self.inner
            .read_stream(stream, after)
            .map(Self::through_json)
    }
    fn read_all(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, fanatical::store::StoreError> {
        self.inner.read_all(after, limit).map(Self::through_json)
    }
}

/// The bug this file was written for: an incident declared and resolved
/// at instants with fractions of a second measured its downtime to the
/// nanosecond, but the record kept whole seconds, so a desk rebuilt from
/// JSON credited a different downtime than the desk that decided.
#[test]
fn a_desk_rebuilt_from_json_equals_the_desk_that_decided_at_sub_second_instants() {
    let mut o = crate::incidents::outage_world(crate::incidents::config());
    let acme = o.w.acme;
    o.w.run(fanatical::desk::Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::SetAccountStanding {
                standing: AccountStanding {
                    monthly_spend: Money {
                        minor: 100_000,
                        currency: Currency::new("USD").unwrap(),
                    },
                    tier: Tier::Enterprise,
                },
            },
        },
    ))
    .unwrap();
    o.w.now += Duration::nanoseconds(123_456_789);
    let id: IncidentId = o.w.ids.next_id();
    crate::incidents::declare(&mut o, id);
    o.w.now += Duration::minutes(31) + Duration::milliseconds(750);
    o.w.run(fanatical::desk::Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Resolved,
            components: BTreeMap::from([(
                ComponentId::new("dfw1").unwrap(),
                ComponentState::Operational,
            )]),
            messages: Messages::from([(Audience::Business, "Back.".to_owned())]),
            spokesperson: None,
            solve_linked: None,
        },
    ))
    .unwrap();
    o.w.run(fanatical::desk::Command::new(
        Actor::integration("setup"),
        IncidentAction::IssueCredits { incident: id },
    ))
    .unwrap();
    let issued: Vec<Duration> =
        o.w.store
            .read_all(0, usize::MAX)
            .unwrap()
            .into_iter()
            .filter_map(|r| match r.event {
                fanatical::event::Event::Incident(e) => match e.kind {
                    IncidentEventKind::CreditIssued { credit } => Some(credit.downtime.major),
                    _ => None,
                },
                _ => None,
            })
            .collect();
    let want = Duration::minutes(31) + Duration::milliseconds(750);
    assert_eq!(issued, vec![want], "the downtime has its fraction");

    let mut json = JsonStore::default();
    o.w.copy_into(&mut json);
    let rebuilt = Desk::rebuild(&json, o.w.desk.config().clone()).unwrap();
    assert_eq!(rebuilt, o.w.desk);
}
