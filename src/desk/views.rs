//! Reads through borrowed views: each area's queries and reports behind
//! one accessor (`desk.tickets()`, `desk.surveys()`, ...), like quinn's
//! `conn.streams()` or str0m's `rtc.sdp_api()`. A view borrows the desk;
//! what it returns lives as long as that borrow.

#![allow(clippy::wildcard_imports)]

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::channel::Outage;
use crate::coaching::{CoachingFlag, Mistake};
use crate::escalation::{EscalationGraph, Facts, NodeKind};
use crate::id::{IncidentId, PostId, PraiseId};
use crate::incident::{
    CreditView, CreditsDue, Incident, IncidentBriefing, StatusPageEntry, Timeline,
};
use crate::metrics::{CareBriefing, Metrics};
use crate::recognition::Certificate;
use crate::survey::{Csat, InvitationRecord, Nps};
use crate::trend::{Observation, Trend, TrendEvent};

/// Customers and their contacts: who they are, who owns an address, and the briefing an agent reads before taking their call.
///
/// Borrowed from [`Desk::customers`].
#[derive(Clone, Copy)]
pub struct CustomersView<'a> {
    desk: &'a Desk,
}

impl std::fmt::Debug for CustomersView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomersView").finish_non_exhaustive()
    }
}

impl<'a> CustomersView<'a> {
    /// How many customers the desk knows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.desk.state.customers.len()
    }

    /// Whether it knows none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.desk.state.customers.is_empty()
    }

    /// What an agent opening `ticket` should see so the customer leaves
    /// better off: the customer's other open issues, the incidents
    /// affecting them (running or recent), and the earlier tickets this
    /// one repeats.
    ///
    /// # Errors
    /// Unknown ticket.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// // The same customer writes about something else the next day.
    /// let invoice: TicketId = ids.next_id();
    /// let later = now + Duration::days(1);
    /// desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(
    ///     InboundMessage::new(invoice, Channel::Email, email.clone(), "Invoice question"))), later)?;
    /// let brief = desk.customers().care_briefing(invoice, later)?;
    /// assert_eq!(brief.other_open.len(), 1); // "Site down" is still open: ask about it
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn care_briefing(
        &self,
        ticket: TicketId,
        now: DateTime<Utc>,
    ) -> Result<CareBriefing, Error> {
        self.desk.care_briefing(ticket, now)
    }

    /// A customer.
    #[must_use]
    pub fn get(&self, id: CustomerId) -> Option<&'a Customer> {
        self.desk.customer(id)
    }

    /// Where a customer lives now: itself, or the customer it was merged
    /// into (followed to the end; see [`CustomerAction::MergeCustomers`]).
    #[must_use]
    pub fn live_id(&self, id: CustomerId) -> CustomerId {
        self.desk.state.customers.live_id(id)
    }

    /// A contact by id, with the customer it belongs to: what a screen
    /// needs to name an author or to open a ticket for a signed-in person.
    /// An erased or merged contact is still found (its record says so);
    /// see [`Desk::may_act`] for whether it may act.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, mut ids, acme, jane, .. } = fanatical::desk::fixture::fixture()?;
    /// let (customer, contact) = desk.customers().contact(jane).ok_or("no Jane")?;
    /// assert_eq!((customer.id(), contact.name()), (acme, "Jane"));
    /// assert!(desk.customers().contact(ids.next_id()).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn contact(&self, id: ContactId) -> Option<(&'a Customer, &'a crate::customer::Contact)> {
        let customer = self
            .desk
            .customer(self.desk.state.customers.customer_of(id)?)?;
        Some((customer, customer.contact(id)?))
    }

    /// Every customer.
    pub fn iter(&self) -> impl Iterator<Item = &'a Customer> + 'a {
        self.desk.state.customers.iter()
    }

    /// Who owns an address.
    #[must_use]
    pub fn find_contact(&self, address: &ChannelAddress) -> Option<ContactRef> {
        self.desk.find_contact(address)
    }

    /// Everything held about one person, for them (a subject-access
    /// request): see [`PersonExport`]. Serialise it to hand it over.
    /// What is in memory: tickets and answers archived out of it are in
    /// [`CustomersView::export_with_archive`].
    /// Who may ask is not checked yet (permissions come with roles for
    /// privacy requests).
    ///
    /// # Errors
    /// [`DeskError::UnknownContact`].
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// desk.execute(&mut store, Command::note(ticket, ana, "Jane sounded upset."), now)?;
    /// let export = desk.customers().export(jane)?;
    /// assert_eq!(export.addresses, vec![email]);
    /// assert_eq!(export.tickets.len(), 1);
    /// // Internal notes are the desk's, not hers.
    /// assert!(export.tickets[0].conversation.iter().all(|e| e.body != "Jane sounded upset."));
    /// let unknown: ContactId = ids.next_id();
    /// assert!(desk.customers().export(unknown).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn export(&self, contact: ContactId) -> Result<PersonExport, Error> {
        self.desk.export_person(contact)
    }

    /// [`CustomersView::export`], complete: with the tickets and survey
    /// answers of theirs that were archived out of memory, read from the
    /// store (the customer's archive, see [`crate::desk::ArchivePolicy`]).
    /// Answer a subject-access request with this one.
    ///
    /// # Errors
    /// As [`CustomersView::export`]; store errors.
    pub fn export_with_archive<S: crate::store::Store + ?Sized>(
        &self,
        store: &S,
        contact: ContactId,
    ) -> Result<PersonExport, Error> {
        let customer = self
            .desk
            .state
            .customers
            .customer_of(contact)
            .ok_or(super::DeskError::UnknownContact(contact))?;
        let need = super::ArchiveNeed {
            customer,
            contents: true,
            contacts: vec![contact],
            legacy: self.desk.legacy_streams(),
        };
        let archive = super::CustomerArchive::read(store, &need)?;
        self.desk.export_person_with(contact, Some(&archive))
    }
}

