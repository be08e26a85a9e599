//! Who may do what: every command's actor checked against the desk's
//! permission table before anything is decided, and the same check for
//! the reads that show tickets, spend and crisis details.

#![allow(clippy::wildcard_imports)]

use super::*;
use std::collections::BTreeSet;

use crate::permission::{Permission, PermissionError, PermissionTable, Subject, TicketFacts};
use crate::rules::RuleAction;

/// One permission a command needs, on the ticket it touches when the
/// permission is scoped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Need {
    permission: Permission,
    on: On,
}

/// What a scoped permission is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    /// Nothing: the permission is not about one ticket.
    Desk,
    /// A ticket the desk holds.
    Ticket(TicketId),
    /// A ticket about to be opened.
    New(TicketFacts),
}

impl On {
    /// The ticket a refusal names.
    fn ticket(self) -> Option<TicketId> {
        match self {
            On::Ticket(t) => Some(t),
            On::Desk | On::New(_) => None,
        }
    }
}

fn need(permission: Permission) -> Need {
    Need {
        permission,
        on: On::Desk,
    }
}

fn on(permission: Permission, ticket: TicketId) -> Need {
    Need {
        permission,
        on: On::Ticket(ticket),
    }
}

/// The permissions a command needs. Pure over the action: which tickets
/// the scopes are checked against is named by the action itself.
pub(super) fn needs(actor: &Actor, action: &Action) -> Vec<Need> {
    use Permission as P;
    match action {
        // A person gives and withdraws their own consent.
        Action::Customer(CustomerAction::Update {
            command:
                CustomerCommand::RecordConsent { contact, .. }
                | CustomerCommand::WithdrawConsent { contact },
            ..
        }) if *actor == Actor::Contact(*contact) => Vec::new(),
        // A person chooses the language they are written to in.
        Action::Customer(CustomerAction::Update {
            command: CustomerCommand::SetContactLocale { contact, .. },
            ..
        }) if *actor == Actor::Contact(*contact) => Vec::new(),
        Action::Customer(a) => vec![need(match a {
            CustomerAction::Register { .. } => P::ManageCustomers,
            CustomerAction::Update { command, .. } => match command {
                CustomerCommand::SetAccountStanding { .. } => P::ManageAccounts,
                _ => P::ManageCustomers,
            },
            CustomerAction::EraseContact { .. } => P::EraseContacts,
            CustomerAction::SetContract { .. } => P::ManageAccounts,
            // Moves tickets between contacts of one customer: customer
            // records, as adding or removing contacts is.
            CustomerAction::MergeContacts { .. } => P::ManageCustomers,
            // Moves credits and refunds to another account and makes the
            // target the account of record: an account act.
            CustomerAction::MergeCustomers { .. } => P::ManageAccounts,
        })],
        Action::People(a) => match a {
            PeopleAction::RegisterAgent { roles, .. } => {
                // Granting roles is administering permissions: a people
                // manager may not make anyone (themselves included) admin.
                let mut n = vec![need(P::ManagePeople)];
                if !roles.is_empty() {
                    n.push(need(P::ManagePermissions));
                }
                n
            }
            PeopleAction::UpdateAgent { agent, command } => match command {
                AgentCommand::GrantRole(_) | AgentCommand::RevokeRole(_) => {
                    vec![need(P::ManagePermissions)]
                }
                // Everyone keeps their own hours, absences and name.
                AgentCommand::Rename(_)
                | AgentCommand::SetTimeZone(_)
                | AgentCommand::SetWorkingHours(_)
                | AgentCommand::SetProtectedTime(_)
                | AgentCommand::AddAbsence(_)
                | AgentCommand::CancelAbsence(_)
                    if actor.agent() == Some(*agent) =>
                {
                    Vec::new()
                }
                _ => vec![need(P::ManagePeople)],
            },
            PeopleAction::CreateTeam { .. } | PeopleAction::UpdateTeam { .. } => {
                vec![need(P::ManagePeople)]
            }
            PeopleAction::SetPermissions { .. } => vec![need(P::ManagePermissions)],
        },
        Action::Ticket(a) => ticket_needs(actor, a),
        Action::Survey(a) => vec![need(match a {
            crate::survey::SurveyAction::Answer { .. } => P::AnswerSurveys,
            _ => P::RunSurveys,
        })],
        Action::Recognition(a) => {
            let mut n = vec![need(match a {
                crate::recognition::RecognitionAction::NameCommittee { .. } => P::ManageAwards,
                // Certificates: the committee's members, as the model checks.
                _ => P::RecordPraise,
            })];
            // Praise tied to a ticket or a customer is about what the
            // actor may see: a contact praises on their own organisation's.
            if let crate::recognition::RecognitionAction::RecordPraise {
                ticket, customer, ..
            } = a
            {
                if let Some(t) = ticket {
                    n.push(on(P::ViewTickets, *t));
                }
                if let Some(c) = customer {
                    n.push(Need {
                        permission: P::ViewTickets,
                        on: On::New(TicketFacts::new(*c, None, None, None)),
                    });
                }
            }
            n
        }
        Action::Coaching(_) => vec![need(P::RecordMistakes)],
        Action::Incident(a) => {
            let mut n = vec![need(match a {
                IncidentAction::IssueCredits { .. } => P::IssueCredits,
                _ => P::ManageIncidents,
            })];
            // Linking a ticket lets the incident solve it and write on it.
            if let IncidentAction::LinkTickets { tickets, .. } = a {
                n.extend(tickets.iter().map(|t| on(P::EditTickets, *t)));
            }
            n
        }
        Action::Post(a) => vec![need(match a {
            crate::guard::PostAction::Submit { .. } => P::SubmitPosts,
            _ => P::ApprovePosts,
        })],
        Action::Channel(_) => vec![need(P::ManageChannels)],
        Action::Outbox(_) => vec![need(P::DeliverMessages)],
        Action::Field(_) => vec![need(P::ManageFields)],
        Action::Rules(_) => vec![need(P::ManageRules)],
        Action::Refund(a) => match a {
            crate::refund::RefundAction::Request { ticket, .. } => {
                vec![on(P::RequestRefunds, *ticket)]
            }
            _ => vec![need(P::ApproveRefunds)],
        },
    }
}

