//! Goodwill credits and refunds on any ticket: asked for with a reason
//! from the configured list, approved or declined by someone who may see
//! spend, and recorded on the customer's refund ledger.
//!
//! A frontline agent who wants to leave a customer better off ("we'll
//! take this month's overage off your bill") asks for a [`Refund`] on the
//! ticket it is about; an account manager, billing or an executive (or an
//! integration acting as billing) approves or declines it. Every step is
//! an event on the refund's own stream, with who did it and when:
//! the audit trail finance reads.
//!
//! The record keeps the amount for trusted code (billing). People read a
//! [`RefundView`]: the amount only for viewers whose roles see spend
//! ([`crate::agent::SpendAccess`]), the rest — what kind, why, on which
//! ticket, who asked and who approved — for every agent. `Debug` of the
//! record and of its events leaves the amount out.
//!
//! ```
//! use fanatical::actor::Actor;
//! use fanatical::customer::{Currency, Money};
//! use fanatical::id::{AgentId, CustomerId, RefundId, TicketId};
//! use fanatical::incident::ReasonCode;
//! use fanatical::refund::{RefundKind, RefundLedger, RefundRequest, RefundStatus};
//! # use chrono::TimeZone;
//! # let now = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
//! let id = |n| uuid::Uuid::from_u128(n);
//! let (agent, manager) = (AgentId::from_uuid(id(1)), AgentId::from_uuid(id(2)));
//! let request = RefundRequest {
//!     id: RefundId::from_uuid(id(3)),
//!     customer: CustomerId::from_uuid(id(4)),
//!     ticket: TicketId::from_uuid(id(5)),
//!     kind: RefundKind::GoodwillCredit,
//!     amount: Money { minor: 5_000, currency: Currency::new("USD")? },
//!     reason: ReasonCode::new("goodwill")?,
//!     note: "Two days without email; a month's mailbox fee back.".into(),
//!     by: Actor::Agent(agent),
//! };
//! let mut ledger = RefundLedger::default();
//! for e in ledger.request(request, now)? {
//!     ledger.apply(&e);
//! }
//! for e in ledger.approve(RefundId::from_uuid(id(3)), Actor::Agent(manager), now)? {
//!     ledger.apply(&e);
//! }
//! let refund = ledger.get(RefundId::from_uuid(id(3))).unwrap();
//! assert_eq!(refund.status(), RefundStatus::Approved);
//! assert_eq!(refund.decided_by(), Some(&Actor::Agent(manager)));
//! assert!(!format!("{refund:?}").contains("5000")); // Debug hides the amount
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::agent::SpendAccess;
use crate::customer::{AccountStanding, Money};
use crate::id::{CustomerId, RefundId, TicketId};
use crate::incident::ReasonCode;
use crate::text::BlankText;

/// What is given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefundKind {
    /// A credit against future bills, given to make up for a bad
    /// experience.
    GoodwillCredit,
    /// Money paid back.
    Refund,
}

impl fmt::Display for RefundKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefundKind::GoodwillCredit => "goodwill credit",
            RefundKind::Refund => "refund",
        })
    }
}

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefundStatus {
    /// Asked for; waiting for someone who may approve it.
    AwaitingApproval,
    /// Approved: billing gives it.
    Approved,
    /// Declined, with why.
    Declined,
}

impl fmt::Display for RefundStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefundStatus::AwaitingApproval => "awaiting approval",
            RefundStatus::Approved => "approved",
            RefundStatus::Declined => "declined",
        })
    }
}

/// A request for a goodwill credit or refund on a ticket. `Debug` leaves
/// the amount out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// Caller-chosen id.
    pub id: RefundId,
    /// The customer whose account it is on: the ticket's.
    pub customer: CustomerId,
    /// The ticket it is about.
    pub ticket: TicketId,
    /// Credit or refund.
    pub kind: RefundKind,
    /// How much: above zero, in an ISO 4217 currency, at most
    /// [`AccountStanding::MAX_MONTHLY_SPEND_MINOR`] minor units.
    pub amount: Money,
    /// Why, as a configured reason code
    /// ([`crate::incident::CreditConfig::reasons`]). Shown to every agent.
    pub reason: ReasonCode,
    /// What happened, in the asker's words: an internal note, shown to
    /// every agent (so it should not repeat the amount).
    pub note: String,
    /// Who asked.
    pub by: Actor,
}

