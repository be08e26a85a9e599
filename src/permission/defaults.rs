//! The default permission table.

use super::{Grants, Permission, PermissionTable, Scope};
use crate::agent::Role;

use Permission as P;

/// Ticket work every agent-like role does, on every ticket.
const AGENT_WORK: [Permission; 10] = [
    P::ViewTickets,
    P::OpenTickets,
    P::ReplyPublicly,
    P::AddInternalNotes,
    P::EditTickets,
    P::AssignTickets,
    P::MergeTickets,
    P::EscalateTickets,
    P::FlagCrisis,
    P::RequestRefunds,
];

/// What an agent does besides tickets.
const AGENT_MORE: [Permission; 5] = [
    P::ManageCustomers,
    P::SubmitPosts,
    P::RecordPraise,
    P::ManageIncidents,
    P::RunSurveys,
];

/// The permissions only money, spend and crisis roles hold.
const RESTRICTED: [Permission; 5] = [
    P::ViewSpend,
    P::ManageAccounts,
    P::ApproveRefunds,
    P::IssueCredits,
    P::ViewCrisisDetails,
];

fn all(perms: &[Permission]) -> Grants {
    perms.iter().map(|p| (*p, Scope::All)).collect()
}

fn with(mut grants: Grants, perms: &[Permission]) -> Grants {
    grants.extend(perms.iter().map(|p| (*p, Scope::All)));
    grants
}

impl PermissionTable {
    /// The defaults, every scope [`Scope::All`] (Zendesk's default agent
    /// sees every ticket; narrow them with [`PermissionTable::grant`]):
    ///
    /// | role | permissions |
    /// |---|---|
    /// | agent | ticket work (view, open, reply, note, edit, assign, merge, escalate, flag a crisis, request refunds); manage customers; submit posts; record praise; manage incidents; run surveys |
    /// | light agent | view tickets, add internal notes, flag a crisis, record praise |
    /// | team lead | an agent's, and approve posts, record mistakes, name the awards committee |
    /// | manager | a team lead's, and manage people |
    /// | admin | everything except spend, accounts, refund approval, credits and crisis details |
    /// | account manager | ticket work; manage customers; view spend; manage accounts; approve refunds; issue credits |
    /// | billing | ticket work; approve refunds; view spend; manage accounts; issue credits |
    /// | executive | ticket work; view spend; manage accounts; approve refunds; issue credits; manage incidents; approve posts; record praise; name the awards committee |
    /// | safety responder | an agent's ticket work and crisis details |
    ///
    /// Contacts may view, open and reply on their organisation's tickets,
    /// answer surveys and record praise. Integrations hold admin and
    /// billing (a CRM import, a billing system, a mail gateway and a
    /// delivery worker are trusted code); name one with
    /// [`PermissionTable::with_integration`] to hold less.
    #[must_use]
    pub fn defaults() -> Self {
        let agent = with(all(&AGENT_WORK), &AGENT_MORE);
        let team_lead = with(
            agent.clone(),
            &[P::ApprovePosts, P::RecordMistakes, P::ManageAwards],
        );
        let manager = with(team_lead.clone(), &[P::ManagePeople]);
        let admin: Grants = Permission::ALL
            .iter()
            .filter(|p| !RESTRICTED.contains(p))
            .map(|p| (*p, Scope::All))
            .collect();
        // Everyone on a Fanatical desk works tickets: the roles below add
        // to the ticket work, they do not replace it.
        let account_manager = with(
            all(&AGENT_WORK),
            &[
                P::ManageCustomers,
                P::ViewSpend,
                P::ManageAccounts,
                P::ApproveRefunds,
                P::IssueCredits,
            ],
        );
        let billing = with(
            all(&AGENT_WORK),
            &[
                P::ApproveRefunds,
                P::ViewSpend,
                P::ManageAccounts,
                P::IssueCredits,
            ],
        );
        let executive = with(
            all(&AGENT_WORK),
            &[
                P::ViewSpend,
                P::ManageAccounts,
                P::ApproveRefunds,
                P::IssueCredits,
                P::ManageIncidents,
                P::ApprovePosts,
                P::RecordPraise,
                P::ManageAwards,
            ],
        );
        let safety = with(all(&AGENT_WORK), &[P::ViewCrisisDetails]);
        let light = all(&[
            P::ViewTickets,
            P::AddInternalNotes,
            P::FlagCrisis,
            P::RecordPraise,
        ]);
        let mut table = PermissionTable::empty();
        for (role, grants) in [
            (Role::Agent, agent),
            (Role::LightAgent, light),
            (Role::TeamLead, team_lead),
            (Role::Manager, manager),
            (Role::Admin, admin),
            (Role::AccountManager, account_manager),
            (Role::Billing, billing),
            (Role::Executive, executive),
            (Role::SafetyResponder, safety),
        ] {
            table.roles.insert(role, grants);
        }
        table.contacts = [
            (P::ViewTickets, Scope::Organisation),
            (P::OpenTickets, Scope::Organisation),
            (P::ReplyPublicly, Scope::Organisation),
            (P::AnswerSurveys, Scope::All),
            (P::RecordPraise, Scope::All),
        ]
        .into_iter()
        .collect();
        table.integration_default = [Role::Admin, Role::Billing].into_iter().collect();
        table
    }
}
