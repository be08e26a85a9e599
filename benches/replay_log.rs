//! The scale bench's replay log kept in a file, so a replay can be timed
//! (and profiled) again and again without driving a desk first:
//! `FANATICAL_SCALE_SAVE_LOG=<file>` writes the log a drive kept
//! (MessagePack, the store crates' snapshot encoding) and
//! `FANATICAL_SCALE_REPLAY_ONLY=<file>` reads it into a `MemoryStore` and
//! times `Desk::rebuild` from it, `FANATICAL_SCALE_REPLAY_ROUNDS` times.

use std::path::Path;
use std::time::Instant;

use fanatical::desk::{Desk, DeskConfig};
use fanatical::store::{ExpectedVersion, MemoryStore, NewEvent, RecordedEvent, Store, StreamWrite};

/// Writes every event of `log` to `file`.
pub(crate) fn save(log: &MemoryStore, file: &Path) {
    let events = log.read_all(0, usize::MAX).expect("the log reads back");
    let bytes = rmp_serde::to_vec_named(&events).expect("events encode");
    std::fs::write(file, &bytes).expect("the log file is written");
    println!(
        "replay log saved: {} events, {:.0} MiB, in {}",
        events.len(),
        bytes.len() as f64 / (1 << 20) as f64,
        file.display()
    );
}

/// Reads a saved log into a `MemoryStore` (each event appended where it
/// was, with its id, actor and key) and times `Desk::rebuild` from it.
pub(crate) fn replay_only(
    file: &Path,
    config: &DeskConfig,
    rounds: u64,
    cpu: fn() -> std::time::Duration,
) {
    let t = Instant::now();
    let bytes = std::fs::read(file).expect("the log file reads");
    let events: Vec<RecordedEvent> = rmp_serde::from_slice(&bytes).expect("events decode");
    drop(bytes);
    let mut store = MemoryStore::new();
    for r in events {
        let write = StreamWrite {
            stream: r.stream,
            expected: ExpectedVersion::Exact(r.version - 1),
            events: vec![NewEvent {
                id: r.id,
                schema: r.schema,
                actor: r.actor,
                command: r.command,
                event: r.event,
            }],
        };
        store.append(&[write]).expect("the log appends in order");
    }
    let n = store.len();
    println!(
        "replay log: {n} events read in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    for round in 1..=rounds {
        let (t, c) = (Instant::now(), cpu());
        let rebuilt = Desk::rebuild(&store, config.clone()).expect("the log replays");
        let (took, took_cpu) = (t.elapsed(), cpu() - c);
        assert_eq!(rebuilt.position(), n as u64);
        println!(
            "replay {round}: {n} events in {:.2} s ({:.0} events/s), {:.2} s on a CPU \
             ({:.0} events/s; target ≥ 2,000,000)",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            took_cpu.as_secs_f64(),
            n as f64 / took_cpu.as_secs_f64()
        );
    }
}
