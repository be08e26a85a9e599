//! The fuzz targets (`fuzz_targets.rs`) driven by proptest on stable, in
//! CI: arbitrary bytes, and valid documents (the golden files, serialized
//! commands) with random mutations — flipped bytes, cut ranges, repeated
//! ranges, numbers swapped for extreme ones.

use std::path::PathBuf;

use fanatical::actor::Actor;
use fanatical::channel::ChannelAction;
use fanatical::coaching::CoachingAction;
use fanatical::desk::TicketAction;
use proptest::prelude::*;

use crate::fuzz_targets as target;

fn golden(sub: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(sub);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

fn file(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
    .unwrap()
}

/// Serialized commands of many kinds, against the small desk's ids.
fn commands() -> Vec<Vec<u8>> {
    use fanatical::desk::Command;
    use fanatical::id::{AgentId, TicketId};
    let (_, _, ids) = target::small_desk();
    let agent = AgentId::from_uuid(uuid::Uuid::from_u128(ids[2]));
    let ticket = TicketId::from_uuid(uuid::Uuid::from_u128(ids[3]));
    let t0 = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 2, 16, 0, 0).unwrap();
    [
        Command::reply(ticket, agent, "hello"),
        Command::new(
            Actor::integration("setup"),
            TicketAction::Update {
                ticket,
                command: fanatical::ticket::TicketCommand::SetStatus(
                    fanatical::ticket::Status::Pending,
                ),
            },
        ),
        Command::new(
            Actor::Agent(agent),
            TicketAction::Promise {
                ticket,
                due: t0,
                note: "soon".into(),
            },
        ),
        Command::new(
            Actor::integration("setup"),
            ChannelAction::MarkDown {
                channel: fanatical::channel::ChannelKind::Email,
                reason: "x".into(),
            },
        ),
        Command::new(
            Actor::Agent(agent),
            CoachingAction::RecordMistake {
                agent,
                kind: fanatical::coaching::MistakeKind::Tone,
                ticket: Some(ticket),
                note: "n".into(),
            },
        ),
    ]
    .iter()
    .map(|c| serde_json::to_vec(c).unwrap())
    .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize, usize),
    Repeat(usize, usize),
    Number(usize, &'static str),
}

fn arb_mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let extreme = prop::sample::select(vec![
        "-1",
        "0",
        "18446744073709551616",
        "-9223372036854775809",
        "1e308",
        "9999999999999",
        "\"\"",
        "null",
        "[]",
        "{}",
        "\"24:00\"",
        "\"2262-04-12T00:00:00Z\"",
    ]);
    prop::collection::vec(
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
            (any::<usize>(), 0usize..16).prop_map(|(i, n)| Mutation::Cut(i, n)),
            (any::<usize>(), 0usize..32).prop_map(|(i, n)| Mutation::Repeat(i, n)),
            (any::<usize>(), extreme).prop_map(|(i, s)| Mutation::Number(i, s)),
        ],
        0..4,
    )
}

fn mutate(mut doc: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        if doc.is_empty() {
            break;
        }
        match *m {
            Mutation::Flip(i, b) => {
                let i = i % doc.len();
                doc[i] = b;
            }
            Mutation::Cut(i, n) => {
                let i = i % doc.len();
                let end = (i + n).min(doc.len());
                doc.drain(i..end);
            }
            Mutation::Repeat(i, n) => {
                let i = i % doc.len();
                let end = (i + n).min(doc.len());
                let piece = doc[i..end].to_vec();
                doc.splice(i..i, piece);
            }
            Mutation::Number(i, s) => {
                // Replace the number (or value) after the i-th colon.
                let colons: Vec<usize> = doc
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b':')
                    .map(|(k, _)| k)
                    .collect();
                if let Some(&c) = colons.get(i % colons.len().max(1)) {
                    let start = c + 1;
                    let end = doc[start..]
                        .iter()
                        .position(|b| matches!(b, b',' | b'}' | b']' | b'\n'))
                        .map_or(doc.len(), |p| start + p);
                    doc.splice(start..end, s.bytes());
                }
            }
        }
    }
    doc
}

fn cases() -> ProptestConfig {
    ProptestConfig::with_cases(crate::cases(256))
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn events_from_mutated_golden_files(pick in any::<prop::sample::Index>(), ms in arb_mutations()) {
        let docs = golden("events");
        target::event_json(&mutate(pick.get(&docs).clone(), &ms));
    }

    #[test]
    fn events_from_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..256)) {
        target::event_json(&data);
    }

    #[test]
    fn commands_from_mutated_documents(pick in any::<prop::sample::Index>(), ms in arb_mutations()) {
        let docs = commands();
        target::command_json(&mutate(pick.get(&docs).clone(), &ms));
    }

    #[test]
    fn calendars_from_mutated_documents(head in prop::array::uniform12(any::<u8>()), ms in arb_mutations()) {
        let mut data = head.to_vec();
        data.extend(mutate(file("calendar.json"), &ms));
        target::calendar_json(&data);
    }

    #[test]
    fn surveys_from_mutated_documents(ms in arb_mutations()) {
        target::survey_json(&mutate(file("survey.json"), &ms));
    }

    #[test]
    fn desk_operation_sequences(data in prop::collection::vec(any::<u8>(), 0..120)) {
        target::desk_ops(&data);
    }
}
