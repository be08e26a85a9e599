//! The desk the doc examples start from, so each example shows only its
//! point. Hidden from the docs; not part of the API.

use chrono::{DateTime, TimeZone, Utc};

use super::{
    Command, CustomerAction, Desk, DeskConfig, InboundMessage, PeopleAction, TicketAction,
};
use crate::actor::Actor;
use crate::agent::Role;
use crate::channel::{Channel, ChannelAddress};
use crate::customer::CustomerCommand;
use crate::error::Error;
use crate::id::{AgentId, ContactId, CustomerId, IdGenerator, TicketId};
use crate::store::MemoryStore;

/// Acme, whose contact Jane emailed "Site down" at 09:00 on 2 November
/// 2026; Ana, an agent in Chicago, has not answered yet.
#[derive(Debug)]
pub struct Fixture {
    /// The desk.
    pub desk: Desk,
    /// Its store.
    pub store: MemoryStore,
    /// The ids it was built from (seed 1), for more.
    pub ids: IdGenerator,
    /// 09:00 UTC, 2 November 2026.
    pub now: DateTime<Utc>,
    /// Acme.
    pub acme: CustomerId,
    /// Jane, Acme's contact.
    pub jane: ContactId,
    /// Ana, an agent.
    pub ana: AgentId,
    /// Jane's ticket.
    pub ticket: TicketId,
    /// Jane's email address.
    pub email: ChannelAddress,
}

/// The fixture.
///
/// # Errors
/// None in practice: the same commands always succeed.
pub fn fixture() -> Result<Fixture, Error> {
    fixture_with(DeskConfig::default())
}

/// The fixture on a desk with `config`.
///
/// # Errors
/// None in practice with a configuration that accepts the fixture's
/// commands.
pub fn fixture_with(config: DeskConfig) -> Result<Fixture, Error> {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 2, 9, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    let mut desk = Desk::new(config);
    let (acme, jane, ana, ticket) = (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    let email = ChannelAddress::email("jane@acme.example")?;
    let setup = Actor::integration("setup");
    for cmd in [
        Command::new(
            setup.clone(),
            CustomerAction::Register {
                id: acme,
                organisation: "Acme".into(),
            },
        ),
        Command::new(
            setup.clone(),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddContact {
                    contact: jane,
                    name: "Jane".into(),
                    addresses: vec![email.clone()],
                },
            },
        ),
        Command::new(
            setup,
            PeopleAction::RegisterAgent {
                id: ana,
                name: "Ana".into(),
                time_zone: chrono_tz::America::Chicago,
                roles: vec![Role::Agent],
                skills: vec![],
            },
        ),
        Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(
                ticket,
                Channel::Email,
                email.clone(),
                "Site down",
            )),
        ),
    ] {
        desk.execute(&mut store, cmd, now)?;
    }
    Ok(Fixture {
        desk,
        store,
        ids,
        now,
        acme,
        jane,
        ana,
        ticket,
        email,
    })
}
