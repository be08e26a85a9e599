//! Crisis: straight to the safety responder, bypassing routing; details
//! visible only to the safety role, and no other view shows them.

use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::Channel;
use fanatical::crisis::{CrisisClassifier, CrisisSignal};
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::desk::{PeopleAction, TicketAction};
use fanatical::id::{AgentId, TicketId};
use fanatical::outbox::Recipient;
use fanatical::ticket::{Author, Priority};

use crate::support::World;

const MESSAGE: &str = "My backups failed again and honestly I want to end my life";

fn responder(w: &mut World) -> AgentId {
    let id: AgentId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id,
            name: "Sam".into(),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![Role::SafetyResponder],
            skills: vec![],
        },
    ))
    .unwrap();
    id
}

#[test]
fn a_crisis_goes_straight_to_the_responder_and_no_other_view_shows_it() {
    let mut w = World::new();
    let sam = responder(&mut w);
    let t = w.jane_emails(MESSAGE);
    assert!(w.desk.tickets().is_crisis(t));
    let ticket = w.desk.tickets().get(t).unwrap();
    assert_eq!(
        ticket.assignee(),
        Some(sam),
        "assigned straight to the responder"
    );
    assert_eq!(ticket.priority(), Priority::Urgent);
    // Bypassing routing: the responder is the one person paged.
    let pages: Vec<_> = w
        .desk
        .channels()
        .outbox()
        .filter(|m| matches!(m.message.recipient, Recipient::Agent { .. }))
        .collect();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].message.recipient, Recipient::Agent { agent: sam });
    assert!(pages[0].message.body.contains(&t.to_string()));
    assert!(
        !pages[0].message.body.contains("end my life"),
        "even the page carries no details"
    );

    // The safety role sees everything, with the record.
    let full = w.desk.safety_ticket_view(t, sam).unwrap();
    assert_eq!(full.ticket.conversation[0].body, MESSAGE);
    let record = full.record.unwrap();
    assert_eq!(record.signal.matched.as_deref(), Some("end my life"));
    assert_eq!(record.responder, Some(sam));

    // No other view shows the details.
    let (ana, bill, acme, jane) = (w.ana, w.bill, w.acme, w.jane);
    let views = [
        serde_json::to_string(&w.desk.agent_ticket_view(t).unwrap()).unwrap(),
        serde_json::to_string(&w.desk.agent_customer_view(acme).unwrap()).unwrap(),
        serde_json::to_string(&w.desk.account_customer_view(acme, bill).unwrap()).unwrap(),
        serde_json::to_string(&w.desk.customer_ticket_view(t, jane).unwrap().status).unwrap(),
    ];
    for v in &views {
        for secret in ["end my life", "crisis keyword policy", "backups failed"] {
            assert!(!v.contains(secret), "{secret:?} leaked into {v}");
        }
    }
    assert_eq!(
        w.desk.safety_ticket_view(t, ana).unwrap_err(),
        crate::support::denied(
            &w.desk,
            Actor::Agent(ana),
            fanatical::permission::Permission::ViewCrisisDetails,
            None
        )
    );
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

#[test]
fn a_crisis_in_a_later_reply_and_one_from_your_own_classifier() {
    let mut w = World::new();
    let sam = responder(&mut w);
    let t = w.jane_emails("Is the DNS change done?");
    assert!(!w.desk.tickets().is_crisis(t));
    let jane = w.jane;
    w.run(Command::reply_on(
        t,
        Author::Contact(jane),
        Channel::Email,
        "I can't go on, I want to die",
        vec![],
    ))
    .unwrap();
    assert!(w.desk.tickets().is_crisis(t));
    assert_eq!(w.desk.tickets().get(t).unwrap().assignee(), Some(sam));
    let paged = |w: &World| {
        w.desk
            .channels()
            .outbox()
            .filter(|m| m.message.recipient == Recipient::Agent { agent: sam })
            .count()
    };
    assert_eq!(paged(&w), 1);
    // A caller's classifier, through FlagCrisis.
    struct Worried;
    impl CrisisClassifier for Worried {
        fn assess(&self, text: &str) -> Option<CrisisSignal> {
            text.contains("goodbye forever").then(|| CrisisSignal {
                reason: "farewell language".into(),
                matched: None,
            })
        }
    }
    let u = w.jane_emails("This is goodbye forever, thanks for everything");
    assert!(!w.desk.tickets().is_crisis(u), "not in the keyword policy");
    let body = w.desk.tickets().get(u).unwrap().conversation()[0]
        .body
        .clone();
    let signal = Worried.assess(&body).unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::FlagCrisis { ticket: u, signal },
    ))
    .unwrap();
    assert!(w.desk.tickets().is_crisis(u));
    assert_eq!(w.desk.tickets().get(u).unwrap().assignee(), Some(sam));
    assert_eq!(paged(&w), 2);
    assert_eq!(
        w.desk
            .safety_ticket_view(u, sam)
            .unwrap()
            .record
            .unwrap()
            .signal
            .reason,
        "farewell language"
    );
}

#[test]
fn without_a_responder_the_crisis_is_still_recorded_and_ordinary_words_are_not_a_crisis() {
    let mut w = World::new();
    let t = w.jane_emails(MESSAGE);
    assert!(w.desk.tickets().is_crisis(t));
    assert_eq!(w.desk.tickets().get(t).unwrap().assignee(), None);
    assert_eq!(w.desk.tickets().unattended_crises(), vec![t]);
    assert_eq!(
        w.desk.tickets().get(t).unwrap().priority(),
        Priority::Urgent
    );
    let id: TicketId = w.ids.next_id();
    let email = w.jane_email.clone();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(InboundMessage::new(
            id,
            Channel::Email,
            email,
            "The old server can end its life cycle now",
        )),
    ))
    .unwrap();
    assert!(!w.desk.tickets().is_crisis(id));
}