fn ticket_needs(actor: &Actor, action: &TicketAction) -> Vec<Need> {
    use Permission as P;
    match action {
        TicketAction::Open(open) => vec![Need {
            permission: P::OpenTickets,
            on: On::New(TicketFacts::new(open.customer, open.requester, None, None)),
        }],
        TicketAction::Receive(_) => vec![need(P::ReceiveMessages)],
        TicketAction::Reply { ticket, .. } | TicketAction::Promise { ticket, .. } => {
            vec![on(P::ReplyPublicly, *ticket)]
        }
        TicketAction::Update { ticket, command } => vec![on(
            match command {
                TicketCommand::Reply { .. } => P::ReplyPublicly,
                TicketCommand::Note { .. } => P::AddInternalNotes,
                TicketCommand::Assign(_) => P::AssignTickets,
                TicketCommand::HandOff { .. } => P::EscalateTickets,
                // Following a ticket oneself is reading it; making others
                // follow, or copying people, is editing it.
                TicketCommand::AddFollower { agent } | TicketCommand::RemoveFollower { agent }
                    if actor.agent() == Some(*agent) =>
                {
                    P::ViewTickets
                }
                // Time spent is an internal record, like a note.
                TicketCommand::LogTime { .. } => P::AddInternalNotes,
                _ => P::EditTickets,
            },
            *ticket,
        )],
        TicketAction::Escalate { ticket, .. } => vec![on(P::EscalateTickets, *ticket)],
        TicketAction::Link { ticket, other, .. } => {
            vec![on(P::EditTickets, *ticket), on(P::EditTickets, *other)]
        }
        TicketAction::Merge { source, target } => {
            vec![on(P::MergeTickets, *source), on(P::MergeTickets, *target)]
        }
        TicketAction::FlagCrisis { ticket, .. } => vec![on(P::FlagCrisis, *ticket)],
        TicketAction::Split { ticket, .. } => vec![on(P::MergeTickets, *ticket)],
        // Resolving a held message decides who a person is (customer
        // records) and, attached or created, opens their ticket.
        TicketAction::AttachTriaged {
            customer, contact, ..
        } => vec![
            need(P::ManageCustomers),
            Need {
                permission: P::OpenTickets,
                on: On::New(TicketFacts::new(*customer, Some(*contact), None, None)),
            },
        ],
        TicketAction::CreateFromTriaged { .. } => {
            vec![need(P::ManageCustomers), need(P::OpenTickets)]
        }
        TicketAction::DiscardTriaged { .. } => vec![need(P::ManageCustomers)],
        // Reading the ticket; each of the macro's actions adds its own
        // (`Desk::needs_of`).
        TicketAction::ApplyMacro { ticket, .. } => vec![on(P::ViewTickets, *ticket)],
    }
}

