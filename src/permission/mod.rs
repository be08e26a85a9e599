//! Who may do what: roles map to permissions as data.
//!
//! A [`PermissionTable`] grants each [`Role`] a set of [`Permission`]s,
//! each with a [`Scope`] that says which tickets it reaches (all of them,
//! the agent's teams', the ones assigned to them, the ones a contact
//! requested or their organisation's). The desk checks every command's
//! actor against its table before deciding anything, and reads that show
//! tickets, spend or crisis details use the same check, so what a person
//! may not do they may not see done either. A refusal names the actor,
//! the permission missing and the roles that would grant it.
//!
//! The defaults are the roles support teams recognise (agent, light
//! agent, team lead, manager, admin, account manager, billing, executive,
//! safety responder), what a contact may do on the portal, and what an
//! integration may do; change them, or add [`Role::Custom`] roles, and
//! record the table with
//! [`PeopleAction::SetPermissions`](crate::desk::PeopleAction::SetPermissions).
//!
//! ```
//! use fanatical::agent::{Role, RoleName};
//! use fanatical::permission::{Permission, PermissionTable, Scope};
//!
//! let table = PermissionTable::defaults();
//! // Light agents add internal notes but never write to customers.
//! assert!(table.scope_of([&Role::LightAgent], Permission::AddInternalNotes).is_some());
//! assert!(table.scope_of([&Role::LightAgent], Permission::ReplyPublicly).is_none());
//! // Spend is for account management, billing and executives.
//! assert_eq!(
//!     table.roles_granting(Permission::ViewSpend),
//!     vec![Role::AccountManager, Role::Billing, Role::Executive]
//! );
//!
//! // A role of your own: tier 2 agents work only their teams' tickets.
//! let tier2 = Role::Custom(RoleName::new("tier 2")?);
//! let table = table
//!     .grant(tier2.clone(), Permission::ViewTickets, Scope::Teams)
//!     .grant(tier2.clone(), Permission::ReplyPublicly, Scope::Teams);
//! assert_eq!(table.scope_of([&tier2], Permission::ReplyPublicly), Some(Scope::Teams));
//! table.validate()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::agent::Role;
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};

mod defaults;
#[cfg(feature = "proptest")]
pub mod strategies;

/// Something a person may be allowed to do. Ticket permissions are
/// granted with a [`Scope`]; the others are held or not (any scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Permission {
    // ----- tickets (scoped) -----
    /// See tickets, their conversations and internal notes; in queues and
    /// views.
    ViewTickets,
    /// Open a ticket for a customer.
    OpenTickets,
    /// Write to the customer: public replies and promised updates.
    ReplyPublicly,
    /// Add internal notes.
    AddInternalNotes,
    /// Change a ticket's status, priority, type, team, tags and links.
    EditTickets,
    /// Assign a ticket to someone (or to nobody).
    AssignTickets,
    /// Merge tickets, and split part of a conversation into a new one.
    MergeTickets,
    /// Escalate or hand a ticket off to a department.
    EscalateTickets,
    /// Flag a ticket as a crisis.
    FlagCrisis,
    /// Ask for a refund or a goodwill credit on a ticket.
    RequestRefunds,
    // ----- restricted reads -----
    /// See a person in crisis's details.
    ViewCrisisDetails,
    /// See customers' spend and tier and the amounts computed from them.
    ViewSpend,
    // ----- customers -----
    /// Register customers and change their contacts, consent and profile.
    ManageCustomers,
    /// Erase a contact's personal data (privacy requests).
    EraseContacts,
    /// Set a customer's spend, standing and SLA contract.
    ManageAccounts,
    // ----- money -----
    /// Approve or decline refunds and goodwill credits.
    ApproveRefunds,
    /// Issue an incident's service credits.
    IssueCredits,
    // ----- people -----
    /// Register and change employees and teams (not their roles).
    ManagePeople,
    /// Grant and revoke roles, and change the permission table.
    ManagePermissions,
    // ----- running the desk -----
    /// Declare, update, review and link major incidents.
    ManageIncidents,
    /// Submit an official post for review.
    SubmitPosts,
    /// Approve or reject held official posts.
    ApprovePosts,
    /// Mark channels down and up.
    ManageChannels,
    /// Send surveys and run survey waves.
    RunSurveys,
    /// Answer a survey one was invited to.
    AnswerSurveys,
    /// Record praise and recognise peers.
    RecordPraise,
    /// Name the awards committee (its members, whoever they are, issue
    /// certificates).
    ManageAwards,
    /// Record mistakes for coaching.
    RecordMistakes,
    /// Take in messages that arrived on a channel (a mail or chat
    /// gateway).
    ReceiveMessages,
    /// Report deliveries of outbound messages (a delivery worker).
    DeliverMessages,
    /// Define custom fields, their options and the forms of ticket types.
    ManageFields,
    /// Write the desk's business rules (triggers).
    ManageRules,
}