/// Employees and teams: the organisation, coaching, escalation staffing, and recognition (praise, kudos, certificates, smiles).
///
/// Borrowed from [`Desk::people`].
#[derive(Clone, Copy)]
pub struct PeopleView<'a> {
    desk: &'a Desk,
}

impl std::fmt::Debug for PeopleView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeopleView").finish_non_exhaustive()
    }
}

impl<'a> PeopleView<'a> {
    /// Every recorded mistake, oldest first.
    #[must_use]
    pub fn mistakes(&self) -> &'a [Mistake] {
        self.desk.mistakes()
    }

    /// Every coaching flag, oldest first.
    #[must_use]
    pub fn coaching_flags(&self) -> &'a [CoachingFlag] {
        self.desk.coaching_flags()
    }

    /// Who hears about an agent's repeat mistakes: the lead of one of their
    /// teams (not themselves), else their manager.
    #[must_use]
    pub fn lead_of(&self, agent: AgentId) -> Option<AgentId> {
        self.desk.lead_of(agent)
    }

    /// The active people at a node: the person; everyone holding the role;
    /// the members of the desk team. Unbound teams and tiers have nobody
    /// the desk knows of.
    #[must_use]
    pub fn people_at(&self, kind: &NodeKind) -> Vec<AgentId> {
        self.desk.people_at(kind)
    }

    /// How many people can take tickets at a node (`None` for unbound
    /// teams and tiers): pass to `EscalationGraphBuilder::build_staffed`.
    #[must_use]
    pub fn staff_count(&self, kind: &NodeKind) -> Option<usize> {
        self.desk.staff_count(kind)
    }

    /// An agent.
    #[must_use]
    pub fn agent(&self, id: AgentId) -> Option<&'a Agent> {
        self.desk.agent(id)
    }

    /// Every agent.
    pub fn agents(&self) -> impl Iterator<Item = &'a Agent> + 'a {
        self.desk.agents()
    }

    /// A team.
    #[must_use]
    pub fn team(&self, id: TeamId) -> Option<&'a Team> {
        self.desk.team(id)
    }

    /// The organisation: every active agent, their reporting lines, and
    /// the teams.
    ///
    /// # Errors
    /// [`crate::org::OrgProblems`] when it is not (yet) one tree, for
    /// example two people with no manager.
    pub fn organisation(&self) -> Result<crate::org::Organisation, crate::org::OrgProblems> {
        self.desk.organisation()
    }

    /// Recorded praise, with its acknowledgement state.
    pub fn praises(&self) -> impl Iterator<Item = &'a crate::recognition::PraiseRecord> + 'a {
        self.desk.praises()
    }

    /// One praise.
    #[must_use]
    pub fn praise(&self, id: PraiseId) -> Option<&'a crate::recognition::PraiseRecord> {
        self.desk.praise(id)
    }

    /// Issued certificates, in order.
    #[must_use]
    pub fn certificates(&self) -> &'a [Certificate] {
        self.desk.certificates()
    }

    /// The recognition committee.
    #[must_use]
    pub fn committee(&self) -> &'a [AgentId] {
        self.desk.committee()
    }

    /// How many kudos an agent has: customer praise attributed to them and
    /// peer recognition.
    #[must_use]
    pub fn kudos(&self, agent: AgentId) -> usize {
        self.desk.kudos(agent)
    }

    /// Customer "smiles" (attributed praise) per agent received in
    /// `[from, to)`.
    #[must_use]
    pub fn smiles(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeMap<AgentId, u32> {
        self.desk.smiles(from, to)
    }

    /// Smiles per team (a member's smile counts for each of their teams).
    #[must_use]
    pub fn smiles_by_team(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeMap<TeamId, u32> {
        self.desk.smiles_by_team(from, to)
    }
}

/// Tickets: by customer and opening time, loads and routing, SLA records, crisis flags, escalation, and period metrics.
///
/// Borrowed from [`Desk::tickets`].
#[derive(Clone, Copy)]
pub struct TicketsView<'a> {
    pub(super) desk: &'a Desk,
}

