//! The simulation's independent model: its own simple record of what must
//! be true, kept beside the desk and checked against every batch of events
//! the desk stores and every message the transport receives.
//!
//! It does not ask the desk anything. It knows the organisation the
//! simulation set up (customers, contacts and their addresses, who runs on
//! the datacenter), the configured SLA policies and support hours (with its
//! own naive calendar, not the library's), and the rules of the stories:
//!
//! - an accepted inbound message lands as its contact's entry, on the
//!   ticket it continues or a new one;
//! - an accepted reply lands as the agent's public entry, and every public
//!   agent entry on a channel that carries messages leaves as exactly one
//!   message to the ticket's requester, at their address for that channel;
//! - every SLA metric is activated with the target its policy sets, paused
//!   exactly while its ticket waits, and its deadlines (recomputed here
//!   from the activation, pause and resume events) are the ones the desk
//!   stored; a breach is recorded if and only if the metric was live past
//!   its deadline, at or after it, never while paused, never after
//!   fulfilment, and never twice;
//! - a solved ticket's requester gets one CSAT invitation unless invited in
//!   the quiet period (none for tickets an incident's resolution solves);
//!   every invitation leaves as one email; a poor rating opens a follow-up;
//! - an incident's declaration and updates reach every contact of every
//!   customer running on an affected component, once each, and nobody
//!   else; credits and follow-ups go to those customers only, once each.
//!   The simulation's incidents only ever take down dc1 and customers
//!   choose their components at sign-up, so nobody joins an incident while
//!   it runs (a `CustomerJoined` event fails the model) and the affected
//!   customers are those on dc1; every contact has an email address, so
//!   no call-out task is opened; no press list is configured, so no
//!   message goes to the press.
//!
//! - archiving: the simulation's desk archives tickets closed longer than
//!   [`ARCHIVE_AFTER`]; a ticket is archived only once it is closed, never
//!   before its window runs out nor before its unanswered survey
//!   invitations expire, with the instant it was closed; a contact's
//!   message naming a closed or archived ticket lands on a new ticket
//!   linked to it as its follow-up (one naming an open ticket lands on
//!   it, and opens nothing).
//!
//! A failed check panics with a message starting `model:`.

use std::collections::{BTreeMap, BTreeSet};

use fanatical::channel::{Channel, ChannelAddress, ChannelKind};
use fanatical::chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use fanatical::chrono_tz::America::Chicago;
use fanatical::event::{Event, StreamId};
use fanatical::id::{ContactId, CustomerId, IncidentId, InvitationId, TicketId};
use fanatical::incident::{Audience, IncidentEventKind, IncidentStatus, Messages};
use fanatical::outbox::{OutboundMessage, Recipient};
use fanatical::sla::{Clock, Metric, MetricKey, SlaEventKind, TargetSpec};
use fanatical::store::RecordedEvent;
use fanatical::survey::{Rating, SurveyEventKind, SurveyKind};
use fanatical::ticket::{Author, EntryVisibility, Status, TicketEventKind};

/// The support hours the simulation configures, computed the slow, obvious
/// way: weekdays 09:00–12:00 and 13:00–17:00 in Chicago, closed on
/// Thanksgiving 2026.
fn open_intervals(day: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    if matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
        || day == NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    {
        return Vec::new();
    }
    let at = |h: u32| {
        Chicago
            .from_local_datetime(&day.and_hms_opt(h, 0, 0).unwrap())
            .single()
            .unwrap()
            .with_timezone(&Utc)
    };
    vec![(at(9), at(12)), (at(13), at(17))]
}

fn local_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Chicago).date_naive()
}

/// Business time between two instants on `clock`.
fn elapsed(clock: Clock, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    if to <= from {
        return Duration::zero();
    }
    if clock == Clock::Always {
        return to - from;
    }
    let mut total = Duration::zero();
    let mut day = local_day(from).pred_opt().unwrap();
    while day <= local_day(to).succ_opt().unwrap() {
        for (s, e) in open_intervals(day) {
            let (s, e) = (s.max(from), e.min(to));
            if e > s {
                total += e - s;
            }
        }
        day = day.succ_opt().unwrap();
    }
    total
}

/// The earliest instant in open time by which `business` time has passed
/// since `start` (a deadline that falls at closing time is the next
/// opening: the clock is not running in between).
/// The instant the time used reaches `d`, counted on from the last stretch
/// that began with less used (the last one when none did).
fn reach(stretches: &[(DateTime<Utc>, Duration, Clock)], d: Duration) -> DateTime<Utc> {
    let (since, used, clock) = stretches
        .iter()
        .rev()
        .find(|(_, used, _)| *used < d)
        .or(stretches.last())
        .copied()
        .expect("a metric that never ran has no deadline");
    add(clock, since, (d - used).max(Duration::zero()))
}

fn add(clock: Clock, start: DateTime<Utc>, business: Duration) -> DateTime<Utc> {
    if clock == Clock::Always {
        return start + business;
    }
    let mut left = business;
    let mut day = local_day(start).pred_opt().unwrap();
    loop {
        for (s, e) in open_intervals(day) {
            let s = s.max(start);
            if e <= s {
                continue;
            }
            if e - s > left {
                return s + left;
            }
            left -= e - s;
        }
        day = day.succ_opt().unwrap();
    }
}

/// How long the simulation's desk keeps closed tickets in memory.
pub(super) const ARCHIVE_AFTER: Duration = Duration::minutes(30);

/// A contact as the simulation set it up.
pub(super) struct ModelContact {
    pub customer: CustomerId,
    /// Email, phone, X handle, chat handle, in that order.
    pub addresses: Vec<ChannelAddress>,
}