impl Permission {
    /// Every permission, in order.
    pub const ALL: [Permission; 32] = [
        Permission::ViewTickets,
        Permission::OpenTickets,
        Permission::ReplyPublicly,
        Permission::AddInternalNotes,
        Permission::EditTickets,
        Permission::AssignTickets,
        Permission::MergeTickets,
        Permission::EscalateTickets,
        Permission::FlagCrisis,
        Permission::RequestRefunds,
        Permission::ViewCrisisDetails,
        Permission::ViewSpend,
        Permission::ManageCustomers,
        Permission::EraseContacts,
        Permission::ManageAccounts,
        Permission::ApproveRefunds,
        Permission::IssueCredits,
        Permission::ManagePeople,
        Permission::ManagePermissions,
        Permission::ManageIncidents,
        Permission::SubmitPosts,
        Permission::ApprovePosts,
        Permission::ManageChannels,
        Permission::RunSurveys,
        Permission::AnswerSurveys,
        Permission::RecordPraise,
        Permission::ManageAwards,
        Permission::RecordMistakes,
        Permission::ReceiveMessages,
        Permission::DeliverMessages,
        Permission::ManageFields,
        Permission::ManageRules,
    ];

    /// Whether the permission acts on tickets, so its [`Scope`] matters.
    #[must_use]
    pub const fn is_scoped(self) -> bool {
        matches!(
            self,
            Permission::ViewTickets
                | Permission::OpenTickets
                | Permission::ReplyPublicly
                | Permission::AddInternalNotes
                | Permission::EditTickets
                | Permission::AssignTickets
                | Permission::MergeTickets
                | Permission::EscalateTickets
                | Permission::FlagCrisis
                | Permission::RequestRefunds
        )
    }

    /// The permission's name, as it is serialised.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Permission::ViewTickets => "view_tickets",
            Permission::OpenTickets => "open_tickets",
            Permission::ReplyPublicly => "reply_publicly",
            Permission::AddInternalNotes => "add_internal_notes",
            Permission::EditTickets => "edit_tickets",
            Permission::AssignTickets => "assign_tickets",
            Permission::MergeTickets => "merge_tickets",
            Permission::EscalateTickets => "escalate_tickets",
            Permission::FlagCrisis => "flag_crisis",
            Permission::RequestRefunds => "request_refunds",
            Permission::ViewCrisisDetails => "view_crisis_details",
            Permission::ViewSpend => "view_spend",
            Permission::ManageCustomers => "manage_customers",
            Permission::EraseContacts => "erase_contacts",
            Permission::ManageAccounts => "manage_accounts",
            Permission::ApproveRefunds => "approve_refunds",
            Permission::IssueCredits => "issue_credits",
            Permission::ManagePeople => "manage_people",
            Permission::ManagePermissions => "manage_permissions",
            Permission::ManageIncidents => "manage_incidents",
            Permission::SubmitPosts => "submit_posts",
            Permission::ApprovePosts => "approve_posts",
            Permission::ManageChannels => "manage_channels",
            Permission::RunSurveys => "run_surveys",
            Permission::AnswerSurveys => "answer_surveys",
            Permission::RecordPraise => "record_praise",
            Permission::ManageAwards => "manage_awards",
            Permission::RecordMistakes => "record_mistakes",
            Permission::ReceiveMessages => "receive_messages",
            Permission::DeliverMessages => "deliver_messages",
            Permission::ManageFields => "manage_fields",
            Permission::ManageRules => "manage_rules",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which tickets a ticket permission reaches. Wider scopes admit what
/// narrower ones do: `All` ⊇ `Teams` ⊇ `Assigned`, and `Organisation` ⊇
/// `Requested`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Scope {
    /// Tickets assigned to the agent.
    Assigned,
    /// Tickets of one of the agent's teams, and tickets assigned to the
    /// agent (Zendesk's group scope: a ticket with no team is for agents
    /// who reach all tickets until it is given one).
    Teams,
    /// Tickets a contact asked for (they are the requester).
    Requested,
    /// Every ticket of a contact's organisation (their customer).
    Organisation,
    /// Every ticket.
    All,
}