impl std::fmt::Debug for TicketsView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketsView").finish_non_exhaustive()
    }
}

impl<'a> TicketsView<'a> {
    /// The tickets a contact may see, as they see them, oldest first:
    /// their organisation's tickets, except crisis tickets someone else
    /// asked for (a crisis ticket is its requester's alone, and shows them
    /// their own words and support's only, as
    /// [`Desk::customer_ticket_view`] does).
    ///
    /// # Errors
    /// [`DeskError::UnknownContact`] for a contact of no customer.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// let mine = desk.tickets().seen_by(jane)?;
    /// assert_eq!(mine.len(), 1);
    /// assert_eq!(mine[0].id, ticket);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seen_by(&self, contact: ContactId) -> Result<Vec<CustomerTicketView>, Error> {
        self.desk.customer_tickets_view(contact)
    }

    /// How many tickets the desk knows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.desk.state.tickets.len()
    }

    /// Whether it knows none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.desk.state.tickets.is_empty()
    }

    /// The earlier tickets `ticket` repeats: the same customer, opened
    /// within [`crate::metrics::CareConfig::repeat_within`] before it,
    /// about the same problem — they share a tag, are linked to the same
    /// incident, are linked to each other (duplicate, problem, merge), or
    /// have the same subject once "Re:"/"Fwd:" and case are set aside.
    /// Oldest first.
    #[must_use]
    pub fn repeat_of(&self, ticket: TicketId) -> Vec<TicketId> {
        self.desk.repeat_of(ticket)
    }

    /// The desk over `[from, to)`: first-response time by channel (median
    /// and 90th percentile), SLA attainment per metric, team and agent,
    /// the daily and peak queue, repeat contacts, NPS and smiles.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// desk.execute(&mut store, Command::reply(ticket, ana, "Fixed."), now + Duration::minutes(12))?;
    /// let m = desk.tickets().metrics(now, now + Duration::days(1));
    /// assert_eq!(m.opened, 1);
    /// assert_eq!(m.first_response[&ChannelKind::Email].median, Duration::minutes(12));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn metrics(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Metrics {
        self.desk.metrics(from, to)
    }

    /// Whether a ticket is flagged as a crisis (a yes/no anyone may ask;
    /// the details are restricted).
    #[must_use]
    pub fn is_crisis(&self, ticket: TicketId) -> bool {
        self.desk.is_crisis(ticket)
    }

    /// Crisis tickets nobody was told about: no safety responder existed
    /// and there was no safety lead, manager or executive to tell. Each
    /// is urgent and unassigned; staff one (`PeopleAction::RegisterAgent`
    /// with [`crate::agent::Role::SafetyResponder`]) and assign it.
    #[must_use]
    pub fn unattended_crises(&self) -> Vec<TicketId> {
        self.desk.unattended_crises()
    }

    /// Where a ticket with `facts` goes from `start`, and who is there.
    ///
    /// # Errors
    /// Unknown ticket; escalation errors (unknown start, stranded route).
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// use fanatical::escalation::{default_graph, Facts, SlaLevel};
    /// use fanatical::sla::Metric;
    /// let graph = default_graph()?;
    /// let facts = Facts::new(Priority::Normal, now).with_sla(Metric::FirstResponse, SlaLevel::Breached);
    /// let e = desk.tickets().escalation(ticket, &graph, "front_line", &facts, now)?;
    /// assert_eq!(e.owner, "tier2");
    /// assert!(e.path[0].contains("an SLA was breached"));
    /// // Carry it out: a hand-off that keeps the conversation, and pages.
    /// desk.execute(&mut store, Command::escalate(ticket, ana, &e), now)?;
    /// assert_eq!(desk.tickets().get(ticket).unwrap().department(), Some("Tier 2 engineering"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn escalation(
        &self,
        ticket: TicketId,
        graph: &EscalationGraph,
        start: &str,
        facts: &Facts,
        now: DateTime<Utc>,
    ) -> Result<Escalation, Error> {
        self.desk.escalation(ticket, graph, start, facts, now)
    }

    /// Simulates a ticket opened at `at` with `facts`: who is told what,
    /// and when, over the next `hours`, as its SLA timers warn and breach
    /// on their calendars (nights and holidays included). Runs on a copy:
    /// the desk itself does not change.
    ///
    /// # Errors
    /// Any error opening the ticket or resolving the graph.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// use fanatical::escalation::{default_graph, Facts};
    /// use fanatical::ticket::OpenTicket;
    /// let graph = default_graph()?;
    /// let what_if: TicketId = ids.next_id();
    /// let open = OpenTicket::new(what_if, acme, "Disk full", Channel::Email).requested_by(jane);
    /// let notices = desk.tickets().simulate_escalation(&graph, "front_line", open, Facts::new(Priority::Normal, now), now, 24)?;
    /// assert_eq!((notices[0].trigger.as_str(), notices[0].owner.as_str()), ("opened", "front_line"));
    /// assert!(desk.tickets().get(what_if).is_none(), "a simulation changes nothing");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn simulate_escalation(
        &self,
        graph: &EscalationGraph,
        start: &str,
        open: OpenTicket,
        facts: Facts,
        at: DateTime<Utc>,
        hours: i64,
    ) -> Result<Vec<Notice>, Error> {
        self.desk
            .simulate_escalation(graph, start, open, facts, at, hours)
    }

    /// A ticket: **the raw record**, crisis conversations and internal
    /// notes included, for code that stores, routes or audits. Never show
    /// it to a person: use the views ([`Desk::agent_ticket_view`],
    /// [`Desk::customer_ticket_view`], [`Desk::safety_ticket_view`]),
    /// which leave out what each audience may not see.
    #[must_use]
    pub fn get(&self, id: TicketId) -> Option<&'a Ticket> {
        self.desk.ticket(id)
    }

    /// The messages from unknown senders held for triage
    /// ([`crate::desk::UnknownSender::Triage`]), oldest first, with their
    /// senders and texts; attached and discarded ones are not listed (a
    /// discarded one's text is erased). **Unchecked**, for code that
    /// stores or audits: a service showing them to a person calls
    /// [`TicketsView::triage_as`].
    #[must_use]
    pub fn triage(&self) -> Vec<&'a crate::ticket::TriagedMessage> {
        let mut held: Vec<_> = self.desk.state.triage.values().collect();
        held.sort_by_key(|m| (m.received_at, m.id));
        held
    }

    /// A ticket read from the store, whether or not it is still in
    /// memory: how an archived ticket is read back (see
    /// [`crate::desk::ArchivePolicy`]). The raw record, like
    /// [`TicketsView::get`], and like it under the surviving customer
    /// when its customer was merged into another after it was archived;
    /// `None` when the store holds no such ticket.
    ///
    /// # Errors
    /// Store errors.
    pub fn archived<S: crate::store::Store + ?Sized>(
        &self,
        store: &S,
        id: TicketId,
    ) -> Result<Option<super::ArchivedTicket>, Error> {
        self.desk.read_archived(store, id)
    }

    /// Every ticket: the raw records (see [`TicketsView::get`]).
    pub fn iter(&self) -> impl Iterator<Item = &'a Ticket> + 'a {
        self.desk.state.tickets.iter()
    }

    /// A customer's tickets, by id: the raw records (see
    /// [`TicketsView::get`]).
    pub fn of_customer(&self, customer: CustomerId) -> impl Iterator<Item = &'a Ticket> + 'a {
        self.desk.tickets_of(customer)
    }

    /// Tickets opened in `[from, to)`, oldest first: the raw records (see
    /// [`TicketsView::get`]).
    pub fn opened(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = &'a Ticket> + 'a {
        self.desk.tickets_opened(from, to)
    }

    /// Each agent's unsolved assigned tickets (missing means none).
    #[must_use]
    pub fn loads(&self) -> &'a BTreeMap<AgentId, u32> {
        self.desk.loads()
    }

    /// One agent's unsolved assigned tickets of a channel kind: what
    /// auto-assignment's capacity for the channel counts.
    #[must_use]
    pub fn channel_load(&self, agent: AgentId, kind: crate::channel::ChannelKind) -> u32 {
        self.desk.state.tickets.channel_load(agent, kind)
    }

    /// The tickets the desk should have assigned by itself and could
    /// not (see [`crate::assignment`]): each with why, and when someone
    /// with the skills and room comes on duty (when the desk tries again);
    /// ordered by that time (tickets nobody foresees last), then id.
    /// **Unchecked**: every waiting ticket, for the desk's own scheduling
    /// and reports; a service showing the list to a person calls
    /// [`TicketsView::unassigned_as`].
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// use fanatical::agent::{Absence, AgentCommand};
    /// use fanatical::assignment::{AutoAssign, WaitReason};
    /// use fanatical::channel::ChannelKind;
    /// // Email is assigned on arrival; Ana, the only agent, is away a day.
    /// let on = AutoAssign::off().channel(ChannelKind::Email);
    /// let mut desk = Desk::rebuild(&store, desk.config().clone().with_assignment(on))?;
    /// let back = now + Duration::days(1);
    /// let away = AgentCommand::AddAbsence(Absence { from: now, until: back });
    /// desk.execute(&mut store, Command::new(Actor::integration("hr"), PeopleAction::UpdateAgent { agent: ana, command: away }), now)?;
    /// let new: TicketId = ids.next_id();
    /// let msg = InboundMessage::new(new, Channel::Email, email, "Help");
    /// desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)), now)?;
    /// let waiting = desk.tickets().unassigned();
    /// let mine = waiting.iter().find(|u| u.ticket == new).unwrap();
    /// assert_eq!((mine.reason, mine.until), (&WaitReason::OffDuty, Some(back)));
    /// // Ana is back: the desk wakes then and assigns it to her.
    /// desk.handle_timeout(&mut store, back)?;
    /// assert_eq!(desk.tickets().get(new).unwrap().assignee(), Some(ana));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn unassigned(&self) -> Vec<super::Unassigned<'a>> {
        self.desk.state.assignments.unassigned()
    }

    /// Routes a ticket needing `skills` among the router's agents, with
    /// the desk's current loads. Reads nothing about the customer.
    ///
    /// # Errors
    /// Unknown ticket; [`crate::routing::RoutingError`].
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// use fanatical::routing::{Router, Routing, RoutingAgent};
    /// use fanatical::sla::DayHours;
    /// let always = DayHours::parse(&[("00:00", "23:59")])?;
    /// let week = std::array::from_fn(|_| always.clone());
    /// let router = Router::new(vec![RoutingAgent::for_agent(desk.people().agent(ana).unwrap(), week, 10)])?;
    /// let routed = desk.tickets().route(ticket, &router, &[], now)?;
    /// assert!(matches!(routed, Routing::Assigned { agent, .. } if agent == ana));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn route(
        &self,
        ticket: TicketId,
        router: &crate::routing::Router,
        skills: &[crate::agent::Skill],
        now: DateTime<Utc>,
    ) -> Result<crate::routing::Routing, Error> {
        self.desk.route_ticket(ticket, router, skills, now)
    }

    /// Routes a ticket needing `skills` and the skills its custom fields
    /// call for (`field_skills`), as [`TicketsView::route`] does.
    ///
    /// # Errors
    /// Unknown ticket; [`crate::routing::RoutingError`] (naming the skills
    /// nobody has, those from fields included).
    pub fn route_by_fields(
        &self,
        ticket: TicketId,
        router: &crate::routing::Router,
        field_skills: &crate::routing::FieldSkills,
        skills: &[crate::agent::Skill],
        now: DateTime<Utc>,
    ) -> Result<crate::routing::Routing, Error> {
        let t = self.desk.ticket_or_err(ticket)?;
        let mut all = skills.to_vec();
        all.extend(field_skills.skills_for(t.fields()));
        all.sort();
        all.dedup();
        self.desk.route_ticket(ticket, router, &all, now)
    }

    /// A ticket's SLA record.
    #[must_use]
    pub fn sla(&self, ticket: TicketId) -> Option<&'a TicketSla> {
        self.desk.ticket_sla(ticket)
    }

    /// Every ticket's SLA record.
    pub fn slas(&self) -> impl Iterator<Item = &'a TicketSla> + 'a {
        self.desk.slas()
    }

    /// How many SLA timers (warnings and breaches) are running.
    #[must_use]
    pub fn running_timers(&self) -> usize {
        self.desk.running_timers()
    }
}

