//! Merging customers (issue 18, item 6): one organisation known by two
//! accounts becomes one. Tickets (open and closed, and their queue rows),
//! contacts with their profiles and field values, the customer's field
//! values (the target's win), components, account team, credits and
//! refunds move; the source stays a tombstone; erasure follows the
//! contacts that moved; every refusal names its value and writes nothing.
//! Also: merging two contacts moves the source's field values.

use std::collections::BTreeSet;

use fanatical::actor::Actor;
use fanatical::channel::ChannelAddress;
use fanatical::customer::{
    AccountStanding, ConsentSource, Currency, CustomerCommand, CustomerError, CustomerEventKind,
    ErasureScope, Interest, MergeCounts, Money, Tier,
};
use fanatical::desk::{Command, CustomerAction, Desk, DeskConfig, DeskError, TicketAction};
use fanatical::event::{Event, StreamId};
use fanatical::field::{FieldObject, FieldType, FieldValue};
use fanatical::id::{ContactId, CustomerId, TicketId};
use fanatical::permission::Permission;
use fanatical::queue::{Filter, Queue, Restriction, Sort, SortBy};
use fanatical::store::{RecordedEvent, Store};
use fanatical::ticket::{Status, TicketEventKind};

use crate::fields::{define, key};
use crate::support::{World, denied};

fn crm() -> Actor {
    Actor::integration("crm")
}

fn merge(source: CustomerId, target: CustomerId) -> Command {
    Command::new(crm(), CustomerAction::MergeCustomers { source, target })
}

fn update(w: &mut World, customer: CustomerId, command: CustomerCommand) {
    w.run(Command::new(
        crm(),
        CustomerAction::Update { customer, command },
    ))
    .unwrap();
}

/// Snapshot and restore, and a rebuild from the record, give the same
/// desk (`base`: the configuration the desk was made with).
fn survives(w: &World, base: DeskConfig) {
    let config = base;
    let restored = Desk::restore(config.clone(), w.desk.snapshot()).unwrap();
    assert_eq!(restored, w.desk, "snapshot and restore lost something");
    assert_eq!(
        Desk::rebuild(&w.store, config).unwrap(),
        w.desk,
        "a rebuild differs"
    );
}

/// Acme (Jane: an open and a closed ticket, consent and an interest, a
/// nickname) is to be merged into Tiny (Tom: one ticket). Both set
/// `seats`; only Acme sets `region`.
struct Two {
    w: World,
    open: TicketId,
    closed: TicketId,
    toms: TicketId,
}

fn two() -> Two {
    let mut w = crate::fields::world_with(DeskConfig::default());
    w.run(define("region", FieldObject::Customer, FieldType::Text))
        .unwrap();
    let (acme, tiny, jane) = (w.acme, w.tiny, w.jane);
    let ana = w.ana;
    for command in [
        CustomerCommand::SetField {
            key: key("seats"),
            value: FieldValue::Number(10),
        },
        CustomerCommand::SetField {
            key: key("region"),
            value: FieldValue::Text("EMEA".into()),
        },
        CustomerCommand::RecordConsent {
            contact: jane,
            source: ConsentSource::Agent(ana),
        },
        CustomerCommand::AddInterest {
            contact: jane,
            interest: Interest {
                topic: "football".into(),
                detail: "Spurs".into(),
            },
        },
        CustomerCommand::SetContactField {
            contact: jane,
            key: key("nickname"),
            value: FieldValue::Text("JD".into()),
        },
    ] {
        update(&mut w, acme, command);
    }
    update(
        &mut w,
        tiny,
        CustomerCommand::SetField {
            key: key("seats"),
            value: FieldValue::Number(3),
        },
    );
    let closed = w.closed_ticket("Invoice wrong", "Fixed it");
    let open = w.jane_emails("Site down");
    let toms = {
        let id: TicketId = w.ids.next_id();
        let msg = fanatical::desk::InboundMessage::new(
            id,
            fanatical::channel::Channel::Email,
            w.tom_email.clone(),
            "Blog slow",
        );
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(msg),
        ))
        .unwrap();
        id
    };
    Two {
        w,
        open,
        closed,
        toms,
    }
}

