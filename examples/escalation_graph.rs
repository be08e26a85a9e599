//! Prints the default escalation graph as Graphviz DOT, explains a few
//! routes through it, and writes the organisation chart of a small desk.
//!
//! `cargo run --example escalation_graph > escalation.dot` then
//! `dot -Tsvg escalation.dot > escalation.svg`.

use chrono::{TimeZone, Utc};
use fanatical::escalation::{Facts, Sentiment, SlaLevel, default_graph};
use fanatical::id::{AgentId, TeamId};
use fanatical::org::Organisation;
use fanatical::sla::Metric;
use fanatical::ticket::Priority;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let graph = default_graph()?;
    print!("{}", graph.to_dot());

    let now = Utc
        .with_ymd_and_hms(2026, 11, 2, 9, 0, 0)
        .single()
        .ok_or("time")?;
    let cases = [
        ("a crisis", Facts::new(Priority::Normal, now).in_crisis()),
        (
            "an angry customer's third contact",
            Facts::new(Priority::High, now)
                .feeling(Sentiment::Angry)
                .contacts(3),
        ),
        (
            "a recurring DNS problem",
            Facts::new(Priority::Normal, now)
                .in_category("dns")
                .trending(),
        ),
        (
            "first response and resolution both breached",
            Facts::new(Priority::Normal, now)
                .with_sla(Metric::FirstResponse, SlaLevel::Breached)
                .with_sla(Metric::Resolution, SlaLevel::Breached),
        ),
        ("an ordinary question", Facts::new(Priority::Low, now)),
    ];
    for (what, facts) in cases {
        let path = graph.resolve("front_line", &facts, now)?;
        eprintln!("{what}: owned by {}", path.owner_node().name);
        for line in path.explain() {
            eprintln!("    {line}");
        }
    }

    let id = |n: u128| AgentId::from_uuid(uuid::Uuid::from_u128(n));
    let org = Organisation::builder()
        .person(id(1), "Graham, CEO")
        .person(id(2), "Rob, VP Social")
        .reports_to(id(2), id(1))
        .person(id(3), "Luis, team lead")
        .reports_to(id(3), id(2))
        .person(id(4), "Ana")
        .reports_to(id(4), id(3))
        .person(id(5), "Kofi")
        .reports_to(id(5), id(3))
        .team(
            TeamId::from_uuid(uuid::Uuid::from_u128(10)),
            "Social",
            Some(id(3)),
            [id(3), id(4), id(5)],
        )
        .build()?;
    eprintln!("\n{}", org.to_dot());
    let chain: Vec<&str> = org
        .management_chain(id(4))?
        .into_iter()
        .filter_map(|a| org.name(a))
        .collect();
    eprintln!("Ana's praise travels up to: {}", chain.join(" -> "));
    Ok(())
}
