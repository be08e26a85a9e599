use super::*;
use crate::agent::RoleName;
use uuid::Uuid;

fn agent(n: u128) -> AgentId {
    AgentId::from_uuid(Uuid::from_u128(n))
}
fn team(n: u128) -> TeamId {
    TeamId::from_uuid(Uuid::from_u128(100 + n))
}
fn customer(n: u128) -> CustomerId {
    CustomerId::from_uuid(Uuid::from_u128(200 + n))
}
fn contact(n: u128) -> ContactId {
    ContactId::from_uuid(Uuid::from_u128(300 + n))
}

#[test]
fn defaults_validate_and_every_permission_has_a_role() {
    let t = PermissionTable::defaults();
    t.validate().unwrap();
    assert!(t.is_default());
    for p in Permission::ALL {
        assert!(!t.roles_granting(p).is_empty(), "{p} is granted by no role");
    }
    // The admin may not see spend or crisis details by default.
    let admin = [&Role::Admin];
    assert!(t.scope_of(admin, Permission::ViewSpend).is_none());
    assert!(t.scope_of(admin, Permission::ViewCrisisDetails).is_none());
    assert!(t.scope_of(admin, Permission::ManagePermissions).is_some());
    // A light agent never writes to customers.
    assert!(
        t.scope_of([&Role::LightAgent], Permission::ReplyPublicly)
            .is_none()
    );
}

#[test]
fn names_are_serde_names() {
    for p in Permission::ALL {
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, format!("\"{}\"", p.name()));
    }
    let mut all = Permission::ALL.to_vec();
    all.dedup();
    assert_eq!(all.len(), Permission::ALL.len());
}

#[test]
fn a_table_nobody_administers_is_refused() {
    let t = PermissionTable::defaults().revoke(&Role::Admin, Permission::ManagePermissions);
    assert_eq!(t.validate(), Err(PermissionError::NoAdministrator));
    assert_eq!(
        PermissionTable::empty().validate(),
        Err(PermissionError::NoAdministrator)
    );
}

#[test]
fn scopes_for_the_wrong_kind_of_actor_are_refused() {
    let t =
        PermissionTable::defaults().grant(Role::Agent, Permission::ViewTickets, Scope::Requested);
    assert!(matches!(
        t.validate(),
        Err(PermissionError::AgentScope { .. })
    ));
    let t = PermissionTable::defaults().grant_contacts(Permission::ReplyPublicly, Scope::Teams);
    assert!(matches!(
        t.validate(),
        Err(PermissionError::ContactScope { .. })
    ));
}

#[test]
fn the_widest_scope_of_several_roles_wins() {
    let tier2 = Role::Custom(RoleName::new("tier 2").unwrap());
    let t = PermissionTable::empty()
        .grant(Role::Agent, Permission::ViewTickets, Scope::Assigned)
        .grant(tier2.clone(), Permission::ViewTickets, Scope::Teams);
    assert_eq!(
        t.scope_of([&Role::Agent, &tier2], Permission::ViewTickets),
        Some(Scope::Teams)
    );
    assert_eq!(
        t.scope_of([&tier2, &Role::Agent], Permission::ViewTickets),
        Some(Scope::Teams)
    );
    // Permissions that are not about tickets are stored as all.
    let t = t.grant(tier2.clone(), Permission::ViewSpend, Scope::Assigned);
    assert_eq!(
        t.scope_of([&tier2], Permission::ViewSpend),
        Some(Scope::All)
    );
}

#[test]
fn scopes_admit_what_they_say() {
    let me = agent(1);
    let teams: BTreeSet<TeamId> = [team(1)].into_iter().collect();
    let who = Subject::Agent {
        id: me,
        teams: &teams,
    };
    let mine = TicketFacts::new(customer(1), None, Some(me), None);
    let my_team = TicketFacts::new(customer(1), None, Some(agent(2)), Some(team(1)));
    let other = TicketFacts::new(customer(1), None, Some(agent(2)), Some(team(2)));
    let new_work = TicketFacts::new(customer(1), None, None, None);
    assert!(Scope::Assigned.admits(&who, &mine));
    assert!(!Scope::Assigned.admits(&who, &my_team));
    assert!(Scope::Teams.admits(&who, &my_team));
    assert!(!Scope::Teams.admits(&who, &new_work));
    assert!(!Scope::Teams.admits(&who, &other));
    assert!(Scope::All.admits(&who, &other));
    // Contact scopes admit nothing for an agent, and the other way round.
    assert!(!Scope::Organisation.admits(&who, &mine));
    let jane = Subject::Contact {
        id: contact(1),
        customer: customer(1),
    };
    let hers = TicketFacts::new(customer(1), Some(contact(1)), None, None);
    let colleague = TicketFacts::new(customer(1), Some(contact(2)), None, None);
    let stranger = TicketFacts::new(customer(2), Some(contact(3)), None, None);
    assert!(Scope::Requested.admits(&jane, &hers));
    assert!(!Scope::Requested.admits(&jane, &colleague));
    assert!(Scope::Organisation.admits(&jane, &colleague));
    assert!(!Scope::Organisation.admits(&jane, &stranger));
    assert!(!Scope::Teams.admits(&jane, &hers));
    assert!(!Scope::Requested.admits(&Subject::Integration, &hers));
}

#[test]
fn covers_is_a_partial_order_matching_admits() {
    let all = [
        Scope::Assigned,
        Scope::Teams,
        Scope::Requested,
        Scope::Organisation,
        Scope::All,
    ];
    for a in all {
        assert!(a.covers(a));
        assert!(Scope::All.covers(a));
        for b in all {
            if a.covers(b) && b.covers(a) {
                assert_eq!(a, b);
            }
        }
    }
    assert!(Scope::Teams.covers(Scope::Assigned));
    assert!(!Scope::Assigned.covers(Scope::Teams));
    assert!(!Scope::Teams.covers(Scope::Organisation));
}

#[test]
fn integrations_hold_their_named_roles() {
    let t = PermissionTable::defaults().with_integration("mail", [Role::LightAgent]);
    let mail = Actor::integration("mail");
    let crm = Actor::integration("crm");
    let none = BTreeSet::new();
    assert!(
        t.scope_for_actor(&mail, &none, Permission::ManageCustomers)
            .is_none()
    );
    assert!(
        t.scope_for_actor(&crm, &none, Permission::ManageCustomers)
            .is_some()
    );
    assert!(t.integrations_administer());
    let locked = t.with_integration_default([]);
    assert!(!locked.integrations_administer());
}

#[test]
fn a_refusal_names_the_actor_the_permission_and_the_roles() {
    let e = PermissionError::Denied {
        actor: Actor::Agent(agent(1)),
        permission: Permission::ViewSpend,
        ticket: None,
        granted_by: vec![Role::Billing, Role::Executive],
    };
    let text = e.to_string();
    assert!(text.contains(&agent(1).to_string()), "{text}");
    assert!(text.contains("view_spend"), "{text}");
    assert!(text.contains("billing, executive"), "{text}");
}

#[test]
fn tables_round_trip_through_serde() {
    let tier2 = Role::Custom(RoleName::new("tier 2").unwrap());
    let t = PermissionTable::defaults()
        .grant(tier2, Permission::ViewTickets, Scope::Teams)
        .with_integration("mail", [Role::Agent]);
    let json = serde_json::to_string(&t).unwrap();
    let back: PermissionTable = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
}
