//! A customer merge racing another desk on one store (review of issue
//! 18, item 6): a ticket opened, archived or a refund asked for the
//! source customer by a second desk at the same moment as the merge. One
//! of the two appends conflicts, and the loser's retry (catch up, decide
//! again) is decided on the merged state: nothing is left on the
//! merged-away customer. Two ordinary opens for one customer still do not
//! conflict. Shared by path with the SQLite and PostgreSQL store crates'
//! tests, so a real database is held to the same races.

use fanatical::actor::Actor;
use fanatical::channel::Channel;
use fanatical::chrono::Duration;
use fanatical::customer::{Currency, Money};
use fanatical::desk::{
    ArchivePolicy, Command, CustomerAction, Desk, DeskConfig, DeskError, InboundMessage,
    TicketAction,
};
use fanatical::error::ErrorKind;
use fanatical::event::{Event, StreamId};
use fanatical::id::{CustomerId, RefundId, TicketId};
use fanatical::incident::{CreditConfig, ReasonCode};
use fanatical::refund::{RefundAction, RefundKind};
use fanatical::store::{MemoryStore, SharedStore, Store};
use fanatical::ticket::{OpenTicket, TicketEventKind};

use crate::support::World;

fn merge(source: CustomerId, target: CustomerId) -> Command {
    Command::new(
        Actor::integration("crm"),
        CustomerAction::MergeCustomers { source, target },
    )
}

fn open_for(customer: CustomerId, id: TicketId) -> Command {
    Command::new(
        Actor::integration("portal"),
        TicketAction::Open(OpenTicket::new(
            id,
            customer,
            "Printer on fire",
            Channel::Phone,
        )),
    )
}

fn jane_writes(w: &World, id: TicketId) -> Command {
    let msg = InboundMessage::new(id, Channel::Email, w.jane_email.clone(), "Site down again");
    Command::new(Actor::integration("inbound"), TicketAction::Receive(msg))
}

/// Archives closed tickets a week after they close; a goodwill reason
/// for refunds.
fn config() -> DeskConfig {
    let mut config =
        DeskConfig::default().with_archive(ArchivePolicy::after_closed(Duration::days(7)).unwrap());
    config.incidents.credits = CreditConfig::default()
        .with_reason("goodwill", "To make up for a bad experience")
        .unwrap();
    config
}

/// The world's record on two handles `open` gives on one empty store, and
/// a desk rebuilt on each.
fn two_desks<S: Store>(w: &World, open: &mut impl FnMut() -> S) -> (S, Desk, S, Desk) {
    let (mut a, b) = (open(), open());
    w.copy_into(&mut a);
    let one = Desk::rebuild(&a, config()).unwrap();
    let two = Desk::rebuild(&b, config()).unwrap();
    (a, one, b, two)
}

fn assert_conflict(result: Result<Vec<fanatical::store::RecordedEvent>, fanatical::Error>) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err:?}");
}