impl fmt::Debug for RefundAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefundAction::Request {
                id,
                ticket,
                kind,
                amount: _,
                reason,
                note,
            } => f
                .debug_struct("Request")
                .field("id", id)
                .field("ticket", ticket)
                .field("kind", kind)
                .field("amount", &format_args!("<redacted>"))
                .field("reason", reason)
                .field("note", note)
                .finish(),
            RefundAction::Approve { id } => f.debug_struct("Approve").field("id", id).finish(),
            RefundAction::Decline { id, why } => f
                .debug_struct("Decline")
                .field("id", id)
                .field("why", why)
                .finish(),
        }
    }
}

impl fmt::Debug for RefundRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefundRequest")
            .field("id", &self.id)
            .field("customer", &self.customer)
            .field("ticket", &self.ticket)
            .field("kind", &self.kind)
            .field("amount", &format_args!("<redacted>"))
            .field("reason", &self.reason)
            .field("note", &self.note)
            .field("by", &self.by)
            .finish()
    }
}

/// Something that happened to a refund, on its own stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: RefundEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefundEventKind {
    /// A credit or refund was asked for.
    Requested {
        /// The request.
        request: RefundRequest,
    },
    /// It was approved.
    Approved {
        /// Which.
        id: RefundId,
        /// Who approved it.
        by: Actor,
    },
    /// It was declined.
    Declined {
        /// Which.
        id: RefundId,
        /// Who declined it.
        by: Actor,
        /// Why.
        why: String,
    },
}

/// What the refunds area can be asked. Asking needs an active agent or an
/// integration; approving and declining need an agent whose roles see
/// spend (account manager, billing, executive) or an integration, which
/// acts as billing.
///
/// Its `Debug` leaves the amount out (`<redacted>`), as the refund's own
/// records do: a command logged by a service shows no spend. An
/// idempotency key still tells two amounts apart (the desk fingerprints a
/// command by its serialized form).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefundAction {
    /// Ask for a goodwill credit or refund on a ticket, on its customer's
    /// account, with a reason from the configured list
    /// ([`crate::incident::CreditConfig::reasons`]). The ticket is one the
    /// desk holds: an archived ticket is read-only (as in Zendesk), and a
    /// request about it is refused as an unknown ticket; ask on its
    /// follow-up, which a message about it opens.
    Request {
        /// Caller-chosen id.
        id: RefundId,
        /// The ticket it is about.
        ticket: TicketId,
        /// Credit or refund.
        kind: RefundKind,
        /// How much.
        amount: Money,
        /// Why.
        reason: ReasonCode,
        /// What happened (an internal note every agent sees).
        note: String,
    },
    /// Approve it.
    Approve {
        /// Which.
        id: RefundId,
    },
    /// Decline it, with why.
    Decline {
        /// Which.
        id: RefundId,
        /// Why.
        why: String,
    },
}

/// Why a refund command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RefundError {
    /// No refund has this id.
    #[error("unknown refund {0}")]
    UnknownRefund(RefundId),
    /// The id is already a refund's.
    #[error("refund id {0} is already taken")]
    IdTaken(RefundId),
    /// The reason is not one of the configured refund reasons.
    #[error("refund reason {0} is not one of the configured reasons")]
    UnknownReason(ReasonCode),
    /// The amount is zero or negative. It names no figure: the asker knows
    /// what they typed, and refusals can end up in logs.
    #[error("a refund's amount must be above zero")]
    NotPositive,
    /// The amount is above [`AccountStanding::MAX_MONTHLY_SPEND_MINOR`].
    #[error("a refund's amount is above the limit")]
    AboveLimit,
    /// The currency is not an ISO 4217 code.
    #[error("currency {0} is not an ISO 4217 code")]
    InvalidCurrency(String),
    /// Approved or declined already: a decision stands.
    #[error("refund {id} is already {status}")]
    AlreadyDecided {
        /// Which.
        id: RefundId,
        /// How it was decided.
        status: RefundStatus,
    },
    /// The desk requires a second person to approve, and the one who asked
    /// tried to.
    #[error("refund {id} was asked for by {actor}: someone else must approve it")]
    OwnRequest {
        /// Which.
        id: RefundId,
        /// Who asked and tried to approve.
        actor: Actor,
    },
    /// A blank note or reason for declining.
    #[error(transparent)]
    Blank(#[from] BlankText),
}