fn of_customer(w: &World, c: CustomerId) -> BTreeSet<TicketId> {
    w.desk.tickets().of_customer(c).map(|t| t.id()).collect()
}

fn queued(w: &World, c: CustomerId) -> BTreeSet<TicketId> {
    let q = Queue::new(Sort::ascending(SortBy::Created)).with(Filter::Customer([c].into()));
    let page = w
        .desk
        .queues()
        .page(&q, Some(w.ana), &Restriction::All, None, 50, w.now)
        .unwrap();
    page.rows.iter().map(|r| r.id).collect()
}

#[test]
fn merging_customers_moves_tickets_contacts_and_fields_and_leaves_a_tombstone() {
    let Two {
        mut w,
        open,
        closed,
        toms,
    } = two();
    let (acme, tiny, jane, tom) = (w.acme, w.tiny, w.jane, w.tom);
    assert_eq!(of_customer(&w, acme), [open, closed].into());
    let recorded = w.run(merge(acme, tiny)).unwrap();

    // Tickets, open and closed, are Tiny's.
    assert_eq!(of_customer(&w, tiny), [open, closed, toms].into());
    assert!(of_customer(&w, acme).is_empty());
    for t in [open, closed] {
        assert_eq!(w.desk.tickets().get(t).unwrap().customer(), tiny);
    }
    // Jane moved with her profile and field values; her addresses find
    // her at Tiny.
    let c = w.desk.customers().get(tiny).unwrap();
    let j = c.contact(jane).expect("Jane is Tiny's");
    assert!(j.consent().is_some());
    assert_eq!(j.profile().unwrap().interests.len(), 1);
    assert_eq!(
        j.fields().get(&key("nickname")),
        Some(&FieldValue::Text("JD".into()))
    );
    assert!(c.contact(tom).is_some());
    let found = w.desk.customers().find_contact(&w.jane_email).unwrap();
    assert_eq!((found.customer, found.contact), (tiny, jane));
    // Field values: Tiny's `seats` stays, Acme's `region` is taken.
    assert_eq!(c.fields().get(&key("seats")), Some(&FieldValue::Number(3)));
    assert_eq!(
        c.fields().get(&key("region")),
        Some(&FieldValue::Text("EMEA".into()))
    );
    // Acme is a tombstone pointing at Tiny, with no contacts left.
    let a = w.desk.customers().get(acme).unwrap();
    assert_eq!(a.merged_into_customer(), Some(tiny));
    assert_eq!(a.contacts().count(), 0);
    assert_eq!(w.desk.customers().live_id(acme), tiny);
    assert_eq!(w.desk.customers().live_id(tiny), tiny);

    // Audited: both customers' streams say who, from where, to where and
    // how much moved.
    let counts = |r: &RecordedEvent| match &r.event {
        Event::Customer(e) => match &e.kind {
            CustomerEventKind::MergedInto { target, moved } => Some((r.stream, *target, *moved)),
            CustomerEventKind::Absorbed { source, moved, .. } => Some((r.stream, *source, *moved)),
            _ => None,
        },
        _ => None,
    };
    let audit: Vec<_> = recorded.iter().filter_map(counts).collect();
    let mut want = MergeCounts::with_tickets(2, 0, 0);
    want.contacts = 1;
    want.fields = 1;
    assert_eq!(
        audit,
        vec![
            (StreamId::Customer(acme), tiny, want),
            (StreamId::Customer(tiny), acme, want),
        ]
    );
    for r in &recorded {
        assert_eq!(r.actor, Some(crm()), "{:?}", r.stream);
    }
    let moved: BTreeSet<TicketId> = recorded
        .iter()
        .filter(|r| {
            matches!(&r.event, Event::Ticket(e) if e.kind == TicketEventKind::CustomerChanged { from: acme, to: tiny })
        })
        .filter_map(|r| match r.stream {
            StreamId::Ticket(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(moved, [open, closed].into());
    // Their SLA records follow them, with the policy they had.
    for t in [open, closed] {
        let sla = w.desk.tickets().sla(t).expect("an SLA record");
        assert_eq!(sla.customer, tiny, "{t}");
    }
    assert!(w.desk.tickets().slas().all(|s| s.customer != acme));
    survives(&w, DeskConfig::default());
}

#[test]
fn queues_by_customer_find_the_moved_tickets_under_the_target() {
    let Two {
        mut w,
        open,
        closed,
        toms,
    } = two();
    let (acme, tiny) = (w.acme, w.tiny);
    assert_eq!(queued(&w, acme), [open, closed].into());
    assert_eq!(queued(&w, tiny), [toms].into());
    w.run(merge(acme, tiny)).unwrap();
    assert_eq!(queued(&w, tiny), [open, closed, toms].into());
    assert!(queued(&w, acme).is_empty());
    // Only open work, as an agent's queue would ask.
    let q = Queue::new(Sort::ascending(SortBy::Created))
        .with(Filter::Customer([tiny].into()))
        .with(Filter::Status([Status::New, Status::Open].into()));
    let page = w
        .desk
        .queues()
        .page(&q, Some(w.ana), &Restriction::All, None, 50, w.now)
        .unwrap();
    let ids: BTreeSet<TicketId> = page.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, [open, toms].into());
    // The rows rebuilt from the record say the same.
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    let rows: Vec<_> = rebuilt.queues().rows().collect();
    assert!(rows.iter().all(|r| r.customer == tiny), "{rows:?}");
}

#[test]
fn commands_naming_a_merged_customer_are_refused_naming_the_target() {
    let Two { mut w, .. } = two();
    let (acme, tiny) = (w.acme, w.tiny);
    w.run(merge(acme, tiny)).unwrap();
    let merged = DeskError::CustomerMerged {
        customer: acme,
        into: tiny,
    };
    w.refused(
        Command::new(
            crm(),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::RenameOrganisation {
                    name: "Acme again".into(),
                },
            },
        ),
        merged.clone(),
    );
    w.refused(
        Command::new(
            crm(),
            CustomerAction::EraseContact {
                customer: acme,
                contact: w.jane,
                scope: ErasureScope::Profile,
            },
        ),
        merged.clone(),
    );
    // Merging it again, either way round.
    w.refused(merge(acme, tiny), merged.clone());
    w.refused(merge(tiny, acme), merged);
    // A merge further on names the first merge's target at the end of the
    // chain.
    let other: CustomerId = w.ids.next_id();
    w.run(Command::new(
        crm(),
        CustomerAction::Register {
            id: other,
            organisation: "Other".into(),
        },
    ))
    .unwrap();
    w.run(merge(tiny, other)).unwrap();
    assert_eq!(w.desk.customers().live_id(acme), other);
    w.refused(
        merge(acme, other),
        DeskError::CustomerMerged {
            customer: acme,
            into: other,
        },
    );
    assert_eq!(
        w.desk
            .customers()
            .find_contact(&w.jane_email)
            .unwrap()
            .customer,
        other
    );
    survives(&w, DeskConfig::default());
}

#[test]
fn erasing_a_moved_contact_erases_what_the_source_recorded() {
    let Two { mut w, .. } = two();
    let (acme, tiny, jane) = (w.acme, w.tiny, w.jane);
    w.run(merge(acme, tiny)).unwrap();
    w.run(Command::new(
        crm(),
        CustomerAction::EraseContact {
            customer: tiny,
            contact: jane,
            scope: ErasureScope::Profile,
        },
    ))
    .unwrap();
    let record = serde_json::to_string(&w.store.read_all(0, usize::MAX).unwrap()).unwrap();
    for gone in ["Jane Doe", "jane@acme.example", "Spurs", "\"JD\""] {
        assert!(!record.contains(gone), "{gone} stayed in the store");
    }
    let c = w.desk.customers().get(tiny).unwrap();
    assert!(c.contact(jane).unwrap().erased().is_some());
    assert!(w.desk.customers().find_contact(&w.jane_email).is_none());
    survives(&w, DeskConfig::default());
}

#[test]
fn withdrawn_consent_after_a_merge_forgets_what_the_source_recorded() {
    let Two { mut w, .. } = two();
    let (acme, tiny, jane) = (w.acme, w.tiny, w.jane);
    w.run(merge(acme, tiny)).unwrap();
    update(
        &mut w,
        tiny,
        CustomerCommand::WithdrawConsent { contact: jane },
    );
    let record = serde_json::to_string(&w.store.read_all(0, usize::MAX).unwrap()).unwrap();
    assert!(
        !record.contains("Spurs"),
        "her interest stayed in the store"
    );
    assert!(record.contains("Jane Doe"), "only her personal details go");
    let c = w.desk.customers().get(tiny).unwrap();
    assert_eq!(c.contact(jane).unwrap().profile(), None);
    survives(&w, DeskConfig::default());
}

#[test]
fn a_merge_without_manage_accounts_is_refused_and_writes_nothing() {
    let Two { mut w, .. } = two();
    let (acme, tiny, ana) = (w.acme, w.tiny, w.ana);
    let cmd = Command::new(
        Actor::Agent(ana),
        CustomerAction::MergeCustomers {
            source: acme,
            target: tiny,
        },
    );
    let err = denied(&w.desk, Actor::Agent(ana), Permission::ManageAccounts, None);
    w.refused(cmd, err);
    // Bill (billing) may.
    let bill = w.bill;
    w.run(Command::new(
        Actor::Agent(bill),
        CustomerAction::MergeCustomers {
            source: acme,
            target: tiny,
        },
    ))
    .unwrap();
    assert_eq!(
        w.desk.customers().get(acme).unwrap().merged_into_customer(),
        Some(tiny)
    );
}

fn standing(minor: i64) -> AccountStanding {
    AccountStanding {
        monthly_spend: Money {
            minor,
            currency: Currency::new("USD").unwrap(),
        },
        tier: Tier::Business,
    }
}

#[test]
fn bad_merges_are_refused_naming_the_value_and_write_nothing() {
    let Two { mut w, open, .. } = two();
    let (acme, tiny) = (w.acme, w.tiny);
    let nobody: CustomerId = w.ids.next_id();
    w.refused(
        merge(acme, acme),
        CustomerError::MergeCustomerIntoItself(acme),
    );
    w.refused(merge(nobody, tiny), DeskError::UnknownCustomer(nobody));
    w.refused(merge(acme, nobody), DeskError::UnknownCustomer(nobody));

    // Different contracts: the target is the account of record.
    w.run(Command::new(
        crm(),
        CustomerAction::SetContract {
            customer: acme,
            contract: Some(Box::new(fanatical::sla::Contract::in_segment("gold"))),
        },
    ))
    .unwrap();
    w.refused(
        merge(acme, tiny),
        DeskError::ContractDiffers {
            from: acme,
            into: tiny,
        },
    );
    w.run(Command::new(
        crm(),
        CustomerAction::SetContract {
            customer: tiny,
            contract: Some(Box::new(fanatical::sla::Contract::in_segment("gold"))),
        },
    ))
    .unwrap();

    // A standing only the source has, or another than the target's.
    update(
        &mut w,
        acme,
        CustomerCommand::SetAccountStanding {
            standing: standing(5_000),
        },
    );
    let differs = CustomerError::StandingDiffers {
        from: acme,
        into: tiny,
    };
    w.refused(merge(acme, tiny), differs.clone());
    update(
        &mut w,
        tiny,
        CustomerCommand::SetAccountStanding {
            standing: standing(9_000),
        },
    );
    w.refused(merge(acme, tiny), differs);
    update(
        &mut w,
        tiny,
        CustomerCommand::SetAccountStanding {
            standing: standing(5_000),
        },
    );

    // A crisis ticket holds the source.
    w.run(Command::new(
        Actor::integration("classifier"),
        TicketAction::FlagCrisis {
            ticket: open,
            signal: fanatical::crisis::CrisisSignal {
                reason: "the words of someone at risk".into(),
                matched: None,
            },
        },
    ))
    .unwrap();
    w.refused(
        merge(acme, tiny),
        DeskError::MergeHeldByCrisis {
            customer: acme,
            ticket: open,
        },
    );
    // Either way round, the crisis is the target's concern only once the
    // source has none: Tiny into Acme merges.
    w.run(merge(tiny, acme)).unwrap();
    assert_eq!(
        w.desk.tickets().get(open).unwrap().customer(),
        acme,
        "a crisis ticket of the target stays where it is"
    );
    survives(&w, DeskConfig::default());
}

#[test]
fn a_contact_id_both_customers_hold_is_refused() {
    let Two { mut w, .. } = two();
    let (acme, tiny, jane) = (w.acme, w.tiny, w.jane);
    let twin = ChannelAddress::email("jane@tiny.example").unwrap();
    // Tiny holds a contact under Jane's id (ids are the caller's).
    w.run(Command::new(
        crm(),
        CustomerAction::Update {
            customer: tiny,
            command: CustomerCommand::AddContact {
                contact: jane,
                name: "Jane at Tiny".into(),
                addresses: vec![twin],
            },
        },
    ))
    .unwrap();
    w.refused(
        merge(acme, tiny),
        CustomerError::ContactInBoth {
            contact: jane,
            from: acme,
            into: tiny,
        },
    );
}

#[test]
fn an_active_incident_on_the_source_holds_the_merge() {
    let mut o = crate::incidents::outage_world(crate::incidents::config());
    let incident = o.w.ids.next_id();
    crate::incidents::declare(&mut o, incident);
    let (acme, tiny) = (o.w.acme, o.w.tiny);
    // Acme runs on DFW1, which is down.
    o.w.refused(
        merge(acme, tiny),
        DeskError::MergeDuringIncident {
            customer: acme,
            incident,
        },
    );
    // Tiny (ORD1) is not affected: it merges into Acme, whose incident
    // now reaches it through Acme.
    o.w.run(merge(tiny, acme)).unwrap();
    let c = o.w.desk.customers().get(acme).unwrap();
    assert!(c.contact(o.w.tom).is_some());
    // Acme runs on ORD1 now: an incident there affects Acme, not Tiny's
    // tombstone.
    let ord1 = fanatical::id::ComponentId::new("ord1").unwrap();
    assert!(c.components().contains(&ord1));
    let second: fanatical::id::IncidentId = o.w.ids.next_id();
    let boss = o.boss;
    o.w.run(Command::new(
        Actor::Agent(boss),
        fanatical::desk::IncidentAction::Declare {
            incident: second,
            title: "ORD1 network loss".into(),
            commander: boss,
            status: fanatical::incident::IncidentStatus::Investigating,
            components: [(ord1, fanatical::incident::ComponentState::MajorOutage)].into(),
            cadence: None,
            messages: [(
                fanatical::incident::Audience::Business,
                "Sites in ORD1 are down.".to_owned(),
            )]
            .into(),
        },
    ))
    .unwrap();
    let affected = o.w.desk.incidents().get(second).unwrap().affected().clone();
    assert_eq!(affected, [acme].into());
    survives(&o.w, crate::incidents::config());
}

#[test]
fn archived_tickets_follow_into_the_targets_archive() {
    use chrono::Duration;
    use fanatical::channel::Channel;
    use fanatical::desk::{ArchivePolicy, InboundMessage};
    let config =
        DeskConfig::default().with_archive(ArchivePolicy::after_closed(Duration::days(7)).unwrap());
    let mut w = World::with_config(config.clone());
    let (acme, tiny, jane) = (w.acme, w.tiny, w.jane);
    let t = w.closed_ticket("Our certificate expired", "Renewed it");
    w.tick(8 * 24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    assert_eq!(w.desk.tickets().get(t), None, "archived");

    let recorded = w.run(merge(acme, tiny)).unwrap();
    let listed = recorded.iter().any(|r| {
        r.stream == StreamId::Archive(tiny)
            && matches!(&r.event, Event::Ticket(e) if matches!(e.kind, TicketEventKind::Archived { ticket, requester, .. } if ticket == t && requester == Some(jane)))
    });
    assert!(
        listed,
        "the target's archive lists the source's archived ticket"
    );
    let counted = recorded.iter().any(|r| {
        matches!(&r.event, Event::Customer(e) if matches!(e.kind, CustomerEventKind::MergedInto { moved, .. } if moved.archived_tickets == 1 && moved.tickets == 0))
    });
    assert!(counted, "the merge counts the archived ticket");

    // Jane, now Tiny's, writes on the archived ticket: Tiny's follow-up.
    let follow_up: TicketId = w.ids.next_id();
    let msg = InboundMessage::new(
        follow_up,
        Channel::Email,
        w.jane_email.clone(),
        "It expired again",
    )
    .in_reply_to(t);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    let opened = w.desk.tickets().get(follow_up).unwrap();
    assert_eq!(opened.links().follow_up_of, Some(t));
    assert_eq!(opened.customer(), tiny);

    // Erasing her through Tiny reaches what she wrote on it.
    w.run(Command::new(
        crm(),
        CustomerAction::EraseContact {
            customer: tiny,
            contact: jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let record = serde_json::to_string(&w.store.read_all(0, usize::MAX).unwrap()).unwrap();
    for gone in ["Our certificate expired", "It expired again", "Jane Doe"] {
        assert!(!record.contains(gone), "{gone} stayed in the store");
    }
    survives(&w, config);
}

#[test]
fn credits_and_refunds_move_to_the_targets_ledger() {
    let mut config = DeskConfig::default();
    config.incidents.credits = fanatical::incident::CreditConfig::default()
        .with_reason("goodwill", "To make up for a bad experience")
        .unwrap();
    let mut w = World::with_config(config.clone());
    let (acme, tiny, ana, bill) = (w.acme, w.tiny, w.ana, w.bill);
    let t = w.jane_emails("Charged twice");
    let id: fanatical::id::RefundId = w.ids.next_id();
    w.run(Command::new(
        Actor::Agent(ana),
        fanatical::refund::RefundAction::Request {
            id,
            ticket: t,
            kind: fanatical::refund::RefundKind::GoodwillCredit,
            amount: Money {
                minor: 4_200,
                currency: Currency::new("USD").unwrap(),
            },
            reason: fanatical::incident::ReasonCode::new("goodwill").unwrap(),
            note: "Sorry about that.".into(),
        },
    ))
    .unwrap();
    let recorded = w.run(merge(acme, tiny)).unwrap();
    let on = |w: &World, c| {
        w.desk
            .refunds()
            .of_customer(c, bill)
            .unwrap()
            .iter()
            .map(|r| (r.id, r.customer))
            .collect::<Vec<_>>()
    };
    assert_eq!(on(&w, tiny), vec![(id, tiny)]);
    let audited = recorded.iter().any(|r| {
        matches!(&r.event, Event::Customer(e) if matches!(e.kind, CustomerEventKind::MergedInto { moved, .. } if moved.refunds == 1))
    });
    assert!(audited, "the merge counts the refund it moved");
    // Approved after the merge, on the target's account.
    w.run(Command::new(
        Actor::Agent(bill),
        fanatical::refund::RefundAction::Approve { id },
    ))
    .unwrap();
    survives(&w, config);
}

/// Jane's twin record (same person, second address) with field values:
/// merged into Jane, the values Jane has none for move; Jane's stay.
#[test]
fn merging_contacts_moves_their_field_values_and_the_targets_win() {
    let mut w = crate::fields::world_with(DeskConfig::default());
    let (acme, jane) = (w.acme, w.jane);
    let twin: ContactId = w.ids.next_id();
    update(
        &mut w,
        acme,
        CustomerCommand::AddContact {
            contact: twin,
            name: "J. Doe".into(),
            addresses: vec![ChannelAddress::email("jd@home.example").unwrap()],
        },
    );
    for (contact, k, v) in [
        (jane, "nickname", FieldValue::Text("Jane".into())),
        (twin, "nickname", FieldValue::Text("JD".into())),
        (twin, "vip", FieldValue::Checkbox(true)),
    ] {
        update(
            &mut w,
            acme,
            CustomerCommand::SetContactField {
                contact,
                key: key(k),
                value: v,
            },
        );
    }
    w.run(Command::new(
        crm(),
        CustomerAction::MergeContacts {
            customer: acme,
            source: twin,
            target: jane,
        },
    ))
    .unwrap();
    let c = w.desk.customers().get(acme).unwrap();
    let j = c.contact(jane).unwrap();
    assert_eq!(
        j.fields().get(&key("vip")),
        Some(&FieldValue::Checkbox(true))
    );
    assert_eq!(
        j.fields().get(&key("nickname")),
        Some(&FieldValue::Text("Jane".into()))
    );
    assert!(c.contact(twin).unwrap().fields().is_empty());
    survives(&w, DeskConfig::default());
}

/// The golden tour's part: a customer merge (the customers'
/// `merged_into` and `absorbed`, the tickets' `customer_changed`).
pub(crate) fn golden_tour() -> Vec<RecordedEvent> {
    let Two { mut w, .. } = two();
    let (acme, tiny) = (w.acme, w.tiny);
    w.run(merge(acme, tiny)).unwrap();
    w.store.read_all(0, usize::MAX).unwrap()
}

/// Four customers (Acme, Tiny and two more), each with a contact and a
/// ticket from them.
fn four() -> (World, Vec<CustomerId>) {
    let mut w = World::new();
    let mut customers = vec![w.acme, w.tiny];
    for i in 0..2 {
        let id: CustomerId = w.ids.next_id();
        let contact: ContactId = w.ids.next_id();
        w.run(Command::new(
            crm(),
            CustomerAction::Register {
                id,
                organisation: format!("Org {i}"),
            },
        ))
        .unwrap();
        update(
            &mut w,
            id,
            CustomerCommand::AddContact {
                contact,
                name: format!("P{i}"),
                addresses: vec![ChannelAddress::email(format!("p{i}@org{i}.example")).unwrap()],
            },
        );
        customers.push(id);
    }
    let senders: Vec<ChannelAddress> = vec![
        w.jane_email.clone(),
        w.tom_email.clone(),
        ChannelAddress::email("p0@org0.example").unwrap(),
        ChannelAddress::email("p1@org1.example").unwrap(),
    ];
    for from in senders {
        let id: TicketId = w.ids.next_id();
        let msg = fanatical::desk::InboundMessage::new(
            id,
            fanatical::channel::Channel::Email,
            from,
            "Help",
        );
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(msg),
        ))
        .unwrap();
    }
    (w, customers)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::cases(32)))]

    /// After any sequence of customer merges (refused ones too): every
    /// ticket is a live customer's and requested by one of its contacts;
    /// every address finds a contact of a live customer; no ticket is
    /// lost; a refused merge wrote nothing; the store rebuilds the desk
    /// and its snapshot restores it.
    #[test]
    fn customer_merges_leave_tickets_with_live_customers(
        steps in proptest::collection::vec((0usize..4, 0usize..4), 1..7)
    ) {
        let (mut w, customers) = four();
        let tickets = w.desk.tickets().len();
        for (s, t) in steps {
            let before = w.store.read_all(0, usize::MAX).unwrap().len();
            let desk = w.desk.clone();
            if w.run(merge(customers[s], customers[t])).is_err() {
                proptest::prop_assert_eq!(w.store.read_all(0, usize::MAX).unwrap().len(), before);
                proptest::prop_assert_eq!(&w.desk, &desk);
            }
        }
        let cs = w.desk.customers();
        let live = |c: CustomerId| cs.get(c).is_some_and(|x| x.merged_into_customer().is_none());
        proptest::prop_assert_eq!(w.desk.tickets().len(), tickets);
        for t in w.desk.tickets().iter() {
            proptest::prop_assert!(live(t.customer()), "ticket {} of merged {}", t.id(), t.customer());
            let r = t.requester().unwrap();
            proptest::prop_assert!(cs.get(t.customer()).unwrap().contact(r).is_some());
        }
        for c in &customers {
            proptest::prop_assert!(live(cs.live_id(*c)));
        }
        for a in [w.jane_email.clone(), w.tom_email.clone()] {
            let found = cs.find_contact(&a).unwrap();
            proptest::prop_assert!(live(found.customer));
            proptest::prop_assert!(cs.get(found.customer).unwrap().contact(found.contact).is_some());
        }
        survives(&w, DeskConfig::default());
    }
}