impl Scope {
    /// Whether `self` admits every ticket `other` admits.
    #[must_use]
    pub fn covers(self, other: Scope) -> bool {
        use Scope::{All, Assigned, Organisation, Requested, Teams};
        matches!(
            (self, other),
            (All, _)
                | (Teams, Teams | Assigned)
                | (Assigned, Assigned)
                | (Organisation, Organisation | Requested)
                | (Requested, Requested)
        )
    }

    /// Whether this scope lets `who` reach the ticket described by
    /// `ticket`.
    #[must_use]
    pub fn admits(self, who: &Subject<'_>, ticket: &TicketFacts) -> bool {
        match (self, who) {
            (Scope::All, _) => true,
            (Scope::Assigned, Subject::Agent { id, .. }) => ticket.assignee == Some(*id),
            (Scope::Teams, Subject::Agent { id, teams }) => {
                ticket.assignee == Some(*id) || ticket.team.is_some_and(|t| teams.contains(&t))
            }
            (Scope::Requested, Subject::Contact { id, .. }) => ticket.requester == Some(*id),
            (Scope::Organisation, Subject::Contact { customer, .. }) => {
                ticket.customer == *customer
            }
            _ => false,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Assigned => "assigned",
            Scope::Teams => "teams",
            Scope::Requested => "requested",
            Scope::Organisation => "organisation",
            Scope::All => "all",
        })
    }
}

/// Who is asking, with what their scopes are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subject<'a> {
    /// An agent and the teams they are a member of.
    Agent {
        /// The agent.
        id: AgentId,
        /// Their teams.
        teams: &'a BTreeSet<TeamId>,
    },
    /// A contact and their customer.
    Contact {
        /// The contact.
        id: ContactId,
        /// Their customer.
        customer: CustomerId,
    },
    /// An integration: scopes other than [`Scope::All`] admit nothing.
    Integration,
}

/// What a ticket scope is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TicketFacts {
    /// The ticket's customer.
    pub customer: CustomerId,
    /// Who asked.
    pub requester: Option<ContactId>,
    /// Its assignee.
    pub assignee: Option<AgentId>,
    /// Its team.
    pub team: Option<TeamId>,
}

impl TicketFacts {
    /// The facts of a ticket.
    #[must_use]
    pub fn new(
        customer: CustomerId,
        requester: Option<ContactId>,
        assignee: Option<AgentId>,
        team: Option<TeamId>,
    ) -> Self {
        TicketFacts {
            customer,
            requester,
            assignee,
            team,
        }
    }
}

/// A role's grants: each permission with the widest scope it reaches.
pub type Grants = BTreeMap<Permission, Scope>;

/// Roles mapped to permissions: what every agent, contact and integration
/// of a desk may do. Build from [`PermissionTable::defaults`] or
/// [`PermissionTable::empty`], change with [`PermissionTable::grant`] and
/// [`PermissionTable::revoke`], check with [`PermissionTable::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PermissionTable {
    /// What each role grants. A role held by an agent but missing here
    /// grants nothing.
    roles: BTreeMap<Role, Grants>,
    /// What every contact may do (on their own tickets, by scope).
    contacts: Grants,
    /// The roles of named integrations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    integrations: BTreeMap<String, BTreeSet<Role>>,
    /// The roles of every integration not named above.
    integration_default: BTreeSet<Role>,
}

impl Default for PermissionTable {
    fn default() -> Self {
        PermissionTable::defaults()
    }
}