/// Channels and delivery: outages and what is offered instead, the outbox, and official posts.
///
/// Borrowed from [`Desk::channels`].
#[derive(Clone, Copy)]
pub struct ChannelsView<'a> {
    desk: &'a Desk,
}

impl std::fmt::Debug for ChannelsView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelsView").finish_non_exhaustive()
    }
}

impl<'a> ChannelsView<'a> {
    /// Whether a channel is down.
    #[must_use]
    pub fn is_down(&self, channel: ChannelKind) -> bool {
        self.desk.is_down(channel)
    }

    /// What to offer a customer who wants `channel`: itself when it works,
    /// else its configured fallbacks that work.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// assert_eq!(desk.channels().offered(ChannelKind::Phone), vec![ChannelKind::Phone]);
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), ChannelAction::MarkDown { channel: ChannelKind::Phone,
    ///     reason: "carrier outage".into() }), now)?;
    /// assert_eq!(desk.channels().offered(ChannelKind::Phone),
    ///     vec![ChannelKind::Social, ChannelKind::Chat, ChannelKind::Email]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn offered(&self, channel: ChannelKind) -> Vec<ChannelKind> {
        self.desk.offered_channels(channel)
    }

    /// Every outage, oldest first.
    #[must_use]
    pub fn outages(&self) -> &'a [Outage] {
        self.desk.outages()
    }

    /// An outbound message's record: the raw record, for delivery and
    /// audit. A message's body is for its recipient (a reply on a crisis
    /// ticket is for that person only): show it to nobody else.
    #[must_use]
    pub fn outbound(&self, id: MessageId) -> Option<&'a OutboxEntry> {
        self.desk.outbound(id)
    }

    /// Every outbound message's record, by id (raw records: see
    /// [`ChannelsView::outbound`]).
    pub fn outbox(&self) -> impl Iterator<Item = &'a OutboxEntry> + 'a {
        self.desk.outbox()
    }

    /// How many messages are not yet delivered (nor abandoned).
    #[must_use]
    pub fn undelivered(&self) -> usize {
        self.desk.undelivered()
    }

    /// An official post and where it is.
    #[must_use]
    pub fn post(&self, id: PostId) -> Option<&'a crate::guard::PostRecord> {
        self.desk.post(id)
    }

    /// Every official post, by id.
    pub fn posts(&self) -> impl Iterator<Item = &'a crate::guard::PostRecord> + 'a {
        self.desk.posts()
    }
}

