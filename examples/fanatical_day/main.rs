//! A Fanatical day: `cargo run --example fanatical_day`.
//!
//! One day of a support organisation, from a fixed seed, on the in-memory
//! store, through the public API only (the stories are listed in
//! `day.rs`). It prints the report a support leader would read and writes
//! the day's escalation graph as Graphviz DOT, printing where:
//! `dot -Tsvg <path> > escalation.svg` draws it. Pass a seed to run a
//! different day: `cargo run --example fanatical_day -- 7`.

mod day;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = match std::env::args().nth(1) {
        Some(s) => s.parse()?,
        None => day::SEED,
    };
    let day = day::run(seed)?;
    let report = day.report()?;
    print!("{report}");
    // The example may do I/O; the library never does.
    let dir = std::env::temp_dir().join("fanatical_day");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("escalation.dot");
    std::fs::write(&path, day.graph.to_dot())?;
    println!("\nThe escalation graph (seed {seed}): {}", path.display());
    if report.contains("DIFFERENT") {
        return Err("a desk rebuilt from the store differs".into());
    }
    Ok(())
}
