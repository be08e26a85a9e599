//! Refunds with a reason on any ticket (issue 16, item 8; mission:
//! "credits or refunds with a reason"; story 002's "empowering analysts"):
//! an agent asks for a goodwill credit or refund on an ordinary ticket,
//! with a reason from the configured list; someone who may see spend
//! approves or declines it, and the record says who. The amount reaches
//! only the roles that may see spend.

use fanatical::actor::Actor;
use fanatical::agent::{AgentCommand, Role};
use fanatical::customer::{Currency, Money};
use fanatical::desk::{Command, DeskConfig, DeskError, PeopleAction};
use fanatical::event::{Event, StreamId};
use fanatical::id::{AgentId, RefundId, TicketId};
use fanatical::incident::{CreditConfig, ReasonCode};
use fanatical::refund::{
    RefundAction, RefundError, RefundEventKind, RefundKind, RefundPolicy, RefundStatus,
};
use fanatical::store::Store;

use crate::support::World;

fn config() -> DeskConfig {
    let mut cfg = DeskConfig::default();
    cfg.incidents.credits = CreditConfig::default()
        .with_reason("goodwill", "To make up for a bad experience")
        .unwrap()
        .with_reason("double-charge", "Charged twice for one thing")
        .unwrap();
    cfg
}

fn usd(minor: i64) -> Money {
    Money {
        minor,
        currency: Currency::new("USD").unwrap(),
    }
}

fn ask(agent: AgentId, id: RefundId, ticket: TicketId, reason: &str) -> Command {
    Command::new(
        Actor::Agent(agent),
        RefundAction::Request {
            id,
            ticket,
            kind: RefundKind::GoodwillCredit,
            amount: usd(4_200),
            reason: ReasonCode::new(reason).unwrap(),
            note: "Three replies asking for the same log file.".into(),
        },
    )
}

fn approve(actor: Actor, id: RefundId) -> Command {
    Command::new(actor, RefundAction::Approve { id })
}

fn register(w: &mut World, role: Role) -> AgentId {
    let id = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id,
            name: format!("{role}"),
            time_zone: chrono_tz::UTC,
            roles: vec![role],
            skills: vec![],
        },
    ))
    .unwrap();
    id
}

#[test]
fn an_agent_asks_for_a_goodwill_credit_on_an_ordinary_ticket_and_billing_approves_it() {
    let mut w = World::with_config(config());
    let (ana, bill, acme) = (w.ana, w.bill, w.acme);
    let ticket = w.jane_emails("I had to send the same log three times");
    let id: RefundId = w.ids.next_id();
    let asked_at = w.now;
    let written = w.run(ask(ana, id, ticket, "goodwill")).unwrap();
    // Recorded on the refund's own stream, by Ana, with everything billing needs.
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].stream, StreamId::Refund(id));
    assert_eq!(written[0].actor, Some(Actor::Agent(ana)));
    let Event::Refund(e) = &written[0].event else {
        panic!("{:?}", written[0].event)
    };
    let RefundEventKind::Requested { request } = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!(
        (request.customer, request.ticket, request.amount),
        (acme, ticket, usd(4_200))
    );
    assert_eq!(request.reason.as_str(), "goodwill");

    // Billing's queue has it, with the amount; Ana's view of it has none.
    let waiting = w.desk.refunds().awaiting_approval(bill).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].amount, Some(usd(4_200)));
    assert_eq!(waiting[0].requested_by, Actor::Agent(ana));
    let seen = w.desk.refunds().of_ticket(ticket, ana).unwrap();
    assert_eq!(seen[0].amount, None);
    assert_eq!(seen[0].status, RefundStatus::AwaitingApproval);
    assert_eq!(seen[0].reason.as_str(), "goodwill");

    w.tick(30);
    w.run(approve(Actor::Agent(bill), id)).unwrap();
    let r = w.desk.refunds().get(id).unwrap();
    assert_eq!(r.status(), RefundStatus::Approved);
    assert_eq!(r.decided_by(), Some(&Actor::Agent(bill)));
    assert_eq!(
        r.decided_at(),
        Some(asked_at + chrono::Duration::minutes(30))
    );
    assert_eq!(r.requested_at(), asked_at);
    assert!(w.desk.refunds().awaiting_approval(bill).unwrap().is_empty());
    let on_account = w.desk.refunds().of_customer(acme, bill).unwrap();
    assert_eq!(on_account.len(), 1);
    assert_eq!(on_account[0].decided_by, Some(Actor::Agent(bill)));
    assert!(
        w.desk
            .refunds()
            .of_customer(w.tiny, bill)
            .unwrap()
            .is_empty()
    );

    // Rebuilt from the store, the desk holds the same refund.
    let mut rebuilt = fanatical::desk::Desk::new(config());
    rebuilt
        .apply(&w.store.read_all(0, usize::MAX).unwrap())
        .unwrap();
    assert_eq!(rebuilt, w.desk);
}