/// Surveys: invitations, the contact budget, NPS and CSAT.
///
/// Borrowed from [`Desk::surveys`].
#[derive(Clone, Copy)]
pub struct SurveysView<'a> {
    desk: &'a Desk,
}

impl std::fmt::Debug for SurveysView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SurveysView").finish_non_exhaustive()
    }
}

impl<'a> SurveysView<'a> {
    /// Every invitation, by id: the raw records, answers and comments
    /// included. A comment is the customer's own words (a crisis comment
    /// too: see [`crate::crisis`]), for code that reports scores or audits;
    /// never show it to a person as it is.
    pub fn invitations(&self) -> impl Iterator<Item = &'a InvitationRecord> + 'a {
        self.desk.invitations()
    }

    /// When a contact may next be surveyed (`None`: now).
    #[must_use]
    pub fn quiet_until(&self, contact: ContactId, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.desk.quiet_until(contact, now)
    }

    /// NPS of one wave.
    #[must_use]
    pub fn nps_of_wave(&self, wave: &str) -> Nps {
        self.desk.nps_of_wave(wave)
    }

    /// NPS of every wave, in the order the waves went out.
    #[must_use]
    pub fn nps_trend(&self) -> Vec<crate::survey::WaveNps> {
        self.desk.nps_trend()
    }