/// How refunds are approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundPolicy {
    /// Whether someone other than the one who asked must approve (four
    /// eyes). Off by default: an account manager may approve the credit
    /// they asked for, and the record says they did.
    #[serde(default)]
    pub second_approver: bool,
}

impl RefundPolicy {
    /// With a second person required to approve.
    #[must_use]
    pub fn requiring_second_approver(mut self) -> Self {
        self.second_approver = true;
        self
    }
}

/// A goodwill credit or refund: the record, amount and all, for trusted
/// code. People read it as a [`RefundView`] ([`Refund::view`]). `Debug`
/// leaves the amount out.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refund {
    request: RefundRequest,
    requested_at: DateTime<Utc>,
    status: RefundStatus,
    decided_by: Option<Actor>,
    decided_at: Option<DateTime<Utc>>,
    declined_because: Option<String>,
}

impl fmt::Debug for Refund {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refund")
            .field("request", &self.request)
            .field("requested_at", &self.requested_at)
            .field("status", &self.status)
            .field("decided_by", &self.decided_by)
            .field("decided_at", &self.decided_at)
            .field("declined_because", &self.declined_because)
            .finish()
    }
}

impl Refund {
    /// Its id.
    #[must_use]
    pub fn id(&self) -> RefundId {
        self.request.id
    }
    /// What was asked for, amount included (trusted code only).
    #[must_use]
    pub fn request(&self) -> &RefundRequest {
        &self.request
    }
    /// When it was asked for.
    #[must_use]
    pub fn requested_at(&self) -> DateTime<Utc> {
        self.requested_at
    }
    /// Where it stands.
    #[must_use]
    pub fn status(&self) -> RefundStatus {
        self.status
    }
    /// Who approved or declined it.
    #[must_use]
    pub fn decided_by(&self) -> Option<&Actor> {
        self.decided_by.as_ref()
    }
    /// When it was approved or declined.
    #[must_use]
    pub fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.decided_at
    }
    /// Why it was declined.
    #[must_use]
    pub fn declined_because(&self) -> Option<&str> {
        self.declined_because.as_deref()
    }

    /// The refund as a viewer with `access` may see it: the amount only
    /// when [`SpendAccess::Shown`].
    #[must_use]
    pub fn view(&self, access: SpendAccess) -> RefundView {
        let r = &self.request;
        RefundView {
            id: r.id,
            customer: r.customer,
            ticket: r.ticket,
            kind: r.kind,
            amount: access.reveal(r.amount),
            reason: r.reason.clone(),
            note: r.note.clone(),
            requested_by: r.by.clone(),
            requested_at: self.requested_at,
            status: self.status,
            decided_by: self.decided_by.clone(),
            decided_at: self.decided_at,
            declined_because: self.declined_because.clone(),
        }
    }
}

/// A refund as one viewer may see it: everything but the amount for every
/// agent; the amount only for viewers whose roles see spend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RefundView {
    /// Its id.
    pub id: RefundId,
    /// The customer.
    pub customer: CustomerId,
    /// The ticket it is about.
    pub ticket: TicketId,
    /// Credit or refund.
    pub kind: RefundKind,
    /// The amount: `None` for a viewer who may not see spend.
    pub amount: Option<Money>,
    /// Why, as a configured reason code.
    pub reason: ReasonCode,
    /// The asker's note.
    pub note: String,
    /// Who asked.
    pub requested_by: Actor,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Where it stands.
    pub status: RefundStatus,
    /// Who approved or declined it.
    pub decided_by: Option<Actor>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was declined.
    pub declined_because: Option<String>,
}

