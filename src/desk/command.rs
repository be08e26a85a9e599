use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::agent::{AgentCommand, Role, Skill, TeamCommand};
use crate::channel::{Channel, ChannelAddress};
use crate::customer::CustomerCommand;
use crate::id::{AgentId, CustomerId, MessageId, TeamId, TicketId};
use crate::ticket::{Attachment, Author, LinkKind, OpenTicket, Status, Tag, TicketCommand};

/// A message that arrived on a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InboundMessage {
    /// The id for a new ticket, used when the message does not continue
    /// an open ticket.
    pub new_ticket: TicketId,
    /// The ticket the message answers (an email thread, a chat session),
    /// if known. A message answering a closed ticket opens a follow-up.
    pub in_reply_to: Option<TicketId>,
    /// The channel it came by.
    pub channel: Channel,
    /// The sender's address; it must belong to a known contact.
    pub from: ChannelAddress,
    /// A subject, if the channel has one.
    pub subject: Option<String>,
    /// The text.
    pub body: String,
    /// Files.
    pub attachments: Vec<Attachment>,
}

impl InboundMessage {
    /// A message with no subject, no attachments, and no thread.
    #[must_use]
    pub fn new(new_ticket: TicketId, channel: Channel, from: ChannelAddress, body: &str) -> Self {
        InboundMessage {
            new_ticket,
            in_reply_to: None,
            channel,
            from,
            subject: None,
            body: body.to_owned(),
            attachments: Vec::new(),
        }
    }
    /// Continues a ticket.
    #[must_use]
    pub fn in_reply_to(mut self, ticket: TicketId) -> Self {
        self.in_reply_to = Some(ticket);
        self
    }
    /// Sets the subject.
    #[must_use]
    pub fn with_subject(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_owned());
        self
    }
    /// Adds a file.
    #[must_use]
    pub fn with_attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }
}

