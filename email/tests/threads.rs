//! The thread index's memory: a thread keeps its newest ids and the index
//! no more than its threads; a ticket or a person forgotten leaves
//! nothing behind.

use fanatical::id::TicketId;
use fanatical_email::{Brand, InboundMail, MailConfig, Outcome, Threads, parse};

fn config() -> MailConfig {
    MailConfig::new(
        "desk.acme.example",
        Brand::new("Acme Support", "support@acme.example").unwrap(),
    )
    .unwrap()
}

fn ticket(n: u128) -> TicketId {
    TicketId::from_uuid(uuid::Uuid::from_u128(n))
}

fn mail(from: &str, id: &str, subject: &str) -> InboundMail {
    let raw = format!(
        "From: {from}\r\nTo: support@acme.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\r\nHello.\r\n"
    );
    match parse(raw.as_bytes(), &config(), &Threads::new()) {
        Outcome::Message(m) => *m,
        other => panic!("{other:?}"),
    }
}

#[test]
fn ids_pushed_out_of_a_thread_leave_the_index() {
    let mut threads = Threads::new();
    let n = Threads::MAX_REFERENCES + 15;
    for i in 0..n {
        threads.record(
            ticket(1),
            &mail("jane@x.example", &format!("{i}@x.example"), "Down"),
        );
    }
    let thread = threads.thread(ticket(1)).unwrap();
    assert_eq!(thread.message_ids.len(), Threads::MAX_REFERENCES);
    assert_eq!(threads.indexed(), Threads::MAX_REFERENCES);
    assert_eq!(threads.ticket_of("0@x.example"), None);
    assert_eq!(
        threads.ticket_of(&format!("{}@x.example", n - 1)),
        Some(ticket(1))
    );
    threads.forget(ticket(1));
    assert_eq!(threads.indexed(), 0);
    assert_eq!(threads, Threads::new(), "nothing left");
}

#[test]
fn an_id_moved_to_another_ticket_is_not_forgotten_with_the_first() {
    let mut threads = Threads::new();
    let m = mail("jane@x.example", "moved@x.example", "Down");
    threads.record(ticket(1), &m);
    threads.record(ticket(2), &m);
    assert_eq!(threads.thread(ticket(1)).unwrap().message_ids.len(), 0);
    threads.forget(ticket(1));
    assert_eq!(threads.ticket_of("moved@x.example"), Some(ticket(2)));
    threads.forget(ticket(2));
    assert_eq!(threads.indexed(), 0);
}

#[test]
fn forgetting_a_person_forgets_every_thread_they_wrote_in() {
    let mut threads = Threads::new();
    threads.record(
        ticket(1),
        &mail("Jane@X.example", "j1@x.example", "Jane's secret"),
    );
    threads.record(
        ticket(1),
        &mail("bob@x.example", "b1@x.example", "Re: Jane's secret"),
    );
    threads.record(ticket(2), &mail("bob@x.example", "b2@x.example", "Bob's"));
    threads.record(
        ticket(3),
        &mail("jane@x.example", "j3@x.example", "Another"),
    );
    let mut forgotten = threads.forget_sender("JANE@x.example");
    forgotten.sort();
    assert_eq!(forgotten, [ticket(1), ticket(3)]);
    for id in ["j1@x.example", "b1@x.example", "j3@x.example"] {
        assert_eq!(threads.ticket_of(id), None, "{id}");
    }
    assert!(threads.thread(ticket(1)).is_none() && threads.thread(ticket(3)).is_none());
    let text = format!("{threads:?}{}", serde_json::to_string(&threads).unwrap());
    assert!(!text.contains("jane") && !text.contains("Jane"), "{text}");
    // Bob's own thread stays.
    assert_eq!(threads.ticket_of("b2@x.example"), Some(ticket(2)));
}