    /// NPS of one wave by customer segment (from their contract; `none`
    /// without one).
    #[must_use]
    pub fn nps_by_segment(&self, wave: &str) -> BTreeMap<String, Nps> {
        self.desk.nps_by_segment(wave)
    }

    /// CSAT per rated agent.
    #[must_use]
    pub fn csat_by_agent(&self) -> BTreeMap<AgentId, Csat> {
        self.desk.csat_by_agent()
    }

    /// CSAT per team, from its members' ratings.
    #[must_use]
    pub fn csat_by_team(&self) -> BTreeMap<TeamId, Csat> {
        self.desk.csat_by_team()
    }
}

/// Major incidents and trends: briefings, status page, timelines, credits, and trend detection and escalation.
///
/// Borrowed from [`Desk::incidents`].
///
/// Every read here that can reveal a customer's spend (credits issued or
/// due, timelines) takes the viewer, a known and active agent, and shows
/// amounts only to roles that see spend (`None` for the others; see
/// [`crate::view`]). [`IncidentsView::get`], [`IncidentsView::iter`] and
/// [`IncidentsView::active`] hand out the model itself, amounts and all:
/// they are for trusted code (billing, exports to finance), not for
/// showing people.
#[derive(Clone, Copy)]
pub struct IncidentsView<'a> {
    desk: &'a Desk,
}