/// Everything the desk can be asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Command {
    /// Create a customer account.
    RegisterCustomer {
        /// Caller-chosen id.
        id: CustomerId,
        /// Organisation name.
        organisation: String,
    },
    /// Change a customer (contacts, consent, profile, standing...).
    UpdateCustomer {
        /// The customer.
        customer: CustomerId,
        /// The change.
        command: CustomerCommand,
    },
    /// Add an employee.
    RegisterAgent {
        /// Caller-chosen id.
        id: AgentId,
        /// Name.
        name: String,
        /// Home time zone.
        time_zone: Tz,
        /// Roles.
        roles: Vec<Role>,
        /// Skills.
        skills: Vec<Skill>,
    },
    /// Change an employee.
    UpdateAgent {
        /// The agent.
        agent: AgentId,
        /// The change.
        command: AgentCommand,
    },
    /// Form a team.
    CreateTeam {
        /// Caller-chosen id.
        id: TeamId,
        /// Name.
        name: String,
    },
    /// Change a team.
    UpdateTeam {
        /// The team.
        team: TeamId,
        /// The change.
        command: TeamCommand,
    },
    /// Open a ticket from the customer record.
    OpenTicket(OpenTicket),
    /// A message arrived on a channel: continue its ticket or open one.
    ReceiveMessage(InboundMessage),
    /// An agent's public reply on the ticket's own channel, delivered to
    /// the requester there.
    Reply {
        /// The ticket.
        ticket: TicketId,
        /// The agent.
        agent: AgentId,
        /// The text.
        body: String,
        /// Files.
        attachments: Vec<Attachment>,
    },
    /// Change a ticket (reply, note, status, priority, assignee, tags...).
    UpdateTicket {
        /// The ticket.
        ticket: TicketId,
        /// The change.
        command: TicketCommand,
    },
    /// An agent promises the customer an update by `due`: recorded as an
    /// internal note and an SLA timer kept by the next public reply.
    Promise {
        /// The ticket.
        ticket: TicketId,
        /// The agent promising.
        agent: AgentId,
        /// When the update is due.
        due: chrono::DateTime<chrono::Utc>,
        /// What was promised.
        note: String,
    },
    /// Escalate: hand the ticket to a department (the conversation and
    /// notes go with it; an internal note records why and what context
    /// travels) and notify the people there. Build it from a graph with
    /// `Desk::escalation` and `Desk::escalate_command`.
    Escalate {
        /// The ticket.
        ticket: TicketId,
        /// Who escalates.
        by: AgentId,
        /// The department taking it.
        department: String,
        /// Why.
        reason: String,
        /// What must travel with it.
        context: Vec<String>,
        /// Who to notify.
        notify: Vec<AgentId>,
    },
    /// Invite a customer's survey contact to a survey (CSAT after a solved
    /// ticket, an incident follow-up, a one-off NPS). Refused inside the
    /// contact's quiet period, whatever kind of survey they last had.
    SendSurvey {
        /// The caller-chosen invitation id.
        invitation: crate::id::InvitationId,
        /// Which survey.
        survey: String,
        /// What for.
        kind: crate::survey::SurveyKind,
        /// The customer.
        customer: CustomerId,
        /// The ticket it follows, if any.
        ticket: Option<TicketId>,
        /// The agent it rates, if any.
        agent: Option<AgentId>,
    },
    /// Run an NPS wave: sample `share_percent` of customers with a survey
    /// contact, deterministically from `seed`, skipping anyone in a quiet
    /// period or in `exclude` (customers in an active incident).
    RunWave {
        /// The wave's name ("2026-Q4").
        wave: String,
        /// Which survey.
        survey: String,
        /// Share of customers, 1 to 100.
        share_percent: u8,
        /// The seed.
        seed: u64,
        /// Customers not to survey now.
        exclude: Vec<CustomerId>,
    },
    /// A survey answer arrived.
    AnswerSurvey {
        /// The invitation.
        invitation: crate::id::InvitationId,
        /// The answers.
        response: crate::survey::Response,
    },
    /// Praise arrived (a social mention, a survey comment, a ticket reply,
    /// a phone note): attribute it and send kudos up the chain.
    RecordPraise {
        /// The caller-chosen id.
        praise: crate::id::PraiseId,
        /// Where from.
        source: crate::recognition::PraiseSource,
        /// The words.
        text: String,
        /// The customer, if known.
        customer: Option<CustomerId>,
        /// The ticket it names, if any.
        ticket: Option<TicketId>,
    },
    /// The top of the chain acknowledges praise personally.
    AcknowledgePraise {
        /// Which.
        praise: crate::id::PraiseId,
        /// Who.
        by: AgentId,
    },
    /// One agent recognises another.
    RecognisePeer {
        /// From.
        from: AgentId,
        /// To.
        to: AgentId,
        /// Why.
        note: String,
    },
    /// Name the recognition committee (who may issue certificates).
    NameCommittee {
        /// Its members.
        members: Vec<AgentId>,
    },
    /// Issue a certificate ("Certificate of Awesomeness" by default).
    IssueCertificate {
        /// To whom.
        agent: AgentId,
        /// By whom.
        by: AgentId,
        /// Title (blank for the default).
        title: String,
    },
    /// Record a mistake against an agent; the same kind again within the
    /// coaching window flags it to their lead.
    RecordMistake {
        /// Whose.
        agent: AgentId,
        /// What kind.
        kind: crate::coaching::MistakeKind,
        /// On which ticket, if any.
        ticket: Option<TicketId>,
        /// What happened.
        note: String,
        /// Who records it.
        by: AgentId,
    },
    /// A channel went down (the phone system did): contacts are offered its
    /// fallbacks, and replies meant for it go out on them.
    MarkChannelDown {
        /// Which.
        channel: crate::channel::ChannelKind,
        /// Why.
        reason: String,
    },
    /// A channel is back.
    MarkChannelUp {
        /// Which.
        channel: crate::channel::ChannelKind,
    },
    /// Flag a ticket as a crisis (from your own classifier): straight to a
    /// safety responder, details restricted.
    FlagCrisis {
        /// The ticket.
        ticket: TicketId,
        /// Why.
        signal: crate::crisis::CrisisSignal,
    },
    /// Submit a post from an official account: it goes out if it passes
    /// every review rule, and is held with the rules that held it if not.
    SubmitPost {
        /// The caller-chosen id.
        post: crate::id::PostId,
        /// The network.
        network: crate::channel::SocialNetwork,
        /// The official handle.
        handle: String,
        /// Who wrote it.
        author: AgentId,
        /// The text.
        text: String,
    },
    /// Approve a held post (a second person where a rule demands it).
    ApprovePost {
        /// Which.
        post: crate::id::PostId,
        /// Who approves.
        by: AgentId,
    },
    /// Reject a held post.
    RejectPost {
        /// Which.
        post: crate::id::PostId,
        /// Who rejects.
        by: AgentId,
        /// Why.
        reason: String,
    },
    /// Declare a major incident against components: the customers
    /// running on them are affected, and each of their contacts gets the
    /// first update on their own channel.
    DeclareIncident {
        /// The caller-chosen id.
        incident: crate::id::IncidentId,
        /// A headline.
        title: String,
        /// Who runs it (warned before an update is missed).
        commander: AgentId,
        /// Its status (not resolved).
        status: crate::incident::IncidentStatus,
        /// The components and their states.
        components:
            std::collections::BTreeMap<crate::id::ComponentId, crate::incident::ComponentState>,
        /// How often it must be updated.
        cadence: Option<crate::incident::Cadence>,
        /// The first update's text for each audience.
        messages: crate::incident::Messages,
    },
    /// Post an incident update (resolving it with status resolved).
    UpdateIncident {
        /// The incident.
        incident: crate::id::IncidentId,
        /// Who writes it.
        by: AgentId,
        /// The status after it.
        status: crate::incident::IncidentStatus,
        /// Component states that change.
        components:
            std::collections::BTreeMap<crate::id::ComponentId, crate::incident::ComponentState>,
        /// The text for each audience (may be empty for a silent change).
        messages: crate::incident::Messages,
        /// On resolution: solve every linked ticket with this final
        /// message.
        solve_linked: Option<String>,
    },
    /// Link tickets to an incident (Zendesk's incidents of a problem).
    LinkToIncident {
        /// The incident.
        incident: crate::id::IncidentId,
        /// The tickets.
        tickets: Vec<TicketId>,
    },
    /// Issue the credits a resolved incident's customers are due (see
    /// `Desk::credits_due`); each customer is credited once.
    IssueCredits {
        /// The incident.
        incident: crate::id::IncidentId,
    },
    /// Link two tickets.
    LinkTickets {
        /// The ticket that links.
        ticket: TicketId,
        /// How.
        link: LinkKind,
        /// The ticket linked to.
        other: TicketId,
    },
    /// Merge `source` into `target`.
    MergeTickets {
        /// Merged away and closed.
        source: TicketId,
        /// Survives with both conversations.
        target: TicketId,
        /// Who merged.
        by: AgentId,
    },
    /// The transport delivered a message.
    MarkDelivered {
        /// The message.
        message: MessageId,
    },
    /// The transport failed to deliver a message.
    MarkFailed {
        /// The message.
        message: MessageId,
        /// What the transport said.
        reason: String,
    },
}

