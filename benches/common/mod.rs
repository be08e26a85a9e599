//! Fixtures shared by the benches.

use chrono::{DateTime, Utc};
use fanatical::actor::Actor;
use fanatical::channel::ChannelAddress;
use fanatical::customer::CustomerCommand;
use fanatical::desk::CustomerAction;
use fanatical::desk::{Command, Desk};
use fanatical::id::{CustomerId, IdGenerator};
use fanatical::store::Store;

/// Registers `n` customers, each with one contact whose email is
/// `c{i}@example.com`; returns the addresses in order.
pub fn register_customers<S: Store>(
    desk: &mut Desk,
    store: &mut S,
    ids: &mut IdGenerator,
    n: usize,
    now: DateTime<Utc>,
) -> Vec<ChannelAddress> {
    (0..n)
        .map(|i| {
            let (c, p): (CustomerId, _) = (ids.next_id(), ids.next_id());
            let email = ChannelAddress::email(format!("c{i}@example.com")).unwrap();
            desk.execute(
                store,
                Command::new(
                    Actor::integration("setup"),
                    CustomerAction::Register {
                        id: c,
                        organisation: format!("Customer {i}"),
                    },
                ),
                now,
            )
            .unwrap();
            desk.execute(
                store,
                Command::new(
                    Actor::integration("setup"),
                    CustomerAction::Update {
                        customer: c,
                        command: CustomerCommand::AddContact {
                            contact: p,
                            name: format!("Contact {i}"),
                            addresses: vec![email.clone()],
                        },
                    },
                ),
                now,
            )
            .unwrap();
            email
        })
        .collect()
}
