//! What happens in the day, story by story: each file scripts its
//! stories onto the day's agenda, and the run loop plays them in time
//! order. [`Stories`] keeps their ids and what happened to them.

mod background;
mod customers;
mod incident;
mod phone;
mod posts;
mod wave;

use std::collections::BTreeMap;

use fanatical::channel::ChannelKind;
use fanatical::id::{AgentId, IdGenerator, IncidentId, InvitationId, PostId, PraiseId, TicketId};

/// The NPS wave's name.
pub const WAVE: &str = "2026-11-02 relationship";
/// What a customer writes at 19:30.
pub const CRISIS_MESSAGE: &str = "My backups failed again and honestly I want to end my life";

/// The ids of the stories, and what happened to them as the day ran.
#[derive(Debug, Clone)]
pub struct Stories {
    /// The ten-dollar blog's 2 a.m. call.
    pub call_blog: TicketId,
    /// The VIP's 2 a.m. call.
    pub call_vip: TicketId,
    /// The 8:40 post on X, answered in three minutes.
    pub social_ok: TicketId,
    /// Sarah's praise for it.
    pub sarah_praise: PraiseId,
    /// The 15:00 post on X that waits twelve minutes.
    pub social_late: TicketId,
    /// The GIF conversation.
    pub gif: TicketId,
    /// The video onboarding.
    pub onboarding: TicketId,
    /// The DFW1 power loss.
    pub incident: IncidentId,
    /// A call cut off by the phone outage, answered on a fallback.
    pub dropped_call: TicketId,
    /// The 12:30 personal post.
    pub taco_post: PostId,
    /// The phone-outage announcement.
    pub outage_post: PostId,
    /// The Sea World post.
    pub sea_world: PostId,
    /// The self-harm message.
    pub crisis: TicketId,
    /// The NPS promoter's praise.
    pub promoter_praise: PraiseId,
    /// Tickets linked to the incident.
    pub incident_callers: Vec<TicketId>,
    /// What the first caller's agent saw in the incident briefing.
    pub briefing: String,
    /// Contacts who would have called and used another channel instead.
    pub moved_from_phone: BTreeMap<ChannelKind, usize>,
    /// The detractor's invitation.
    pub detractor: Option<InvitationId>,
    /// The promoter's invitation.
    pub promoter: Option<InvitationId>,
    /// Commands the desk refused on purpose during the day, with why.
    pub refusals: Vec<String>,
    /// Ana's queue at 14:00, next SLA breach first, as lines to show.
    pub queue: Vec<String>,
    /// The next deadlines of that queue's rows, in the order shown.
    pub queue_deadlines: Vec<Option<chrono::DateTime<chrono::Utc>>>,
    /// How the 2 a.m. calls were routed: (ticket, agent, why).
    pub routed: Vec<(TicketId, AgentId, String)>,
}

impl Stories {
    pub(crate) fn new(ids: &mut IdGenerator) -> Self {
        Stories {
            call_blog: ids.next_id(),
            call_vip: ids.next_id(),
            social_ok: ids.next_id(),
            sarah_praise: ids.next_id(),
            social_late: ids.next_id(),
            gif: ids.next_id(),
            onboarding: ids.next_id(),
            incident: ids.next_id(),
            dropped_call: ids.next_id(),
            taco_post: ids.next_id(),
            outage_post: ids.next_id(),
            sea_world: ids.next_id(),
            crisis: ids.next_id(),
            promoter_praise: ids.next_id(),
            incident_callers: Vec::new(),
            briefing: String::new(),
            moved_from_phone: BTreeMap::new(),
            detractor: None,
            promoter: None,
            refusals: Vec::new(),
            queue: Vec::new(),
            queue_deadlines: Vec::new(),
            routed: Vec::new(),
        }
    }
}