impl std::fmt::Debug for IncidentsView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncidentsView").finish_non_exhaustive()
    }
}

impl<'a> IncidentsView<'a> {
    /// An incident: the model, credit amounts included, for trusted code.
    #[must_use]
    pub fn get(&self, id: IncidentId) -> Option<&'a Incident> {
        self.desk.incident(id)
    }

    /// Every incident, by id: the model, for trusted code.
    pub fn iter(&self) -> impl Iterator<Item = &'a Incident> + 'a {
        self.desk.state.incidents.iter()
    }

    /// Incidents not yet resolved: the model, for trusted code.
    pub fn active(&self) -> impl Iterator<Item = &'a Incident> + 'a {
        self.desk.active_incidents()
    }

    /// Customers affected by an incident that is not resolved (leave them
    /// out of NPS waves: the desk does so itself).
    #[must_use]
    pub fn affected_customers(&self) -> BTreeSet<CustomerId> {
        self.desk.customers_in_active_incidents()
    }

    /// The incidents affecting a customer that are running or were
    /// resolved within [`crate::incident::IncidentConfig::recent`] of
    /// `now`, newest first: what any agent who takes their call should
    /// know.
    #[must_use]
    pub fn briefings(&self, customer: CustomerId, now: DateTime<Utc>) -> Vec<IncidentBriefing> {
        self.desk.incident_briefings(customer, now)
    }

    /// The public status page: every running incident, newest first, with
    /// its component states and the latest public text (an update with no
    /// public text shows the last one that had it).
    #[must_use]
    pub fn status_page(&self) -> Vec<StatusPageEntry> {
        self.desk.status_page()
    }

    /// An incident's timeline as `viewer` may see it, exportable as data:
    /// a credit issued is summarised for everyone, and its event (with the
    /// amount) is there only for a viewer whose roles see spend.
    ///
    /// # Errors
    /// [`crate::incident::IncidentError::UnknownIncident`]; an unknown or
    /// deactivated viewer.
    pub fn timeline(&self, id: IncidentId, viewer: AgentId) -> Result<Timeline, Error> {
        self.desk.incident_timeline(id, viewer)
    }

    /// The credits issued for an incident as `viewer` may see them: the
    /// amounts only for roles that see spend.
    ///
    /// # Errors
    /// [`crate::incident::IncidentError::UnknownIncident`]; an unknown or
    /// deactivated viewer.
    pub fn credits(&self, id: IncidentId, viewer: AgentId) -> Result<Vec<CreditView>, Error> {
        self.desk.issued_credits(id, viewer)
    }

    /// Open tickets of an incident's affected customers, opened since it
    /// was declared and not linked yet: candidates to link.
    #[must_use]
    pub fn unlinked_tickets(&self, id: IncidentId) -> Vec<TicketId> {
        self.desk.unlinked_incident_tickets(id)
    }

    /// The credits an incident's affected customers are due, by the
    /// policy for each one's contract tier, as `viewer` may see them (the
    /// amounts only for roles that see spend): customers with no monthly
    /// fee on record, no policy, a zero credit, or a credit already issued
    /// are left out. A customer whose credit cannot be computed (a negative
    /// or absurd spend on record) is listed as held and never holds up
    /// the others'.
    ///
    /// # Errors
    /// Unknown incident; [`crate::incident::IncidentError::NotResolved`];
    /// an invalid credit policy
    /// ([`crate::incident::IncidentError::NegativeRate`], ...); an unknown
    /// or deactivated viewer.
    pub fn credits_due(&self, id: IncidentId, viewer: AgentId) -> Result<CreditsDue, Error> {
        self.desk.credits_due_for(id, viewer)
    }

    /// The tickets opened within the trend windows before `now`, as trend
    /// detection sees them: type, tags, channel, and the components their
    /// customer runs on.
    #[must_use]
    pub fn trend_observations(&self, now: DateTime<Utc>) -> Vec<Observation> {
        self.desk.trend_observations(now)
    }

    /// The trends at `now` (see [`crate::trend`] for the rule).
    #[must_use]
    pub fn trends(&self, now: DateTime<Utc>) -> Vec<Trend> {
        self.desk.trends(now)
    }

    /// Every trend escalation and incident candidate, oldest first.
    #[must_use]
    pub fn trend_events(&self) -> &'a [TrendEvent] {
        self.desk.trend_events()
    }

    /// Major-incident candidates raised by component spikes, oldest first.
    pub fn candidates(&self) -> impl Iterator<Item = &'a Trend> + 'a {
        self.desk.incident_candidates()
    }

    /// Decides the escalation of every trend at `now` once while it lasts
    /// (see [`crate::trend::TrendLog::escalations`]): each new trend goes
    /// through `graph` from `start` as a trending ticket in its category,
    /// kind and value (the default graph sends it to product management),
    /// and everyone at the owning node is told, with the tickets that make
    /// it up; a trend escalated before that no longer trends is recorded
    /// as ended. A component spike also records a major-incident
    /// candidate, once while it lasts.
    ///
    /// # Errors
    /// [`crate::escalation::EscalationError`] when the graph cannot route
    /// a trend (nothing is decided then).
    pub fn decide_trend_escalations(
        &self,
        graph: &EscalationGraph,
        start: &str,
        now: DateTime<Utc>,
    ) -> Result<Decision, Error> {
        self.desk.decide_trend_escalations(graph, start, now)
    }
}

impl Desk {
    /// Customers and their contacts: see [`CustomersView`].
    #[must_use]
    pub fn customers(&self) -> CustomersView<'_> {
        CustomersView { desk: self }
    }

    /// Employees and teams: see [`PeopleView`].
    #[must_use]
    pub fn people(&self) -> PeopleView<'_> {
        PeopleView { desk: self }
    }

    /// Tickets: see [`TicketsView`].
    #[must_use]
    pub fn tickets(&self) -> TicketsView<'_> {
        TicketsView { desk: self }
    }

    /// Channels and delivery: see [`ChannelsView`].
    #[must_use]
    pub fn channels(&self) -> ChannelsView<'_> {
        ChannelsView { desk: self }
    }

    /// Surveys: see [`SurveysView`].
    #[must_use]
    pub fn surveys(&self) -> SurveysView<'_> {
        SurveysView { desk: self }
    }

    /// Major incidents and trends: see [`IncidentsView`].
    #[must_use]
    pub fn incidents(&self) -> IncidentsView<'_> {
        IncidentsView { desk: self }
    }
}