/// What the simulation was doing when events were stored.
#[derive(Debug, Clone)]
pub(super) enum Origin {
    /// Timers fired by `handle_timeout`.
    Timer,
    /// An inbound message.
    Receive {
        new_ticket: TicketId,
        reply_to: Option<TicketId>,
        contact: ContactId,
        channel: Channel,
        body: String,
    },
    /// An agent's public reply.
    Reply {
        ticket: TicketId,
        agent: fanatical::id::AgentId,
        body: String,
    },
    /// An incident update (resolving solves linked tickets, without CSAT).
    IncidentUpdate,
    /// Credits issued for a resolved incident.
    IssueCredits(IncidentId),
    /// An agent closing a solved ticket.
    Close(TicketId),
    /// Anything else.
    Other,
}

#[derive(Debug)]
enum Phase {
    Active {
        since: DateTime<Utc>,
        deadline: DateTime<Utc>,
    },
    Paused,
    Done,
}

#[derive(Debug)]
struct MetricModel {
    spec: TargetSpec,
    used: Duration,
    phase: Phase,
    breached: bool,
    /// Each stretch the clock ran: from when, with how much used before,
    /// on which clock.
    stretches: Vec<(DateTime<Utc>, Duration, Clock)>,
}

struct IncidentModel {
    title: String,
    declared: DateTime<Utc>,
    resolved: Option<DateTime<Utc>>,
}

struct TicketModel {
    customer: CustomerId,
    channel: Channel,
    requester: Option<ContactId>,
    status: Status,
    /// When it was closed.
    closed_at: Option<DateTime<Utc>>,
    /// Whether it was archived.
    archived: bool,
    /// Entries on its conversation.
    entries: usize,
}

/// An outbound message the rules call for, as a comparable line.
fn line(contact: ContactId, address: &ChannelAddress, m: &Shape) -> String {
    format!(
        "{contact} at {address:?} on {:?} about {:?} at {}: {}",
        m.channel, m.ticket, m.at, m.body
    )
}

struct Shape {
    channel: Channel,
    ticket: Option<TicketId>,
    at: DateTime<Utc>,
    body: String,
}

/// A survey invitation about a ticket: when it expires, and when it was
/// answered.
type Invited = (DateTime<Utc>, Option<DateTime<Utc>>);

pub(super) struct Model {
    seed: u64,
    contacts: BTreeMap<ContactId, ModelContact>,
    /// Customers running on the datacenter the incidents take down.
    on_dc1: BTreeSet<CustomerId>,
    tickets: BTreeMap<TicketId, TicketModel>,
    metrics: BTreeMap<(TicketId, MetricKey), MetricModel>,
    /// Messages to contacts the rules call for, counted.
    expected: BTreeMap<String, u32>,
    last_invited: BTreeMap<ContactId, DateTime<Utc>>,
    /// Each incident's title, declaration and resolution.
    incidents: BTreeMap<IncidentId, IncidentModel>,
    credited: BTreeSet<(IncidentId, CustomerId)>,
    followed_up: BTreeSet<(IncidentId, CustomerId)>,
    /// Follow-up tasks opened by poor ratings.
    follow_ups: BTreeSet<TicketId>,
    /// Survey invitations about each ticket: when each expires, and when
    /// it was answered.
    invitations: BTreeMap<TicketId, BTreeMap<InvitationId, Invited>>,
    /// Which ticket each invitation is about.
    invited_about: BTreeMap<InvitationId, TicketId>,
    /// Tickets archived (each checked: closed, not early).
    pub archivals: u64,
    /// Messages on closed or archived tickets that opened a follow-up
    /// linked to them (each checked), and of those the ones on archived
    /// tickets.
    pub closed_follow_ups: u64,
    pub archived_follow_ups: u64,
    /// Breaches recorded (all checked).
    pub breaches: u64,
    /// Metrics whose deadline the model recomputed and compared.
    pub deadlines: u64,
    /// Credits issued (all to customers of an outage, once each).
    pub credits: u64,
    /// CSAT invitations the rules called for (all sent).
    pub csat: u64,
}

impl Model {
    pub(super) fn new(
        seed: u64,
        contacts: BTreeMap<ContactId, ModelContact>,
        on_dc1: BTreeSet<CustomerId>,
    ) -> Self {
        Model {
            seed,
            contacts,
            on_dc1,
            tickets: BTreeMap::new(),
            metrics: BTreeMap::new(),
            expected: BTreeMap::new(),
            last_invited: BTreeMap::new(),
            incidents: BTreeMap::new(),
            credited: BTreeSet::new(),
            followed_up: BTreeSet::new(),
            follow_ups: BTreeSet::new(),
            invitations: BTreeMap::new(),
            invited_about: BTreeMap::new(),
            archivals: 0,
            closed_follow_ups: 0,
            archived_follow_ups: 0,
            breaches: 0,
            deadlines: 0,
            credits: 0,
            csat: 0,
        }
    }

    fn fail(&self, what: &str) -> ! {
        panic!("model: seed {}: {what}", self.seed)
    }

    fn expect(&mut self, contact: ContactId, address: &ChannelAddress, shape: &Shape) {
        *self
            .expected
            .entry(line(contact, address, shape))
            .or_default() += 1;
    }

    /// The contact's address on a channel that carries messages.
    fn address_for(&self, contact: ContactId, channel: &Channel) -> ChannelAddress {
        let c = self
            .contacts
            .get(&contact)
            .unwrap_or_else(|| self.fail(&format!("a message for unknown contact {contact}")));
        let i = match channel.kind() {
            ChannelKind::Email | ChannelKind::Portal => 0,
            ChannelKind::Social => 2,
            ChannelKind::Chat => 3,
            k => self.fail(&format!("a message expected on {k:?}")),
        };
        c.addresses[i].clone()
    }

