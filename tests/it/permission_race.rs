//! Two desks on one store, each on its own handle, remove one of the last
//! two administrators each at the same instant (issue 18, item 1): the
//! second append conflicts, and its retry (catch up, decide again) is
//! refused with `NoAdministrator`, so one administrator is left. Shared
//! by path with the SQLite and PostgreSQL store crates' tests, so a real
//! database is held to the same race as the in-memory store.

use fanatical::actor::Actor;
use fanatical::agent::{AgentCommand, Role};
use fanatical::desk::{Command, Desk, DeskConfig, PeopleAction};
use fanatical::id::AgentId;
use fanatical::permission::{Permission, PermissionError, PermissionTable};
use fanatical::store::Store;

use crate::support::World;

fn setup(action: PeopleAction) -> Command {
    Command::new(Actor::integration("setup"), action)
}

fn deactivate(agent: AgentId) -> Command {
    Command::new(
        Actor::integration("hr"),
        PeopleAction::UpdateAgent {
            agent,
            command: AgentCommand::Deactivate,
        },
    )
}

fn administrators(desk: &Desk) -> Vec<AgentId> {
    desk.people()
        .agents()
        .filter(|a| a.is_active())
        .filter(|a| {
            desk.permissions()
                .scope_of(a.roles(), Permission::ManagePermissions)
                .is_some()
        })
        .map(fanatical::agent::Agent::id)
        .collect()
}

/// Runs the race on two handles `open` gives on one empty store.
pub fn the_last_two_administrators_race<S: Store>(mut open: impl FnMut() -> S) {
    let mut w = World::new();
    let mut admins = Vec::new();
    for name in ["Root", "Second"] {
        let id: AgentId = w.ids.next_id();
        w.run(setup(PeopleAction::RegisterAgent {
            id,
            name: name.into(),
            time_zone: fanatical::chrono_tz::UTC,
            roles: vec![Role::Admin],
            skills: vec![],
        }))
        .unwrap();
        admins.push(id);
    }
    // Integrations manage people (and may deactivate anyone), not
    // permissions.
    let table = PermissionTable::defaults().with_integration_default([Role::Manager]);
    w.run(setup(PeopleAction::SetPermissions {
        table: Box::new(table),
    }))
    .unwrap();
    let (mut a, mut b) = (open(), open());
    w.copy_into(&mut a);
    let config = DeskConfig::default();
    let mut one = Desk::rebuild(&a, config.clone()).unwrap();
    let mut two = Desk::rebuild(&b, config.clone()).unwrap();
    let (root, second) = (admins[0], admins[1]);
    let d1 = one.decide(deactivate(root), w.now).unwrap();
    let d2 = two.decide(deactivate(second), w.now).unwrap();
    one.commit(&mut a, &d1).unwrap();
    let err = two.commit(&mut b, &d2).unwrap_err();
    assert_eq!(err.kind(), fanatical::error::ErrorKind::Conflict, "{err:?}");
    two.catch_up(&b).unwrap();
    assert_eq!(
        two.execute(&mut b, deactivate(second), w.now),
        Err(PermissionError::NoAdministrator.into())
    );
    let rebuilt = Desk::rebuild(&a, config).unwrap();
    assert_eq!(administrators(&rebuilt), vec![second]);
    assert_eq!(rebuilt, two);
}

#[test]
fn the_last_two_administrators_race_on_one_shared_memory_store() {
    let shared = fanatical::store::SharedStore::new(fanatical::store::MemoryStore::new());
    the_last_two_administrators_race(|| shared.clone());
}