impl Command {
    /// An agent's public reply on the ticket's own channel.
    #[must_use]
    pub fn reply(ticket: TicketId, agent: AgentId, body: &str) -> Self {
        Command::Reply {
            ticket,
            agent,
            body: body.to_owned(),
            attachments: Vec::new(),
        }
    }

    /// A public reply on a given channel, by anyone, with files.
    #[must_use]
    pub fn reply_on(
        ticket: TicketId,
        author: Author,
        channel: Channel,
        body: &str,
        attachments: Vec<Attachment>,
    ) -> Self {
        Command::UpdateTicket {
            ticket,
            command: TicketCommand::Reply {
                author,
                channel,
                body: body.to_owned(),
                attachments,
            },
        }
    }

    /// An internal note.
    #[must_use]
    pub fn note(ticket: TicketId, agent: AgentId, body: &str) -> Self {
        Command::UpdateTicket {
            ticket,
            command: TicketCommand::Note {
                agent,
                body: body.to_owned(),
                attachments: Vec::new(),
            },
        }
    }

    /// A status change.
    #[must_use]
    pub fn set_status(ticket: TicketId, status: Status) -> Self {
        Command::UpdateTicket {
            ticket,
            command: TicketCommand::SetStatus(status),
        }
    }

    /// Assign a ticket to an agent.
    #[must_use]
    pub fn assign(ticket: TicketId, agent: AgentId) -> Self {
        Command::UpdateTicket {
            ticket,
            command: TicketCommand::Assign(Some(agent)),
        }
    }

    /// Tag a ticket.
    #[must_use]
    pub fn tag(ticket: TicketId, tag: Tag) -> Self {
        Command::UpdateTicket {
            ticket,
            command: TicketCommand::AddTag(tag),
        }
    }
}