impl PermissionTable {
    /// Whether this is [`PermissionTable::defaults`].
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == PermissionTable::defaults()
    }

    /// A table that grants nothing to anyone. It does not validate until
    /// some role may manage permissions.
    #[must_use]
    pub fn empty() -> Self {
        PermissionTable {
            roles: BTreeMap::new(),
            contacts: Grants::new(),
            integrations: BTreeMap::new(),
            integration_default: BTreeSet::new(),
        }
    }

    /// The table with `role` granted `permission` in `scope` (replacing the
    /// scope it had). For permissions that are not
    /// [scoped](Permission::is_scoped) the scope is ignored and stored as
    /// [`Scope::All`].
    #[must_use]
    pub fn grant(mut self, role: Role, permission: Permission, scope: Scope) -> Self {
        let scope = if permission.is_scoped() {
            scope
        } else {
            Scope::All
        };
        self.roles
            .entry(role)
            .or_default()
            .insert(permission, scope);
        self
    }

    /// The table with `permission` taken from `role`.
    #[must_use]
    pub fn revoke(mut self, role: &Role, permission: Permission) -> Self {
        if let Some(grants) = self.roles.get_mut(role) {
            grants.remove(&permission);
        }
        self
    }

    /// The table with every contact granted `permission` in `scope`
    /// (contacts reach tickets by [`Scope::Requested`] or
    /// [`Scope::Organisation`]).
    #[must_use]
    pub fn grant_contacts(mut self, permission: Permission, scope: Scope) -> Self {
        self.contacts
            .insert(permission, stored_scope(permission, scope));
        self
    }

    /// The table with `permission` taken from contacts.
    #[must_use]
    pub fn revoke_contacts(mut self, permission: Permission) -> Self {
        self.contacts.remove(&permission);
        self
    }

    /// The table with the integration named `name` holding `roles` (in
    /// place of the default integration roles).
    #[must_use]
    pub fn with_integration(mut self, name: &str, roles: impl IntoIterator<Item = Role>) -> Self {
        self.integrations
            .insert(name.to_owned(), roles.into_iter().collect());
        self
    }

    /// The table with every integration not named holding `roles`.
    #[must_use]
    pub fn with_integration_default(mut self, roles: impl IntoIterator<Item = Role>) -> Self {
        self.integration_default = roles.into_iter().collect();
        self
    }

    /// What `role` grants, if the table names it.
    #[must_use]
    pub fn grants_of(&self, role: &Role) -> Option<&Grants> {
        self.roles.get(role)
    }

    /// The roles the table names.
    pub fn roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.keys()
    }

    /// What every contact may do.
    #[must_use]
    pub fn contact_grants(&self) -> &Grants {
        &self.contacts
    }

    /// The roles an integration named `name` holds.
    #[must_use]
    pub fn integration_roles(&self, name: &str) -> &BTreeSet<Role> {
        self.integrations
            .get(name)
            .unwrap_or(&self.integration_default)
    }

    /// The widest scope in which any of `roles` grants `permission`, or
    /// `None` when none does. Scopes that do not cover one another (an
    /// agent scope and a contact scope) are not comparable: then the later
    /// role's wins, which no table that validates meets (agents get agent
    /// scopes, contacts contact scopes).
    pub fn scope_of<'a>(
        &self,
        roles: impl IntoIterator<Item = &'a Role>,
        permission: Permission,
    ) -> Option<Scope> {
        let mut best: Option<Scope> = None;
        for role in roles {
            let Some(scope) = self.roles.get(role).and_then(|g| g.get(&permission)) else {
                continue;
            };
            best = match best {
                Some(b) if b.covers(*scope) => Some(b),
                _ => Some(*scope),
            };
        }
        best
    }

    /// The roles that grant `permission` (in any scope), in role order.
    #[must_use]
    pub fn roles_granting(&self, permission: Permission) -> Vec<Role> {
        self.roles
            .iter()
            .filter(|(_, g)| g.contains_key(&permission))
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// Whether the scopes granted make sense for who holds them.
    ///
    /// # Errors
    /// [`PermissionError::NoAdministrator`] when no role grants
    /// [`Permission::ManagePermissions`], so nobody could ever change the
    /// table again; [`PermissionError::InvalidIntegration`] for an
    /// integration named by what no actor can be (one word of 1 to 64
    /// characters); [`PermissionError::ContactScope`] when contacts get an
    /// agent scope (teams, assigned) or a ticket permission an agent role
    /// gets a contact scope ([`PermissionError::AgentScope`]).
    pub fn validate(&self) -> Result<(), PermissionError> {
        if self
            .roles_granting(Permission::ManagePermissions)
            .is_empty()
        {
            return Err(PermissionError::NoAdministrator);
        }
        if let Some(name) = self
            .integrations
            .keys()
            .find(|name| Actor::Integration((*name).clone()).check().is_err())
        {
            return Err(PermissionError::InvalidIntegration(name.clone()));
        }
        for (role, grants) in &self.roles {
            for (permission, scope) in grants {
                if matches!(scope, Scope::Requested | Scope::Organisation) {
                    return Err(PermissionError::AgentScope {
                        role: role.clone(),
                        permission: *permission,
                        scope: *scope,
                    });
                }
            }
        }
        for (permission, scope) in &self.contacts {
            if matches!(scope, Scope::Teams | Scope::Assigned) {
                return Err(PermissionError::ContactScope {
                    permission: *permission,
                    scope: *scope,
                });
            }
        }
        Ok(())
    }

    /// The scope in which `actor` (with `roles` when an agent) holds
    /// `permission`, or `None`.
    #[must_use]
    pub fn scope_for_actor(
        &self,
        actor: &Actor,
        roles: &BTreeSet<Role>,
        permission: Permission,
    ) -> Option<Scope> {
        match actor {
            Actor::Agent(_) => self.scope_of(roles, permission),
            Actor::Contact(_) => self.contacts.get(&permission).copied(),
            Actor::Integration(name) => self.scope_of(self.integration_roles(name), permission),
            // The desk acts by the rules it runs; no command names it.
            _ => None,
        }
    }

    /// Whether some integration (named or not) may manage permissions.
    #[must_use]
    pub fn integrations_administer(&self) -> bool {
        // An integration no actor can be (an invalid name) administers
        // nothing.
        let named = self
            .integrations
            .iter()
            .filter(|(name, _)| Actor::Integration((*name).clone()).check().is_ok())
            .map(|(_, roles)| roles);
        std::iter::once(&self.integration_default)
            .chain(named)
            .any(|roles| {
                self.scope_of(roles, Permission::ManagePermissions)
                    .is_some()
            })
    }

    /// Whether any of the agents holds a role that may manage
    /// permissions.
    #[must_use]
    pub fn administered_by<'a>(
        &self,
        mut agents: impl Iterator<Item = &'a BTreeSet<Role>>,
    ) -> bool {
        agents.any(|roles| {
            self.scope_of(roles, Permission::ManagePermissions)
                .is_some()
        })
    }
}