/// Every refund the desk holds, by id, with an index by ticket and by
/// customer. Each refund is recorded on its own stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefundLedger {
    refunds: BTreeMap<RefundId, Refund>,
    by_ticket: BTreeMap<TicketId, BTreeSet<RefundId>>,
    by_customer: BTreeMap<CustomerId, BTreeSet<RefundId>>,
}

impl RefundLedger {
    /// A refund.
    #[must_use]
    pub fn get(&self, id: RefundId) -> Option<&Refund> {
        self.refunds.get(&id)
    }

    /// Every refund, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Refund> {
        self.refunds.values()
    }

    /// The refunds on a ticket, by id.
    pub fn of_ticket(&self, ticket: TicketId) -> impl Iterator<Item = &Refund> {
        self.by_ticket
            .get(&ticket)
            .into_iter()
            .flatten()
            .filter_map(|id| self.refunds.get(id))
    }

    /// The refunds on a customer's account, by id.
    pub fn of_customer(&self, customer: CustomerId) -> impl Iterator<Item = &Refund> {
        self.by_customer
            .get(&customer)
            .into_iter()
            .flatten()
            .filter_map(|id| self.refunds.get(id))
    }

    /// Moves the refunds on `source`'s account to `target`'s (the source
    /// was merged into the target): each names the target from then on.
    /// Returns how many moved.
    pub(crate) fn rehome(&mut self, source: CustomerId, target: CustomerId) -> usize {
        let ids = self.by_customer.remove(&source).unwrap_or_default();
        for id in &ids {
            if let Some(r) = self.refunds.get_mut(id) {
                r.request.customer = target;
            }
        }
        let n = ids.len();
        if n > 0 {
            self.by_customer.entry(target).or_default().extend(ids);
        }
        n
    }

    /// Decides a request. The caller checks what needs the desk: that the
    /// ticket is the customer's, the reason is configured, and the asker
    /// may ask.
    ///
    /// # Errors
    /// [`RefundError::IdTaken`], [`RefundError::InvalidCurrency`],
    /// [`RefundError::NotPositive`], [`RefundError::AboveLimit`],
    /// [`RefundError::Blank`] for a blank note.
    pub fn request(
        &self,
        mut request: RefundRequest,
        now: DateTime<Utc>,
    ) -> Result<Vec<RefundEvent>, RefundError> {
        if self.refunds.contains_key(&request.id) {
            return Err(RefundError::IdTaken(request.id));
        }
        check_amount(request.amount)?;
        request.note = BlankText::check(&request.note, "a refund note")?;
        Ok(vec![RefundEvent {
            at: now,
            kind: RefundEventKind::Requested { request },
        }])
    }

    /// Decides an approval by `by` (the caller checks that they may).
    ///
    /// # Errors
    /// [`RefundError::UnknownRefund`], [`RefundError::AlreadyDecided`],
    /// [`RefundError::OwnRequest`] under a policy requiring a second
    /// approver (see [`RefundLedger::approve_under`]).
    pub fn approve(
        &self,
        id: RefundId,
        by: Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<RefundEvent>, RefundError> {
        self.approve_under(RefundPolicy::default(), id, by, now)
    }

    /// Decides an approval by `by` under `policy`.
    ///
    /// # Errors
    /// As [`RefundLedger::approve`]; [`RefundError::OwnRequest`] when the
    /// policy requires a second approver and `by` asked for it.
    pub fn approve_under(
        &self,
        policy: RefundPolicy,
        id: RefundId,
        by: Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<RefundEvent>, RefundError> {
        let refund = self.undecided(id)?;
        if policy.second_approver && refund.request.by == by {
            return Err(RefundError::OwnRequest { id, actor: by });
        }
        Ok(vec![RefundEvent {
            at: now,
            kind: RefundEventKind::Approved { id, by },
        }])
    }

    /// Decides declining it, with why.
    ///
    /// # Errors
    /// [`RefundError::UnknownRefund`], [`RefundError::AlreadyDecided`],
    /// [`RefundError::Blank`] for no reason.
    pub fn decline(
        &self,
        id: RefundId,
        by: Actor,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<RefundEvent>, RefundError> {
        self.undecided(id)?;
        let why = BlankText::check(why, "a reason for declining")?;
        Ok(vec![RefundEvent {
            at: now,
            kind: RefundEventKind::Declined { id, by, why },
        }])
    }

    fn undecided(&self, id: RefundId) -> Result<&Refund, RefundError> {
        let refund = self
            .refunds
            .get(&id)
            .ok_or(RefundError::UnknownRefund(id))?;
        if refund.status != RefundStatus::AwaitingApproval {
            return Err(RefundError::AlreadyDecided {
                id,
                status: refund.status,
            });
        }
        Ok(refund)
    }

    /// Folds an event in. A decision on an unknown refund, or on one
    /// already decided, changes nothing (the desk never records one).
    pub fn apply(&mut self, event: &RefundEvent) {
        match &event.kind {
            RefundEventKind::Requested { request } => {
                self.by_ticket
                    .entry(request.ticket)
                    .or_default()
                    .insert(request.id);
                self.by_customer
                    .entry(request.customer)
                    .or_default()
                    .insert(request.id);
                self.refunds.insert(
                    request.id,
                    Refund {
                        request: request.clone(),
                        requested_at: event.at,
                        status: RefundStatus::AwaitingApproval,
                        decided_by: None,
                        decided_at: None,
                        declined_because: None,
                    },
                );
            }
            RefundEventKind::Approved { id, by } => {
                if let Some(r) = self.refunds.get_mut(id)
                    && r.status == RefundStatus::AwaitingApproval
                {
                    r.status = RefundStatus::Approved;
                    r.decided_by = Some(by.clone());
                    r.decided_at = Some(event.at);
                }
            }
            RefundEventKind::Declined { id, by, why } => {
                if let Some(r) = self.refunds.get_mut(id)
                    && r.status == RefundStatus::AwaitingApproval
                {
                    r.status = RefundStatus::Declined;
                    r.decided_by = Some(by.clone());
                    r.decided_at = Some(event.at);
                    r.declined_because = Some(why.clone());
                }
            }
        }
    }
}

/// Checks a refund's amount: an ISO 4217 currency, above zero, within
/// [`AccountStanding::MAX_MONTHLY_SPEND_MINOR`].
fn check_amount(amount: Money) -> Result<(), RefundError> {
    if !amount.currency.is_iso() {
        return Err(RefundError::InvalidCurrency(
            amount.currency.code().to_owned(),
        ));
    }
    if amount.minor <= 0 {
        return Err(RefundError::NotPositive);
    }
    if amount.minor > AccountStanding::MAX_MONTHLY_SPEND_MINOR {
        return Err(RefundError::AboveLimit);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::Currency;
    use crate::id::AgentId;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).unwrap()
    }
    fn uuid(n: u128) -> uuid::Uuid {
        uuid::Uuid::from_u128(n)
    }
    fn request(minor: i64) -> RefundRequest {
        RefundRequest {
            id: RefundId::from_uuid(uuid(1)),
            customer: CustomerId::from_uuid(uuid(2)),
            ticket: TicketId::from_uuid(uuid(3)),
            kind: RefundKind::Refund,
            amount: Money {
                minor,
                currency: Currency::new("EUR").unwrap(),
            },
            reason: ReasonCode::new("goodwill").unwrap(),
            note: " double charge ".into(),
            by: Actor::Agent(AgentId::from_uuid(uuid(4))),
        }
    }
    fn ledger_with(req: RefundRequest) -> RefundLedger {
        let mut l = RefundLedger::default();
        for e in l.request(req, at(9)).unwrap() {
            l.apply(&e);
        }
        l
    }

    #[test]
    fn amounts_must_be_positive_iso_and_bounded() {
        let l = RefundLedger::default();
        assert_eq!(l.request(request(0), at(9)), Err(RefundError::NotPositive));
        assert_eq!(l.request(request(-5), at(9)), Err(RefundError::NotPositive));
        assert_eq!(
            l.request(request(AccountStanding::MAX_MONTHLY_SPEND_MINOR + 1), at(9)),
            Err(RefundError::AboveLimit)
        );
        let mut odd = request(100);
        odd.amount.currency = Currency::try_from("ZZZ".to_owned()).unwrap();
        assert_eq!(
            l.request(odd, at(9)),
            Err(RefundError::InvalidCurrency("ZZZ".into()))
        );
        let mut blank = request(100);
        blank.note = "  ".into();
        assert_eq!(
            l.request(blank, at(9)),
            Err(RefundError::Blank(BlankText {
                what: "a refund note"
            }))
        );
    }

    #[test]
    fn a_decision_stands_and_ids_are_taken_once() {
        let l = ledger_with(request(2_500));
        let id = RefundId::from_uuid(uuid(1));
        assert_eq!(
            l.get(id).unwrap().request().note,
            "double charge",
            "the note is trimmed"
        );
        assert_eq!(l.request(request(1), at(9)), Err(RefundError::IdTaken(id)));
        let billing = Actor::integration("billing");
        let mut l2 = l.clone();
        for e in l2
            .decline(id, billing.clone(), "paid by card", at(10))
            .unwrap()
        {
            l2.apply(&e);
        }
        let r = l2.get(id).unwrap();
        assert_eq!(r.status(), RefundStatus::Declined);
        assert_eq!(r.declined_because(), Some("paid by card"));
        assert_eq!(r.decided_at(), Some(at(10)));
        assert_eq!(
            l2.approve(id, billing, at(11)),
            Err(RefundError::AlreadyDecided {
                id,
                status: RefundStatus::Declined
            })
        );
        assert_eq!(
            l.decline(id, Actor::integration("billing"), " ", at(10)),
            Err(RefundError::Blank(BlankText {
                what: "a reason for declining"
            }))
        );
        let unknown = RefundId::from_uuid(uuid(99));
        assert_eq!(
            l.approve(unknown, Actor::integration("billing"), at(10)),
            Err(RefundError::UnknownRefund(unknown))
        );
    }

    #[test]
    fn four_eyes_refuses_the_askers_own_approval() {
        let l = ledger_with(request(2_500));
        let id = RefundId::from_uuid(uuid(1));
        let asker = Actor::Agent(AgentId::from_uuid(uuid(4)));
        let policy = RefundPolicy::default().requiring_second_approver();
        assert_eq!(
            l.approve_under(policy, id, asker.clone(), at(10)),
            Err(RefundError::OwnRequest {
                id,
                actor: asker.clone()
            })
        );
        assert!(l.approve(id, asker, at(10)).is_ok_and(|e| e.len() == 1));
    }

    #[test]
    fn views_hide_the_amount_and_debug_never_shows_it() {
        let l = ledger_with(request(123_456));
        let r = l.get(RefundId::from_uuid(uuid(1))).unwrap();
        assert_eq!(r.view(SpendAccess::Hidden).amount, None);
        assert_eq!(
            r.view(SpendAccess::Shown).amount.map(|m| m.minor),
            Some(123_456)
        );
        for text in [
            format!("{r:?}"),
            format!("{:?}", r.request()),
            format!(
                "{:?}",
                RefundEvent {
                    at: at(9),
                    kind: RefundEventKind::Requested {
                        request: r.request().clone()
                    }
                }
            ),
        ] {
            assert!(!text.contains("123456"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        assert_eq!(
            l.of_ticket(TicketId::from_uuid(uuid(3))).count(),
            1,
            "indexed by ticket"
        );
        assert_eq!(l.of_customer(CustomerId::from_uuid(uuid(2))).count(), 1);
        assert_eq!(l.of_customer(CustomerId::from_uuid(uuid(3))).count(), 0);
    }
}