/// Every ticket listed in `customer`'s archive stream.
fn archived_in<S: Store>(store: &S, customer: CustomerId) -> Vec<TicketId> {
    store
        .read_stream(&StreamId::Archive(customer), 0)
        .unwrap()
        .iter()
        .filter_map(|r| match &r.event {
            Event::Ticket(e) => match e.kind {
                TicketEventKind::Archived { ticket, .. } => Some(ticket),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The merge lands first; a ticket the other desk opened for the source
/// (by the portal, naming it; by mail, from one of its contacts) conflicts.
/// The retries: the portal's is refused naming the target, the mail's
/// opens the ticket for the target (its address is the target's now).
/// Two ordinary opens for one customer on two desks both land.
pub fn a_ticket_opened_for_the_source_as_it_is_merged<S: Store>(mut open: impl FnMut() -> S) {
    let w = World::with_config(config());
    let (acme, tiny, now) = (w.acme, w.tiny, w.now);
    let (mut a, mut one, mut b, mut two) = two_desks(&w, &mut open);
    let mut ids = fanatical::id::IdGenerator::from_seed(77);

    // Two opens for Acme at the same moment do not conflict.
    let (first, second): (TicketId, TicketId) = (ids.next_id(), ids.next_id());
    let d1 = one.decide(open_for(acme, first), now).unwrap();
    let d2 = two.decide(open_for(acme, second), now).unwrap();
    one.commit(&mut a, &d1).unwrap();
    two.commit(&mut b, &d2).unwrap();
    one.catch_up(&a).unwrap();

    let (portal, mail): (TicketId, TicketId) = (ids.next_id(), ids.next_id());
    let merged = one.decide(merge(acme, tiny), now).unwrap();
    let by_portal = two.decide(open_for(acme, portal), now).unwrap();
    let by_mail = two.decide(jane_writes(&w, mail), now).unwrap();
    one.commit(&mut a, &merged).unwrap();
    assert_conflict(two.commit(&mut b, &by_portal));
    assert_conflict(two.commit(&mut b, &by_mail));
    two.catch_up(&b).unwrap();
    assert_eq!(
        two.execute(&mut b, open_for(acme, portal), now),
        Err(DeskError::CustomerMerged {
            customer: acme,
            into: tiny
        }
        .into())
    );
    two.execute(&mut b, jane_writes(&w, mail), now).unwrap();
    for t in [first, second, mail] {
        assert_eq!(two.tickets().get(t).unwrap().customer(), tiny, "{t}");
    }
    assert_eq!(two.tickets().of_customer(acme).count(), 0);
    one.catch_up(&a).unwrap();
    assert_eq!(one, two);
    assert_eq!(Desk::rebuild(&a, config()).unwrap(), two);
}

/// A closed ticket of the source falls due for the archive on one desk as
/// the other merges: in either order (`merge_first`), one append conflicts and the ticket
/// ends in the target's archive.
pub fn a_ticket_archived_for_the_source_as_it_is_merged<S: Store>(
    merge_first: bool,
    mut open: impl FnMut() -> S,
) {
    {
        let mut w = World::with_config(config());
        let (acme, tiny) = (w.acme, w.tiny);
        let t = w.closed_ticket("Our certificate expired", "Renewed it");
        w.tick(8 * 24 * 60);
        let now = w.now;
        let (mut a, mut one, mut b, mut two) = two_desks(&w, &mut open);
        let merged = one.decide(merge(acme, tiny), now).unwrap();
        let archival = two.decide_timeouts(now);
        assert!(!archival.is_empty(), "the ticket is due for the archive");
        if merge_first {
            one.commit(&mut a, &merged).unwrap();
            assert_conflict(two.commit(&mut b, &archival));
            two.catch_up(&b).unwrap();
            // Nothing for Acme's archive; the move restarted the
            // ticket's archive window, so it is Tiny's a week on.
            two.handle_timeout(&mut b, now).unwrap();
            assert!(archived_in(&b, acme).is_empty());
            two.handle_timeout(&mut b, now + Duration::days(8)).unwrap();
        } else {
            two.commit(&mut b, &archival).unwrap();
            assert_conflict(one.commit(&mut a, &merged));
            one.catch_up(&a).unwrap();
            one.execute(&mut a, merge(acme, tiny), now).unwrap();
        }
        one.catch_up(&a).unwrap();
        two.catch_up(&b).unwrap();
        assert_eq!(two.tickets().get(t), None, "archived");
        assert_eq!(archived_in(&a, tiny), vec![t], "merge first: {merge_first}");
        assert_eq!(one, two);
        assert_eq!(Desk::rebuild(&a, config()).unwrap(), two);
    }
}

/// A refund asked on the source's ticket on one desk as the other merges:
/// in either order (`merge_first`) it ends on the target's account.
pub fn a_refund_asked_for_the_source_as_it_is_merged<S: Store>(
    merge_first: bool,
    mut open: impl FnMut() -> S,
) {
    {
        let mut w = World::with_config(config());
        let (acme, tiny, ana, bill) = (w.acme, w.tiny, w.ana, w.bill);
        let t = w.jane_emails("Charged twice");
        let now = w.now;
        let (mut a, mut one, mut b, mut two) = two_desks(&w, &mut open);
        let id: RefundId = w.ids.next_id();
        let ask = Command::new(
            Actor::Agent(ana),
            RefundAction::Request {
                id,
                ticket: t,
                kind: RefundKind::GoodwillCredit,
                amount: Money {
                    minor: 4_200,
                    currency: Currency::new("USD").unwrap(),
                },
                reason: ReasonCode::new("goodwill").unwrap(),
                note: "Sorry about that.".into(),
            },
        );
        let merged = one.decide(merge(acme, tiny), now).unwrap();
        let asked = two.decide(ask.clone(), now).unwrap();
        if merge_first {
            one.commit(&mut a, &merged).unwrap();
            assert_conflict(two.commit(&mut b, &asked));
            two.catch_up(&b).unwrap();
            two.execute(&mut b, ask, now).unwrap();
        } else {
            // The merge moves the source's refunds as it is applied, in
            // the store's order: this one too.
            two.commit(&mut b, &asked).unwrap();
            one.commit(&mut a, &merged).unwrap();
        }
        one.catch_up(&a).unwrap();
        two.catch_up(&b).unwrap();
        let on = |desk: &Desk, c| {
            desk.refunds()
                .of_customer(c, bill)
                .map(|l| l.iter().map(|r| (r.id, r.customer)).collect::<Vec<_>>())
        };
        assert_eq!(on(&two, tiny).unwrap(), vec![(id, tiny)], "{merge_first}");
        assert_eq!(one, two);
        assert_eq!(Desk::rebuild(&a, config()).unwrap(), two);
    }
}

fn shared() -> impl FnMut() -> SharedStore<MemoryStore> {
    let store = SharedStore::new(MemoryStore::new());
    move || store.clone()
}

#[test]
fn a_ticket_opened_for_the_source_as_it_is_merged_on_one_shared_memory_store() {
    a_ticket_opened_for_the_source_as_it_is_merged(shared());
}

#[test]
fn a_ticket_archived_for_the_source_as_it_is_merged_on_one_shared_memory_store() {
    for merge_first in [true, false] {
        a_ticket_archived_for_the_source_as_it_is_merged(merge_first, shared());
    }
}

#[test]
fn a_refund_asked_for_the_source_as_it_is_merged_on_one_shared_memory_store() {
    for merge_first in [true, false] {
        a_refund_asked_for_the_source_as_it_is_merged(merge_first, shared());
    }
}