    /// Folds one batch of stored events (everything one command, or one
    /// round of timers, wrote), checking it against the rules.
    pub(super) fn observe(
        &mut self,
        batch: &[RecordedEvent],
        origin: &Origin,
        seen_at: DateTime<Utc>,
    ) {
        self.check_command(batch, origin);
        let invited_before = self.last_invited.clone();
        // A poor rating's follow-up task is promised within a day.
        for r in batch {
            if let Event::Survey(e) = &r.event
                && let SurveyEventKind::Answered {
                    invitation,
                    csat: Some(Rating::Poor),
                    ..
                } = &e.kind
            {
                self.follow_ups.insert(invitation.follow_up_ticket());
            }
        }
        let mut solved = Vec::new();
        let mut csat_invited = Vec::new();
        let mut touched = BTreeSet::new();
        for r in batch {
            match (&r.stream, &r.event) {
                (StreamId::Ticket(t), Event::Ticket(e)) => {
                    touched.insert(*t);
                    self.ticket_event(*t, &e.kind, e.at, &mut solved);
                }
                (StreamId::Sla(t), Event::Sla(e)) => {
                    touched.insert(*t);
                    self.sla_event(*t, &e.kind, e.at, seen_at);
                }
                (StreamId::Surveys | StreamId::Invitations(_), Event::Survey(e)) => match &e.kind {
                    SurveyEventKind::Invited { invitation } => {
                        if let Some(last) = self.last_invited.get(&invitation.contact)
                            && *last + Duration::days(90) > e.at
                        {
                            self.fail(&format!(
                                "{} invited again within the quiet period",
                                invitation.contact
                            ));
                        }
                        self.last_invited.insert(invitation.contact, e.at);
                        if invitation.kind == SurveyKind::Csat {
                            csat_invited.push((invitation.ticket, invitation.contact));
                        }
                        if let Some(t) = invitation.ticket {
                            self.invited_about.insert(invitation.id, t);
                            self.invitations
                                .entry(t)
                                .or_default()
                                .insert(invitation.id, (invitation.expires_at, None));
                        }
                        let address = self.address_for(invitation.contact, &Channel::Email);
                        let body = format!(
                            "How did we do? Please answer our short survey \"{}\" (invitation {}).",
                            invitation.survey, invitation.id
                        );
                        let shape = Shape {
                            channel: Channel::Email,
                            ticket: invitation.ticket,
                            at: e.at,
                            body,
                        };
                        self.expect(invitation.contact, &address, &shape);
                    }
                    SurveyEventKind::Answered {
                        invitation, csat, ..
                    } => {
                        if let Some(t) = self.invited_about.get(invitation)
                            && let Some(i) = self
                                .invitations
                                .get_mut(t)
                                .and_then(|m| m.get_mut(invitation))
                        {
                            i.1 = Some(e.at);
                        }
                        let follow_up = invitation.follow_up_ticket();
                        let opened = batch.iter().any(|r| {
                            matches!(&r.event, Event::Ticket(e)
                                if matches!(&e.kind, TicketEventKind::Opened { id, .. } if *id == follow_up))
                        });
                        if opened != (*csat == Some(Rating::Poor)) {
                            self.fail(&format!(
                                "an answer rating {csat:?} opened a follow-up: {opened}"
                            ));
                        }
                    }
                    _ => {}
                },
                (StreamId::Incident(id), Event::Incident(e)) => {
                    self.incident_event(*id, &e.kind, e.at);
                }
                (StreamId::Archive(customer), Event::Ticket(e)) => {
                    if let TicketEventKind::Archived {
                        ticket, closed_at, ..
                    } = &e.kind
                    {
                        self.archived(*customer, *ticket, *closed_at, e.at);
                    }
                }
                _ => {}
            }
        }
        // Issuing credits credits every customer of the outage still owed
        // one (the fee is above zero and the outage lasted).
        if let Origin::IssueCredits(id) = origin {
            let lasted = self
                .incidents
                .get(id)
                .and_then(|i| Some(i.resolved? > i.declared))
                .unwrap_or(false);
            let missed = self
                .on_dc1
                .iter()
                .filter(|c| !self.credited.contains(&(*id, **c)))
                .count();
            if lasted && missed > 0 {
                self.fail(&format!(
                    "issuing credits for {id} left {missed} customers of the outage without one"
                ));
            }
        }
        // CSAT: one per solve, to the requester, unless quiet; none for
        // tickets an incident's resolution solved.
        let mut wanted = Vec::new();
        for (t, at) in solved {
            let requester = self.tickets.get(&t).and_then(|m| m.requester);
            if let Some(c) = requester
                && !matches!(origin, Origin::IncidentUpdate)
            {
                let quiet = invited_before
                    .get(&c)
                    .is_some_and(|l| *l + Duration::days(90) > at);
                if !quiet {
                    wanted.push((Some(t), c));
                }
            }
        }
        wanted.sort();
        csat_invited.sort();
        self.csat += wanted.len() as u64;
        if wanted != csat_invited {
            self.fail(&format!(
                "CSAT invitations {csat_invited:?} where the rules call for {wanted:?}"
            ));
        }
        // A metric runs exactly while its ticket does not wait.
        for t in touched {
            let Some(status) = self.tickets.get(&t).map(|m| m.status) else {
                continue;
            };
            for ((ticket, key), m) in self.metrics.range((t, MIN_KEY)..) {
                if *ticket != t {
                    break;
                }
                let waits = m.spec.pause_on.contains(&status);
                match m.phase {
                    Phase::Active { .. } if waits => self.fail(&format!(
                        "{t} {key:?} still runs while the ticket is {status:?}"
                    )),
                    Phase::Paused if !waits => self.fail(&format!(
                        "{t} {key:?} still paused while the ticket is {status:?}"
                    )),
                    _ => {}
                }
            }
        }
    }