/// Why an actor may not do something, or why a permission table was
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PermissionError {
    /// The actor lacks a permission the command needs.
    #[error("{actor} may not {permission}{}: {}", on_ticket(*.ticket), granted_by_text(.granted_by))]
    Denied {
        /// Who tried.
        actor: Actor,
        /// The permission they lack (or lack in the ticket's scope).
        permission: Permission,
        /// The ticket it was for, when the permission is scoped.
        ticket: Option<TicketId>,
        /// The roles that grant the permission.
        granted_by: Vec<Role>,
    },
    /// No role may manage permissions, or (when recorded) no active agent
    /// would hold one: nobody could change the table again.
    #[error(
        "the permission table leaves no one able to administer it (no active agent would hold manage_permissions)"
    )]
    NoAdministrator,
    /// An integration named by what no integration can be called (one
    /// word of 1 to 64 characters).
    #[error("{0:?} cannot name an integration: one word of 1 to 64 characters")]
    InvalidIntegration(String),
    /// An agent role granted a contact scope.
    #[error("role {role} is granted {permission} in scope {scope}, which only contacts have")]
    AgentScope {
        /// The role.
        role: Role,
        /// The permission.
        permission: Permission,
        /// The contact scope.
        scope: Scope,
    },
    /// Contacts granted an agent scope.
    #[error("contacts are granted {permission} in scope {scope}, which only agents have")]
    ContactScope {
        /// The permission.
        permission: Permission,
        /// The agent scope.
        scope: Scope,
    },
}

/// A change to the permission table, recorded on
/// [`StreamId::Permissions`](crate::event::StreamId::Permissions) with who
/// made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PermissionEvent {
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
    /// What changed.
    pub kind: PermissionEventKind,
}

/// What changed in the permission table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PermissionEventKind {
    /// The table was replaced.
    TableSet {
        /// The table from now on (boxed: it is large and rare).
        table: Box<PermissionTable>,
    },
}

/// The scope kept for a grant: the one given for ticket permissions,
/// [`Scope::All`] for the others (their scope means nothing).
fn stored_scope(permission: Permission, scope: Scope) -> Scope {
    if permission.is_scoped() {
        scope
    } else {
        Scope::All
    }
}

fn on_ticket(ticket: Option<TicketId>) -> String {
    ticket
        .map(|t| format!(" on ticket {t}"))
        .unwrap_or_default()
}

fn granted_by_text(roles: &[Role]) -> String {
    if roles.is_empty() {
        "no role grants it".to_owned()
    } else {
        let names: Vec<String> = roles.iter().map(ToString::to_string).collect();
        format!("granted by {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests;