/// The permissions a macro's actions need on `ticket`, as the same
/// changes made by hand by `actor` would.
fn macro_needs(actor: &Actor, ticket: TicketId, actions: &[RuleAction]) -> Vec<Need> {
    let mut out: Vec<Need> = Vec::new();
    for a in actions {
        let command = match a {
            // Paging a colleague about a ticket is reading it.
            RuleAction::Page { .. } => continue,
            RuleAction::Escalate { .. } => {
                out.push(on(Permission::EscalateTickets, ticket));
                continue;
            }
            RuleAction::AssignToActor => TicketCommand::Assign(actor.agent()),
            RuleAction::Reply { .. } | RuleAction::ReplyWith { .. } => TicketCommand::Reply {
                author: crate::ticket::Author::System,
                channel: crate::channel::Channel::Email,
                body: String::new(),
                attachments: Vec::new(),
            },
            other => match other.ticket_command() {
                Some(c) => c,
                None => continue,
            },
        };
        for n in ticket_needs(actor, &TicketAction::Update { ticket, command }) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

impl Desk {
    /// The permission table in force: the configured one, or the last one
    /// recorded with [`PeopleAction::SetPermissions`].
    #[must_use]
    pub fn permissions(&self) -> &PermissionTable {
        &self.config.permissions
    }

    /// The permissions `command` needs, each with the ticket its scope is
    /// checked against (`None` for permissions that are not about one
    /// ticket, and for the ticket a command opens, checked against its
    /// customer and requester). A screen can use it to offer only what its
    /// user may do.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, ana, ticket, .. } = fanatical::desk::fixture::fixture()?;
    /// use fanatical::permission::Permission;
    /// let needs = desk.required_permissions(&Command::note(ticket, ana, "Checked the logs."));
    /// assert_eq!(needs, vec![(Permission::AddInternalNotes, Some(ticket))]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn required_permissions(&self, command: &Command) -> Vec<(Permission, Option<TicketId>)> {
        self.needs_of(&command.actor, &command.action)
            .into_iter()
            .map(|n| (n.permission, n.on.ticket()))
            .collect()
    }

    /// The first permission `command`'s actor lacks, as the refusal
    /// [`Desk::decide`] would give a command it has not seen (a repeat
    /// under an accepted key answers its first outcome instead); `None`
    /// when they hold every one.
    #[must_use]
    pub fn missing_permission(&self, command: &Command) -> Option<PermissionError> {
        self.needs_of(&command.actor, &command.action)
            .into_iter()
            .find(|n| !self.permits(&command.actor, n.permission, n.on))
            .map(|n| self.denied(&command.actor, n.permission, n.on.ticket()))
    }

    /// The permissions `action` by `actor` needs, with those of the
    /// actions of the macro it applies.
    fn needs_of(&self, actor: &Actor, action: &Action) -> Vec<Need> {
        let mut n = needs(actor, action);
        if let Action::Ticket(TicketAction::ApplyMacro { ticket, name }) = action
            && let Some(m) = self.config.macros.get(name)
        {
            for more in macro_needs(actor, *ticket, &m.actions) {
                if !n.contains(&more) {
                    n.push(more);
                }
            }
        }
        n
    }

    /// Checks every permission a command by `actor` needs; the first one
    /// missing refuses it.
    pub(super) fn authorise(&self, actor: &Actor, action: &Action) -> Result<(), Error> {
        for n in self.needs_of(actor, action) {
            if !self.permits(actor, n.permission, n.on) {
                return Err(self.denied(actor, n.permission, n.on.ticket()).into());
            }
        }
        Ok(())
    }

    /// Whether `actor` may use `permission`, on `ticket` when given (a
    /// scoped permission is checked against the ticket's customer,
    /// requester, assignee and team; a ticket the desk does not hold is
    /// reached only by [`crate::permission::Scope::All`]). The same check
    /// refuses commands and hides what reads would show, so embedders
    /// building their own screens use it too.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, ana, ticket, .. } = fanatical::desk::fixture::fixture()?;
    /// use fanatical::permission::Permission;
    /// // Ana is an agent: she replies to customers but sees no spend.
    /// assert!(desk.may(&Actor::Agent(ana), Permission::ReplyPublicly, Some(ticket)));
    /// assert!(!desk.may(&Actor::Agent(ana), Permission::ViewSpend, None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn may(&self, actor: &Actor, permission: Permission, ticket: Option<TicketId>) -> bool {
        self.check_actor(actor).is_ok()
            && self.permits(actor, permission, ticket.map_or(On::Desk, On::Ticket))
    }

    /// A ticket as `viewer` may see it: [`Desk::agent_ticket_view`] for an
    /// agent who holds [`Permission::ViewTickets`] in a scope that reaches
    /// the ticket. The check is the one commands pass, so a queue, a search
    /// or a screen built on it shows no ticket its user could not act on.
    ///
    /// # Errors
    /// [`PermissionError::Denied`] naming the viewer, the permission and
    /// the ticket; unknown or inactive agent; unknown ticket.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, ana, ticket, .. } = fanatical::desk::fixture::fixture()?;
    /// let view = desk.ticket_view_as(ticket, ana)?;
    /// assert_eq!(view.id, ticket);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ticket_view_as(
        &self,
        ticket: TicketId,
        viewer: AgentId,
    ) -> Result<crate::view::AgentTicketView, Error> {
        self.ticket_or_err(ticket)?;
        self.check_permission(&Actor::Agent(viewer), Permission::ViewTickets, Some(ticket))?;
        self.agent_ticket_view(ticket)
    }

    /// The [`Restriction`](crate::queue::Restriction) a queue answers
    /// `viewer` under: the tickets their
    /// [`Permission::ViewTickets`] reaches, by the same predicate commands
    /// are checked with (all; their teams' and their own; their own).
    /// Queues are agents' screens: a contact is refused
    /// ([`DeskError::NeedsAgent`]; a portal lists a contact's tickets with
    /// [`TicketsView::seen_by`](super::TicketsView::seen_by)).
    /// [`QueuesView::page_as`](super::QueuesView::page_as) and
    /// [`QueuesView::count_as`](super::QueuesView::count_as) apply it for
    /// you; pass it to your own read model (a
    /// [`QueueReadModel`](crate::queue::QueueReadModel) in a database)
    /// when that serves the queue instead.
    ///
    /// # Errors
    /// [`PermissionError::Denied`] for a viewer who may view no ticket;
    /// [`DeskError::NeedsAgent`] for a contact; the actor's own errors
    /// (unknown, inactive, erased).
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, ana, .. } = fanatical::desk::fixture::fixture()?;
    /// use fanatical::queue::Restriction;
    /// assert_eq!(desk.queue_restriction(&Actor::Agent(ana))?, Restriction::All);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn queue_restriction(&self, viewer: &Actor) -> Result<crate::queue::Restriction, Error> {
        use crate::permission::Scope;
        use crate::queue::Restriction;
        self.check_actor(viewer)?;
        let roles = match viewer {
            Actor::Agent(a) => self
                .agent(*a)
                .map(|a| a.roles().clone())
                .unwrap_or_default(),
            _ => BTreeSet::new(),
        };
        let scope =
            self.config
                .permissions
                .scope_for_actor(viewer, &roles, Permission::ViewTickets);
        let restriction = match (scope, viewer) {
            (Some(Scope::All), _) => Some(Restriction::All),
            (Some(Scope::Teams), Actor::Agent(a)) => Some(Restriction::TeamsOrAssignee {
                teams: self.teams_of(*a),
                agent: *a,
            }),
            (Some(Scope::Assigned), Actor::Agent(a)) => Some(Restriction::Assignee(*a)),
            // Queues are agents' screens (their rows carry internal
            // status, tags and SLA state): a portal lists a contact's
            // tickets with `tickets().seen_by`.
            (_, Actor::Contact(_)) => {
                return Err(DeskError::NeedsAgent {
                    actor: viewer.clone(),
                }
                .into());
            }
            _ => None,
        };
        restriction.ok_or_else(|| self.denied(viewer, Permission::ViewTickets, None).into())
    }

    /// [`Desk::may`] as a result, for reads that refuse.
    ///
    /// # Errors
    /// [`PermissionError::Denied`] naming the actor, the permission and
    /// the roles that grant it; the actor's own errors (unknown or
    /// inactive agent, unknown or erased contact).
    pub fn check_permission(
        &self,
        actor: &Actor,
        permission: Permission,
        ticket: Option<TicketId>,
    ) -> Result<(), Error> {
        self.check_actor(actor)?;
        if self.permits(actor, permission, ticket.map_or(On::Desk, On::Ticket)) {
            Ok(())
        } else {
            Err(self.denied(actor, permission, ticket).into())
        }
    }

    fn denied(
        &self,
        actor: &Actor,
        permission: Permission,
        ticket: Option<TicketId>,
    ) -> PermissionError {
        PermissionError::Denied {
            actor: actor.clone(),
            permission,
            ticket: ticket.filter(|_| permission.is_scoped()),
            granted_by: self.config.permissions.roles_granting(permission),
        }
    }

    fn permits(&self, actor: &Actor, permission: Permission, on: On) -> bool {
        static NO_ROLES: BTreeSet<crate::agent::Role> = BTreeSet::new();
        let roles = match actor {
            Actor::Agent(a) => match self.agent(*a) {
                Some(agent) if agent.is_active() => agent.roles(),
                _ => return false,
            },
            _ => &NO_ROLES,
        };
        let table = &self.config.permissions;
        let Some(scope) = table.scope_for_actor(actor, roles, permission) else {
            return false;
        };
        if !permission.is_scoped() || scope == crate::permission::Scope::All {
            return true;
        }
        let facts = match on {
            On::Desk => return false,
            On::New(facts) => facts,
            On::Ticket(t) => match self.state.tickets.get(t) {
                Some(t) => TicketFacts::new(t.customer(), t.requester(), t.assignee(), t.team()),
                None => return false,
            },
        };
        let teams;
        let subject = match actor {
            Actor::Agent(a) => {
                teams = self.teams_of(*a);
                Subject::Agent {
                    id: *a,
                    teams: &teams,
                }
            }
            Actor::Contact(c) => match self.state.customers.customer_of(*c) {
                Some(customer) => Subject::Contact { id: *c, customer },
                None => return false,
            },
            _ => Subject::Integration,
        };
        scope.admits(&subject, &facts)
    }

    /// Whether `actor` may use `permission` on a ticket described by
    /// `facts` (one read from the store, not in memory).
    pub(super) fn permits_facts(
        &self,
        actor: &Actor,
        permission: Permission,
        facts: TicketFacts,
    ) -> bool {
        self.permits(actor, permission, On::New(facts))
    }

    /// [`Desk::check_permission`] on a ticket read from the store.
    pub(super) fn check_on_facts(
        &self,
        actor: &Actor,
        permission: Permission,
        ticket: &crate::ticket::Ticket,
    ) -> Result<(), Error> {
        self.check_actor(actor)?;
        let facts = TicketFacts::new(
            ticket.customer(),
            ticket.requester(),
            ticket.assignee(),
            ticket.team(),
        );
        if self.permits_facts(actor, permission, facts) {
            Ok(())
        } else {
            Err(self.denied(actor, permission, Some(ticket.id())).into())
        }
    }

    /// The teams `agent` is a member of.
    pub(super) fn teams_of(&self, agent: AgentId) -> BTreeSet<TeamId> {
        self.state
            .people
            .teams()
            .filter(|t| t.members().contains(&agent))
            .map(Team::id)
            .collect()
    }

    /// Whether some active agent or some integration could still manage
    /// permissions under `table`, with the agents' roles as `roles_of`
    /// gives them.
    pub(super) fn administrable<'a>(
        &'a self,
        table: &PermissionTable,
        roles_of: impl Fn(&'a Agent) -> Option<BTreeSet<crate::agent::Role>>,
    ) -> bool {
        table.integrations_administer()
            || self.agents().filter_map(roles_of).any(|roles| {
                table
                    .scope_of(&roles, Permission::ManagePermissions)
                    .is_some()
            })
    }

    /// Makes a decision that changes who administers (a table recorded,
    /// a role granted or revoked, an agent deactivated) depend on what it
    /// was decided on: the permission table's stream, the acting agent's
    /// stream (their roles), and the stream of every active agent who
    /// administers under the table in force or any of `tables` (the
    /// administrators the last-administrator rule counted on). Another
    /// desk's write to any of them since makes the append conflict, and
    /// the retry (catch up, decide again) decides on what that desk
    /// wrote: two desks cannot each remove one of the last two
    /// administrators, and a command decided before its actor's
    /// revocation reached this desk does not pass after it.
    pub(super) fn check_administration(&self, d: &mut Drafts, tables: &[&PermissionTable]) {
        d.check(StreamId::Permissions);
        if let Some(actor) = d.actor().agent() {
            d.check(StreamId::Agent(actor));
        }
        let now = &self.config.permissions;
        for agent in self.agents().filter(|a| a.is_active()) {
            let administers = std::iter::once(now).chain(tables.iter().copied()).any(|t| {
                t.scope_of(agent.roles(), Permission::ManagePermissions)
                    .is_some()
            });
            if administers {
                d.check(StreamId::Agent(agent.id()));
            }
        }
    }

    /// Refuses a change that would leave nobody able to manage
    /// permissions when somebody could before.
    pub(super) fn keep_administrable<'a>(
        &'a self,
        table: &PermissionTable,
        roles_of: impl Fn(&'a Agent) -> Option<BTreeSet<crate::agent::Role>>,
    ) -> Result<(), PermissionError> {
        let now = &self.config.permissions;
        let before = self.administrable(now, |a| a.is_active().then(|| a.roles().clone()));
        if before && !self.administrable(table, roles_of) {
            return Err(PermissionError::NoAdministrator);
        }
        Ok(())
    }
}