    fn check_command(&self, batch: &[RecordedEvent], origin: &Origin) {
        let entries = || {
            batch.iter().filter_map(|r| match (&r.stream, &r.event) {
                (StreamId::Ticket(t), Event::Ticket(e)) => match &e.kind {
                    TicketEventKind::EntryAdded { entry } => Some((*t, entry)),
                    _ => None,
                },
                _ => None,
            })
        };
        match origin {
            Origin::Receive {
                new_ticket,
                reply_to,
                contact,
                channel,
                body,
            } => {
                // A message naming a closed or archived ticket opens a
                // follow-up linked to it; one naming another ticket lands
                // on it (the store's record before this batch is the
                // truth: a replica that had not seen the ticket closed
                // conflicts and decides again).
                let follows = reply_to.filter(|t| {
                    self.tickets
                        .get(t)
                        .is_some_and(|m| m.archived || m.status == Status::Closed)
                });
                let lands_on = match reply_to {
                    Some(t) if follows.is_none() => *t,
                    _ => *new_ticket,
                };
                let landed = entries().filter(|(t, e)| {
                    e.author == Author::Contact(*contact)
                        && e.visibility == EntryVisibility::Public
                        && e.channel == *channel
                        && e.body == *body
                        && *t == lands_on
                });
                if landed.count() != 1 {
                    self.fail(&format!(
                        "an accepted message from {contact} naming {reply_to:?} has no entry, or more than one, on {lands_on}"
                    ));
                }
                let links: Vec<(TicketId, TicketId)> = batch
                    .iter()
                    .filter_map(|r| match (&r.stream, &r.event) {
                        (StreamId::Ticket(t), Event::Ticket(e)) => match &e.kind {
                            TicketEventKind::FollowUpOf { ticket } => Some((*t, *ticket)),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect();
                let want: Vec<(TicketId, TicketId)> =
                    follows.map(|f| (*new_ticket, f)).into_iter().collect();
                if links != want {
                    self.fail(&format!(
                        "a message from {contact} naming {reply_to:?} linked follow-ups {links:?}, the rules call for {want:?}"
                    ));
                }
                let opened = batch.iter().any(|r| {
                    matches!(&r.event, Event::Ticket(e)
                        if matches!(&e.kind, TicketEventKind::Opened { id, .. } if id == new_ticket))
                });
                if opened != (lands_on == *new_ticket) {
                    self.fail(&format!(
                        "a message from {contact} naming {reply_to:?} opened {new_ticket}: {opened}"
                    ));
                }
            }
            Origin::Reply {
                ticket,
                agent,
                body,
            } => {
                let landed = entries().any(|(t, e)| {
                    t == *ticket
                        && e.author == Author::Agent(*agent)
                        && e.visibility == EntryVisibility::Public
                        && e.body == *body
                });
                if !landed {
                    self.fail(&format!(
                        "an accepted reply by {agent} has no public entry on {ticket}"
                    ));
                }
            }
            _ => {}
        }
    }

    fn ticket_event(
        &mut self,
        t: TicketId,
        kind: &TicketEventKind,
        at: DateTime<Utc>,
        solved: &mut Vec<(TicketId, DateTime<Utc>)>,
    ) {
        // A closed ticket takes nothing more (its archive timer counts
        // from its closing), an archived one nothing at all.
        if let Some(m) = self.tickets.get(&t)
            && (m.archived || m.status == Status::Closed)
        {
            self.fail(&format!(
                "{kind:?} recorded on {t}, which is {}",
                if m.archived { "archived" } else { "closed" }
            ));
        }
        if let Some(m) = self.tickets.get_mut(&t)
            && matches!(kind, TicketEventKind::EntryAdded { .. })
        {
            m.entries += 1;
        }
        match kind {
            TicketEventKind::Opened {
                channel,
                requester,
                customer,
                ..
            } => {
                self.tickets.insert(
                    t,
                    TicketModel {
                        customer: *customer,
                        channel: channel.clone(),
                        requester: *requester,
                        status: Status::New,
                        closed_at: None,
                        archived: false,
                        entries: 0,
                    },
                );
            }
            TicketEventKind::FollowUpOf { ticket } => {
                let of = self.tickets.get(ticket);
                self.closed_follow_ups +=
                    u64::from(of.is_some_and(|m| m.archived || m.status == Status::Closed));
                self.archived_follow_ups += u64::from(of.is_some_and(|m| m.archived));
            }
            TicketEventKind::StatusChanged { to, .. } => {
                let Some(m) = self.tickets.get_mut(&t) else {
                    self.fail(&format!("{t} changed status before it opened"));
                };
                if *to == Status::Solved && m.status != Status::Solved {
                    solved.push((t, at));
                }
                if *to == Status::Closed {
                    m.closed_at = Some(at);
                }
                m.status = *to;
            }
            TicketEventKind::EntryAdded { entry }
                if matches!(entry.author, Author::Agent(_))
                    && entry.visibility == EntryVisibility::Public =>
            {
                let requester = self
                    .tickets
                    .get(&t)
                    .and_then(|m| m.requester)
                    .unwrap_or_else(|| {
                        self.fail(&format!("a reply on {t}, which has no requester"))
                    });
                // Phone and video replies are spoken, not sent.
                if matches!(
                    entry.channel.kind(),
                    ChannelKind::Phone | ChannelKind::Video
                ) {
                    return;
                }
                let channel = match &entry.channel {
                    Channel::Portal => Channel::Email,
                    c => c.clone(),
                };
                let address = self.address_for(requester, &channel);
                let shape = Shape {
                    channel,
                    ticket: Some(t),
                    at,
                    body: entry.body.clone(),
                };
                self.expect(requester, &address, &shape);
            }
            _ => {}
        }
    }

    /// The target the simulation's policies set for a metric on a channel.
    fn target(&self, t: TicketId, channel: &Channel, key: MetricKey) -> Option<(Duration, Clock)> {
        let metric = key.metric;
        if metric == Metric::Promise && key.cycle == 1 && self.follow_ups.contains(&t) {
            // The survey configuration's `follow_up_within`.
            return Some((Duration::days(1), Clock::Always));
        }
        if channel.kind() == ChannelKind::Social && metric != Metric::Promise {
            return (metric == Metric::FirstResponse)
                .then(|| (Duration::minutes(15), Clock::Always));
        }
        match metric {
            Metric::FirstResponse => Some((Duration::hours(1), Clock::SupportHours)),
            Metric::NextResponse => Some((Duration::hours(2), Clock::SupportHours)),
            Metric::Resolution => Some((Duration::hours(8), Clock::SupportHours)),
            // The simulation's agents promise an answer within two hours.
            Metric::Promise => Some((Duration::hours(2), Clock::Always)),
            _ => None,
        }
    }

    /// The instant the time used reaches the target, the clock running on
    /// from the last of `stretches`: a target the time used has already
    /// passed (lowered below it) was missed when the time used passed it,
    /// counted on from the last stretch that began with less used.
    fn deadline(
        &mut self,
        spec: &TargetSpec,
        stretches: &[(DateTime<Utc>, Duration, Clock)],
    ) -> DateTime<Utc> {
        self.deadlines += 1;
        reach(stretches, spec.target)
    }

    fn check_schedule(
        &self,
        since: DateTime<Utc>,
        t: TicketId,
        key: MetricKey,
        stored: Option<DateTime<Utc>>,
        model: DateTime<Utc>,
    ) {
        if stored != Some(model) {
            self.fail(&format!(
                "{t} {key:?} from {since}: the desk's deadline {stored:?}, recomputed {model}"
            ));
        }
    }

    fn sla_event(
        &mut self,
        t: TicketId,
        kind: &SlaEventKind,
        at: DateTime<Utc>,
        seen_at: DateTime<Utc>,
    ) {
        if at > seen_at {
            self.fail(&format!("{t}: an SLA event at {at}, stored at {seen_at}"));
        }
        match kind {
            SlaEventKind::Activated {
                key,
                spec,
                schedule,
            } => {
                let channel = self
                    .tickets
                    .get(&t)
                    .map(|m| m.channel.clone())
                    .unwrap_or_else(|| self.fail(&format!("{t}: SLA before the ticket")));
                let want = self.target(t, &channel, *key);
                if want != Some((spec.target, spec.clock)) {
                    self.fail(&format!(
                        "{t} {key:?} activated with {:?} on {:?}, the policy sets {want:?}",
                        spec.target, spec.clock
                    ));
                }
                if self.metrics.contains_key(&(t, *key)) {
                    self.fail(&format!("{t} {key:?} activated twice"));
                }
                // Zendesk's defaults for what pauses each metric: the reply
                // metrics never, requester wait time (resolution) while pending.
                let zendesk_pause = match key.metric {
                    Metric::Resolution | Metric::PausableUpdate => vec![Status::Pending],
                    Metric::AgentWorkTime => vec![Status::Pending, Status::OnHold],
                    _ => vec![],
                };
                if spec.pause_on.iter().copied().collect::<Vec<_>>() != zendesk_pause {
                    self.fail(&format!(
                        "{t} {key:?} paused on {:?}, Zendesk's default is {zendesk_pause:?}",
                        spec.pause_on
                    ));
                }
                let stretches: Vec<_> = schedule
                    .iter()
                    .map(|_| (at, Duration::zero(), spec.clock))
                    .collect();
                let phase = match schedule {
                    Some(s) => {
                        let deadline = self.deadline(spec, &stretches);
                        self.check_schedule(at, t, *key, s.deadline, deadline);
                        Phase::Active {
                            since: at,
                            deadline,
                        }
                    }
                    None => Phase::Paused,
                };
                self.metrics.insert(
                    (t, *key),
                    MetricModel {
                        spec: spec.clone(),
                        used: Duration::zero(),
                        phase,
                        breached: false,
                        stretches,
                    },
                );
            }
            SlaEventKind::Paused { key, used } => {
                let m = self.live(t, *key, "paused");
                let Phase::Active { since, .. } = m.phase else {
                    self.fail(&format!("{t} {key:?} paused while not running"));
                };
                let model = m.used + elapsed(m.spec.clock, since, at);
                if model != *used {
                    self.fail(&format!(
                        "{t} {key:?} paused having used {used:?}, recomputed {model:?}"
                    ));
                }
                let m = self.metrics.get_mut(&(t, *key)).unwrap();
                m.used = model;
                m.phase = Phase::Paused;
            }
            SlaEventKind::Resumed { key, schedule } => {
                let m = self.live(t, *key, "resumed");
                if !matches!(m.phase, Phase::Paused) {
                    self.fail(&format!("{t} {key:?} resumed while not paused"));
                }
                let spec = m.spec.clone();
                let mut stretches = m.stretches.clone();
                stretches.push((at, m.used, spec.clock));
                let deadline = self.deadline(&spec, &stretches);
                self.check_schedule(at, t, *key, schedule.deadline, deadline);
                let m = self.metrics.get_mut(&(t, *key)).unwrap();
                m.stretches = stretches;
                m.phase = Phase::Active {
                    since: at,
                    deadline,
                };
            }
            SlaEventKind::Retargeted {
                key,
                spec,
                used,
                schedule,
            } => {
                let m = self.live(t, *key, "retargeted");
                let model = match m.phase {
                    Phase::Active { since, .. } => m.used + elapsed(m.spec.clock, since, at),
                    _ => m.used,
                };
                if model != *used {
                    self.fail(&format!(
                        "{t} {key:?} retargeted having used {used:?}, recomputed {model:?}"
                    ));
                }
                let mut stretches = m.stretches.clone();
                let phase = match schedule {
                    Some(s) => {
                        stretches.push((at, model, spec.clock));
                        let deadline = self.deadline(spec, &stretches);
                        self.check_schedule(at, t, *key, s.deadline, deadline);
                        Phase::Active {
                            since: at,
                            deadline,
                        }
                    }
                    None => Phase::Paused,
                };
                let m = self.metrics.get_mut(&(t, *key)).unwrap();
                m.stretches = stretches;
                m.spec = spec.clone();
                m.used = model;
                m.phase = phase;
            }
            SlaEventKind::Warned { key, percent, due } => {
                let m = self.live(t, *key, "warned");
                let Phase::Active { since, .. } = m.phase else {
                    self.fail(&format!("{t} {key:?} warned while paused"));
                };
                let share = m.spec.target * i32::from(*percent) / 100;
                let _ = since;
                let model = reach(&m.stretches, share);
                if *due != model || at < model {
                    self.fail(&format!(
                        "{t} {key:?} warned at {at} for {due}, recomputed {model}"
                    ));
                }
            }
            SlaEventKind::Breached { key, due } => {
                let m = self.live(t, *key, "breached");
                let Phase::Active { deadline, .. } = m.phase else {
                    self.fail(&format!("{t} {key:?} breached while paused"));
                };
                if m.breached {
                    self.fail(&format!("{t} {key:?} breached twice"));
                }
                if *due != deadline || at < deadline || seen_at < deadline {
                    self.fail(&format!(
                        "{t} {key:?} breached at {at} (stored at {seen_at}) for {due}, recomputed deadline {deadline}"
                    ));
                }
                self.metrics.get_mut(&(t, *key)).unwrap().breached = true;
                self.breaches += 1;
            }
            SlaEventKind::Fulfilled {
                key,
                business_time,
                breached,
            } => {
                let m = self.live(t, *key, "fulfilled");
                let model = match m.phase {
                    Phase::Active { since, .. } => m.used + elapsed(m.spec.clock, since, at),
                    _ => m.used,
                };
                if model != *business_time || *breached != m.breached {
                    self.fail(&format!(
                        "{t} {key:?} fulfilled in {business_time:?} (breached: {breached}), recomputed {model:?} (breached: {})",
                        m.breached
                    ));
                }
                self.metrics.get_mut(&(t, *key)).unwrap().phase = Phase::Done;
            }
            SlaEventKind::Cancelled { key, .. } => {
                self.live(t, *key, "cancelled");
                self.metrics.get_mut(&(t, *key)).unwrap().phase = Phase::Done;
            }
            _ => {}
        }
    }

    /// When `t` is archived: [`ARCHIVE_AFTER`] after it was closed, and
    /// not before its unanswered invitations expire. With `answers`, the
    /// latest instant the desk can have archived it by: not before it
    /// learnt of the answers either (an invitation answered after the
    /// window ran out lets the ticket go at once). `None` unless it is
    /// closed and still in memory.
    fn archive_due(&self, t: TicketId, answers: bool) -> Option<DateTime<Utc>> {
        let m = self.tickets.get(&t)?;
        let closed = m.closed_at.filter(|_| !m.archived)?;
        let expiry = self
            .invitations
            .get(&t)
            .into_iter()
            .flat_map(|m| m.values())
            .filter_map(|(expires, answered)| match answered {
                None => Some(*expires),
                Some(at) => answers.then_some(*at),
            })
            .max();
        let after = closed + ARCHIVE_AFTER;
        Some(expiry.map_or(after, |e| e.max(after)))
    }

    fn archived(
        &mut self,
        customer: CustomerId,
        t: TicketId,
        closed_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) {
        let Some(m) = self.tickets.get(&t) else {
            self.fail(&format!("{t} archived, which never opened"));
        };
        if m.archived || m.status != Status::Closed || m.customer != customer {
            self.fail(&format!(
                "{t} archived on {customer}'s archive: {:?}, archived already: {}, of {}",
                m.status, m.archived, m.customer
            ));
        }
        if m.closed_at != Some(closed_at) {
            self.fail(&format!(
                "{t} archived as closed at {closed_at}, it closed at {:?}",
                m.closed_at
            ));
        }
        let due = self.archive_due(t, false).unwrap();
        if at < due {
            self.fail(&format!("{t} archived at {at}, before {due}"));
        }
        self.tickets.get_mut(&t).unwrap().archived = true;
        self.archivals += 1;
    }

    /// The tickets archived, and how many entries each one's conversation
    /// holds.
    pub(super) fn archived_tickets(&self) -> Vec<(TicketId, usize)> {
        self.tickets
            .iter()
            .filter(|(_, m)| m.archived)
            .map(|(t, m)| (*t, m.entries))
            .collect()
    }

    /// Closed tickets not archived though their archival was due more
    /// than `slack` before `now`.
    pub(super) fn overdue(&self, now: DateTime<Utc>, slack: Duration) -> Vec<TicketId> {
        self.tickets
            .keys()
            .filter(|t| {
                self.archive_due(**t, true)
                    .is_some_and(|due| due + slack <= now)
            })
            .copied()
            .collect()
    }

    /// A customer's closed tickets, archived or not.
    pub(super) fn closed_of(&self, customer: CustomerId) -> Vec<TicketId> {
        self.tickets
            .iter()
            .filter(|(_, m)| m.customer == customer && m.closed_at.is_some())
            .map(|(t, _)| *t)
            .collect()
    }

    fn live(&self, t: TicketId, key: MetricKey, what: &str) -> &MetricModel {
        match self.metrics.get(&(t, key)) {
            Some(m) if !matches!(m.phase, Phase::Done) => m,
            Some(_) => self.fail(&format!("{t} {key:?} {what} after it finished")),
            None => self.fail(&format!("{t} {key:?} {what} before it was activated")),
        }
    }

    /// Between steps: no metric is still running, unbreached, with its
    /// deadline behind the clock (the desk wakes at every deadline).
    pub(super) fn check_clock(&self, now: DateTime<Utc>) {
        for ((t, key), m) in &self.metrics {
            if let Phase::Active { deadline, .. } = m.phase
                && !m.breached
                && deadline < now
            {
                self.fail(&format!(
                    "{t} {key:?} ran past its deadline {deadline} to {now} without a breach"
                ));
            }
        }
    }

    fn incident_event(&mut self, id: IncidentId, kind: &IncidentEventKind, at: DateTime<Utc>) {
        if let IncidentEventKind::Declared { call_outs, .. }
        | IncidentEventKind::Updated { call_outs, .. } = kind
            && !call_outs.is_empty()
        {
            self.fail(&format!(
                "incident {id} called out {} contacts, who all have email",
                call_outs.len()
            ));
        }
        let (status, messages) = match kind {
            IncidentEventKind::Declared {
                title,
                status,
                affected,
                messages,
                ..
            } => {
                if *affected != self.on_dc1 {
                    self.fail(&format!(
                        "incident {id} affects {} customers, {} run on the datacenter",
                        affected.len(),
                        self.on_dc1.len()
                    ));
                }
                self.incidents.insert(
                    id,
                    IncidentModel {
                        title: title.clone(),
                        declared: at,
                        resolved: None,
                    },
                );
                (*status, messages)
            }
            IncidentEventKind::Updated {
                status, messages, ..
            } => {
                if *status == IncidentStatus::Resolved
                    && let Some(i) = self.incidents.get_mut(&id)
                {
                    i.resolved.get_or_insert(at);
                }
                (*status, messages)
            }
            IncidentEventKind::CreditIssued { credit } => {
                if !self.on_dc1.contains(&credit.customer)
                    || !self.credited.insert((id, credit.customer))
                {
                    self.fail(&format!(
                        "incident {id} credited {} twice or without an outage",
                        credit.customer
                    ));
                }
                // The whole incident in major outage of the datacenter, at
                // 5% of the 1,000.00 monthly fee an hour, capped at the fee.
                let down = self
                    .incidents
                    .get(&id)
                    .and_then(|i| Some(i.resolved? - i.declared))
                    .unwrap_or_else(|| self.fail(&format!("credits for unresolved {id}")));
                let amount = (100_000 * 500 * down.num_seconds() / (10_000 * 3_600)).min(100_000);
                if credit.downtime.major != down
                    || credit.downtime.partial != Duration::zero()
                    || credit.amount.minor != amount
                {
                    self.fail(&format!(
                        "incident {id} credited {} for {:?} ({} minor units); the rules give {amount} for {down:?}",
                        credit.customer, credit.downtime, credit.amount.minor
                    ));
                }
                self.credits += 1;
                return;
            }
            IncidentEventKind::FollowedUp { customer, .. } => {
                if !self.on_dc1.contains(customer) || !self.followed_up.insert((id, *customer)) {
                    self.fail(&format!(
                        "incident {id} followed up {customer} twice or without an outage"
                    ));
                }
                return;
            }
            IncidentEventKind::CustomerJoined { customer, .. } => {
                self.fail(&format!(
                    "{customer} joined incident {id}, which never spreads in the simulation"
                ));
            }
            _ => return,
        };
        let title = self
            .incidents
            .get(&id)
            .map(|i| i.title.clone())
            .unwrap_or_default();
        let text = business_text(messages);
        let Some(text) = text else { return };
        let recipients: Vec<(ContactId, ChannelAddress)> = self
            .contacts
            .iter()
            .filter(|(_, c)| self.on_dc1.contains(&c.customer))
            .map(|(id, c)| (*id, c.addresses[0].clone()))
            .collect();
        for (contact, address) in recipients {
            let shape = Shape {
                channel: Channel::Email,
                ticket: None,
                at,
                body: format!("[{status}] {title}\n\n{text}"),
            };
            self.expect(contact, &address, &shape);
        }
    }

    /// The end: the messages the transport received for contacts are
    /// exactly the ones the rules call for, once each.
    pub(super) fn check_delivered(&self, delivered: &[OutboundMessage]) {
        let mut got: BTreeMap<String, u32> = BTreeMap::new();
        for m in delivered {
            if let Recipient::Press { address } = &m.recipient {
                self.fail(&format!(
                    "a message went to the press ({address}); no press list is configured"
                ));
            }
            if let Recipient::Contact { contact, address } = &m.recipient {
                let shape = Shape {
                    channel: m.channel.clone(),
                    ticket: m.ticket,
                    at: m.queued_at,
                    body: m.body.clone(),
                };
                *got.entry(line(*contact, address, &shape)).or_default() += 1;
            }
        }
        let missing: Vec<_> = self
            .expected
            .iter()
            .filter(|(k, n)| got.get(*k) != Some(n))
            .map(|(k, n)| format!("{n}× {k} (got {})", got.get(k).copied().unwrap_or(0)))
            .collect();
        let extra: Vec<_> = got
            .iter()
            .filter(|(k, _)| !self.expected.contains_key(*k))
            .map(|(k, n)| format!("{n}× {k}"))
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            self.fail(&format!(
                "messages delivered to contacts differ from the rules: {} expected ones missing or repeated, {} unexpected; first missing: {:?}; first unexpected: {:?}",
                missing.len(),
                extra.len(),
                missing.first(),
                extra.first()
            ));
        }
    }

    /// How many messages to contacts the rules call for.
    pub(super) fn expected_messages(&self) -> u64 {
        self.expected.values().map(|n| u64::from(*n)).sum()
    }
}

const MIN_KEY: MetricKey = MetricKey {
    metric: Metric::FirstResponse,
    cycle: 0,
};

/// The text a non-technical contact reads: business, else public, else
/// technical (the simulation's contacts have no technical role).
fn business_text(messages: &Messages) -> Option<String> {
    [Audience::Business, Audience::Public, Audience::Technical]
        .iter()
        .find_map(|a| messages.get(a).cloned())
}

#[test]
fn the_naive_calendar_counts_support_hours() {
    // Friday 27 November 2026, 16:00 Chicago (22:00 UTC) plus two hours:
    // one on Friday, one from Monday 09:00.
    let fri = Utc.with_ymd_and_hms(2026, 11, 27, 22, 0, 0).unwrap();
    let due = add(Clock::SupportHours, fri, Duration::hours(2));
    assert_eq!(due, Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap());
    assert_eq!(elapsed(Clock::SupportHours, fri, due), Duration::hours(2));
    // An hour from Friday 16:00 ends at closing time: the deadline is
    // Monday's opening, the first instant the clock runs again.
    assert_eq!(
        add(Clock::SupportHours, fri, Duration::hours(1)),
        Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap()
    );
    // Thanksgiving is closed: Wednesday 16:30 plus one hour is Friday 09:30.
    let wed = Utc.with_ymd_and_hms(2026, 11, 25, 22, 30, 0).unwrap();
    assert_eq!(
        add(Clock::SupportHours, wed, Duration::hours(1)),
        Utc.with_ymd_and_hms(2026, 11, 27, 15, 30, 0).unwrap()
    );
    // Lunch does not count.
    let eleven = Utc.with_ymd_and_hms(2026, 11, 23, 17, 0, 0).unwrap();
    assert_eq!(
        add(Clock::SupportHours, eleven, Duration::hours(2)),
        Utc.with_ymd_and_hms(2026, 11, 23, 20, 0, 0).unwrap()
    );
}

/// The model's SLA checks fail on a hand-built record that breaks them:
/// a ticket whose first-response metric runs past its deadline with no
/// breach, and one breached a minute early.
#[cfg(test)]
mod catches {
    use super::*;
    use fanatical::event::StreamId;
    use fanatical::sla::{Schedule, SlaEvent};
    use fanatical::store::{ExpectedVersion, MemoryStore, Store, StreamWrite};
    use fanatical::ticket::{Priority, TicketEvent, TicketType};

    /// A model and the store batch of an email ticket opened at 10:00 on a
    /// Monday in Chicago with its hour-long first-response clock.
    fn opened() -> (Model, Vec<RecordedEvent>, DateTime<Utc>) {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).unwrap();
        let t = TicketId::from_uuid(uuid::Uuid::from_u128(7));
        let customer = CustomerId::from_uuid(uuid::Uuid::from_u128(8));
        let contact = ContactId::from_uuid(uuid::Uuid::from_u128(9));
        let deadline = at + Duration::hours(1);
        let ticket = Event::Ticket(TicketEvent {
            at,
            kind: TicketEventKind::Opened {
                id: t,
                customer,
                requester: Some(contact),
                subject: "Site down".into(),
                channel: Channel::Email,
                priority: Priority::Normal,
                ticket_type: TicketType::Question,
                tags: BTreeSet::new(),
                fields: Default::default(),
            },
        });
        let spec = TargetSpec {
            target: Duration::hours(1),
            clock: Clock::SupportHours,
            warn_at: vec![],
            // Zendesk's first reply time: pending does not pause it.
            pause_on: BTreeSet::new(),
        };
        let sla = Event::Sla(SlaEvent {
            at,
            kind: SlaEventKind::Activated {
                key: key(),
                spec,
                schedule: Some(Schedule {
                    deadline: Some(deadline),
                    warnings: vec![],
                }),
            },
        });
        let mut store = MemoryStore::new();
        let batch = store
            .append(&[
                StreamWrite::new(StreamId::Ticket(t), ExpectedVersion::Exact(0), vec![ticket]),
                StreamWrite::new(StreamId::Sla(t), ExpectedVersion::Exact(0), vec![sla]),
            ])
            .unwrap();
        let model = Model::new(1, BTreeMap::new(), BTreeSet::new());
        (model, batch, deadline)
    }

    fn key() -> MetricKey {
        MetricKey {
            metric: Metric::FirstResponse,
            cycle: 1,
        }
    }

    fn panics(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let e = std::panic::catch_unwind(f).expect_err("the model let it pass");
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    #[test]
    fn a_first_reply_paused_by_pending_fails() {
        let (mut model, mut batch, _) = opened();
        if let Event::Sla(SlaEvent {
            kind: SlaEventKind::Activated { spec, .. },
            ..
        }) = &mut batch[1].event
        {
            spec.pause_on = BTreeSet::from([Status::Pending]);
        }
        let at = batch[0].event.at();
        let why = panics(move || model.observe(&batch, &Origin::Other, at));
        assert!(
            why.contains("paused on {Pending}, Zendesk's default is []"),
            "{why}"
        );
    }

    #[test]
    fn a_deadline_passed_without_a_breach_fails() {
        let (mut model, batch, deadline) = opened();
        model.observe(&batch, &Origin::Other, batch[0].event.at());
        model.check_clock(deadline);
        let why = panics(move || model.check_clock(deadline + Duration::minutes(1)));
        assert!(why.contains("ran past its deadline"), "{why}");
    }

    #[test]
    fn a_breach_a_minute_early_fails() {
        let (mut model, batch, deadline) = opened();
        model.observe(&batch, &Origin::Other, deadline - Duration::hours(1));
        let t = TicketId::from_uuid(uuid::Uuid::from_u128(7));
        let early = deadline - Duration::minutes(1);
        let mut store = MemoryStore::new();
        let breach = store
            .append(&[StreamWrite::new(
                StreamId::Sla(t),
                ExpectedVersion::Any,
                vec![Event::Sla(SlaEvent {
                    at: early,
                    kind: SlaEventKind::Breached {
                        key: key(),
                        due: early,
                    },
                })],
            )])
            .unwrap();
        let why = panics(move || model.observe(&breach, &Origin::Timer, early));
        assert!(why.contains("breached at"), "{why}");
    }
}