#[test]
fn a_refund_needs_a_configured_reason_and_someone_who_may_see_spend_to_approve_it() {
    let mut w = World::with_config(config());
    let (ana, bill, jane) = (w.ana, w.bill, w.jane);
    let ticket = w.jane_emails("Charged twice this month");
    let id: RefundId = w.ids.next_id();
    w.refused(
        ask(ana, id, ticket, "because-i-said-so"),
        RefundError::UnknownReason(ReasonCode::new("because-i-said-so").unwrap()),
    );
    // A customer cannot credit themselves.
    let mut by_jane = ask(ana, id, ticket, "goodwill");
    by_jane.actor = Actor::Contact(jane);
    let err = crate::support::denied(
        &w.desk,
        Actor::Contact(jane),
        fanatical::permission::Permission::RequestRefunds,
        Some(ticket),
    );
    w.refused(by_jane, err);
    let nowhere: TicketId = w.ids.next_id();
    w.refused(
        ask(ana, id, nowhere, "goodwill"),
        DeskError::UnknownTicket(nowhere),
    );
    let mut nothing = ask(ana, id, ticket, "goodwill");
    if let fanatical::desk::Action::Refund(RefundAction::Request { amount, .. }) =
        &mut nothing.action
    {
        amount.minor = 0;
    }
    w.refused(nothing, RefundError::NotPositive);

    w.run(ask(ana, id, ticket, "double-charge")).unwrap();
    // Ana may ask but not approve; nor may a team lead.
    let lead = register(&mut w, Role::TeamLead);
    for agent in [ana, lead] {
        let err = crate::support::denied(
            &w.desk,
            Actor::Agent(agent),
            fanatical::permission::Permission::ApproveRefunds,
            None,
        );
        w.refused(approve(Actor::Agent(agent), id), err);
    }
    w.refused(
        Command::new(
            Actor::Agent(ana),
            RefundAction::Decline {
                id,
                why: "no".into(),
            },
        ),
        crate::support::denied(
            &w.desk,
            Actor::Agent(ana),
            fanatical::permission::Permission::ApproveRefunds,
            None,
        ),
    );
    let unknown: RefundId = w.ids.next_id();
    w.refused(
        approve(Actor::Agent(bill), unknown),
        RefundError::UnknownRefund(unknown),
    );
    // Billing declines, with why; the decision stands.
    w.run(Command::new(
        Actor::Agent(bill),
        RefundAction::Decline {
            id,
            why: "The second charge was already reversed by the bank.".into(),
        },
    ))
    .unwrap();
    let r = w.desk.refunds().get(id).unwrap();
    assert_eq!(r.status(), RefundStatus::Declined);
    assert_eq!(
        r.declined_because(),
        Some("The second charge was already reversed by the bank.")
    );
    w.refused(
        approve(Actor::integration("billing"), id),
        RefundError::AlreadyDecided {
            id,
            status: RefundStatus::Declined,
        },
    );
    w.refused(ask(ana, id, ticket, "goodwill"), RefundError::IdTaken(id));
}

