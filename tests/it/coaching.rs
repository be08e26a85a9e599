//! Coaching: the same kind of mistake twice within the window is flagged
//! to the agent's lead; a first mistake never is.

use fanatical::actor::Actor;
use fanatical::coaching::{CoachingAction, MistakeKind};
use fanatical::desk::PeopleAction;
use fanatical::desk::{Command, Desk, DeskConfig, DeskError};
use fanatical::id::AgentId;
use fanatical::outbox::Recipient;

use crate::support::World;

#[test]
fn the_same_mistake_twice_is_flagged_to_the_lead_and_a_first_never_is() {
    let mut w = World::new();
    let (ana, bill, team) = (w.ana, w.bill, w.team);
    for m in [ana, bill] {
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateTeam {
                team,
                command: fanatical::agent::TeamCommand::AddMember(m),
            },
        ))
        .unwrap();
    }
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateTeam {
            team,
            command: fanatical::agent::TeamCommand::SetLead(bill),
        },
    ))
    .unwrap();
    let t = w.jane_emails("help");
    let record = |w: &mut World, kind: MistakeKind| {
        w.run(Command::new(
            Actor::Agent(bill),
            CoachingAction::RecordMistake {
                agent: ana,
                kind,
                ticket: Some(t),
                note: "posted from the company account".into(),
            },
        ))
        .unwrap();
    };
    let to_bill = |w: &World| -> Vec<String> {
        w.desk
            .channels()
            .outbox()
            .filter(|m| m.message.recipient == Recipient::Agent { agent: bill })
            .map(|m| m.message.body.clone())
            .collect()
    };
    record(&mut w, MistakeKind::WrongChannel);
    assert!(
        w.desk.people().coaching_flags().is_empty(),
        "nobody is flagged for a first mistake"
    );
    assert!(to_bill(&w).is_empty(), "nor is the lead told");
    w.tick(60 * 24 * 3);
    record(&mut w, MistakeKind::Tone);
    assert!(
        w.desk.people().coaching_flags().is_empty(),
        "a different kind is not a repeat"
    );
    assert!(to_bill(&w).is_empty());
    w.tick(60 * 24 * 3);
    record(&mut w, MistakeKind::WrongChannel);
    let flags = w.desk.people().coaching_flags();
    assert_eq!(flags.len(), 1);
    assert_eq!(
        (flags[0].agent, flags[0].lead, flags[0].occurrences.len()),
        (ana, Some(bill), 2)
    );
    let pages = to_bill(&w);
    assert_eq!(pages.len(), 1);
    assert!(pages[0].starts_with("Course correction: Ana has made the same kind of mistake (WrongChannel) 2 times in 30 days"), "{}", pages[0]);
    // Outside the window it starts again.
    w.tick(60 * 24 * 60);
    record(&mut w, MistakeKind::WrongChannel);
    assert_eq!(w.desk.people().coaching_flags().len(), 1);
    assert_eq!(to_bill(&w).len(), 1, "no second page");
    assert_eq!(w.desk.people().mistakes().len(), 4);
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

#[test]
fn mistakes_name_known_people() {
    let mut w = World::new();
    let ghost: AgentId = w.ids.next_id();
    let bill = w.bill;
    w.refused(
        Command::new(
            Actor::Agent(bill),
            CoachingAction::RecordMistake {
                agent: ghost,
                kind: MistakeKind::Other("mislabelled".into()),
                ticket: None,
                note: String::new(),
            },
        ),
        DeskError::UnknownAgent(ghost),
    );
}