#[test]
fn a_deactivated_agent_cannot_ask_and_four_eyes_keeps_an_approver_off_their_own_request() {
    let mut w = World::with_config(
        config().with_refunds(RefundPolicy::default().requiring_second_approver()),
    );
    let (ana, bill) = (w.ana, w.bill);
    let ticket = w.jane_emails("Our invoice is wrong");
    let manager = register(&mut w, Role::AccountManager);
    let id: RefundId = w.ids.next_id();
    // The account manager asks; under four eyes they may not approve it.
    w.run(ask(manager, id, ticket, "goodwill")).unwrap();
    w.refused(
        approve(Actor::Agent(manager), id),
        RefundError::OwnRequest {
            id,
            actor: Actor::Agent(manager),
        },
    );
    w.run(approve(Actor::Agent(bill), id)).unwrap();
    assert_eq!(
        w.desk.refunds().get(id).unwrap().decided_by(),
        Some(&Actor::Agent(bill))
    );

    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateAgent {
            agent: ana,
            command: AgentCommand::Deactivate,
        },
    ))
    .unwrap();
    let later: RefundId = w.ids.next_id();
    w.refused(
        ask(ana, later, ticket, "goodwill"),
        DeskError::InactiveAgent(ana),
    );
    // Reads take a known, active viewer.
    assert_eq!(
        w.desk.refunds().of_ticket(ticket, ana),
        Err(DeskError::InactiveAgent(ana).into())
    );
}

/// A refund request's amount stays out of the command's `Debug` (what a
/// service logs), and an idempotency key still tells two amounts apart.
#[test]
fn a_request_logs_no_amount_and_its_key_tells_amounts_apart() {
    let mut w = World::with_config(config());
    let t = w.jane_emails("Charged twice");
    let ana = w.ana;
    let id: RefundId = w.ids.next_id();
    let key = fanatical::actor::CommandKey::new("refund-jane-1").unwrap();
    let first = ask(ana, id, t, "double-charge").with_key(key.clone());
    let logged = format!("{first:?}");
    assert!(
        logged.contains("<redacted>") && logged.contains("double-charge"),
        "{logged}"
    );
    assert!(
        !logged.contains("4200") && !logged.contains("42.00"),
        "{logged}"
    );
    let recorded = w.run(first.clone()).unwrap();
    let mut other = ask(ana, id, t, "double-charge");
    if let fanatical::desk::Action::Refund(RefundAction::Request { amount, .. }) = &mut other.action
    {
        *amount = usd(420_000);
    }
    assert_eq!(format!("{:?}", other.action), format!("{:?}", first.action));
    w.refused(
        other.with_key(key.clone()),
        DeskError::KeyReused { key: key.clone() },
    );
    let now = w.now;
    assert_eq!(w.desk.execute(&mut w.store, first, now).unwrap(), recorded);
}

/// A refund request accepted by a schema 2 build (whose fingerprint hashed
/// the request's derived `Debug`, amount included, as written out here)
/// and retried after the upgrade is answered with its first result;
/// another amount under the key is refused.
#[test]
fn a_refund_key_accepted_before_schema_3_is_still_matched() {
    let mut w = World::with_config(config());
    let t = w.jane_emails("Charged twice");
    let ana = w.ana;
    let id: RefundId = w.ids.next_id();
    let key = fanatical::actor::CommandKey::new("refund-old-1").unwrap();
    let first = ask(ana, id, t, "double-charge").with_key(key.clone());
    w.run(first.clone()).unwrap();
    let fanatical::desk::Action::Refund(RefundAction::Request {
        kind,
        amount,
        reason,
        note,
        ..
    }) = &first.action
    else {
        unreachable!()
    };
    // What the derived `Debug` of those builds printed.
    let text = format!(
        "{:?}|Refund(Request {{ id: {id:?}, ticket: {t:?}, kind: {kind:?}, amount: Money {{ \
         minor: {}, currency: {:?} }}, reason: {reason:?}, note: {note:?} }})",
        first.actor, amount.minor, amount.currency
    );
    let print = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut old = crate::commands::accepted_as(&w.store, 2, print);
    let mut desk = fanatical::desk::Desk::rebuild(&old, w.desk.config().clone()).unwrap();
    let recorded = old.read_all(0, usize::MAX).unwrap();
    let again = desk.execute(&mut old, first.clone(), w.now).unwrap();
    assert!(!again.is_empty() && again.iter().all(|r| recorded.contains(r)));
    let mut other = first;
    if let fanatical::desk::Action::Refund(RefundAction::Request { amount, .. }) = &mut other.action
    {
        *amount = usd(9_999);
    }
    assert_eq!(
        desk.execute(&mut old, other, w.now),
        Err(DeskError::KeyReused { key }.into())
    );
}
