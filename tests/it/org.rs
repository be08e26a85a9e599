//! The organisation: reporting lines validated like a graph, management
//! chains up to the CEO, teams, and the desk refusing reporting cycles.

use fanatical::actor::Actor;
use fanatical::agent::{AgentCommand, AgentError, Role};
use fanatical::desk::PeopleAction;
use fanatical::desk::{Command, DeskError};
use fanatical::id::{AgentId, TeamId};
use fanatical::org::{OrgError, OrgProblem, Organisation};

fn id(n: u128) -> AgentId {
    AgentId::from_uuid(uuid::Uuid::from_u128(n))
}

#[test]
fn chains_go_up_to_the_ceo_and_agents_can_be_in_several_teams() {
    let (ceo, vp, lead, ana, kofi) = (id(1), id(2), id(3), id(4), id(5));
    let (social, nights) = (
        TeamId::from_uuid(uuid::Uuid::from_u128(10)),
        TeamId::from_uuid(uuid::Uuid::from_u128(11)),
    );
    let org = Organisation::builder()
        .person(ceo, "CEO")
        .person(vp, "VP")
        .reports_to(vp, ceo)
        .person(lead, "Lead")
        .reports_to(lead, vp)
        .person(ana, "Ana")
        .reports_to(ana, lead)
        .person(kofi, "Kofi")
        .reports_to(kofi, lead)
        .team(social, "Social", Some(lead), [lead, ana])
        .team(nights, "Nights", None, [ana, kofi])
        .build()
        .unwrap();
    assert_eq!(org.management_chain(ana).unwrap(), vec![lead, vp, ceo]);
    assert_eq!(org.management_chain(ceo).unwrap(), Vec::<AgentId>::new());
    assert_eq!(org.direct_reports(lead), vec![ana, kofi]);
    let teams: Vec<&str> = org.teams_of(ana).map(|t| t.name.as_str()).collect();
    assert_eq!(teams, vec!["Social", "Nights"]);
    assert_eq!(
        org.management_chain(id(99)),
        Err(OrgError::UnknownAgent(id(99)))
    );
    let dot = org.to_dot();
    assert!(dot.contains(&format!("\"{lead}\" -> \"{ana}\";")));
    assert!(dot.contains("Ana\\nSocial, Nights"), "{dot}");
}

#[test]
fn every_problem_is_reported() {
    let (a, b, c, d, ghost) = (id(1), id(2), id(3), id(4), id(99));
    let err = Organisation::builder()
        .person(a, "A")
        .person(b, "B")
        .reports_to(b, c)
        .person(c, "C")
        .reports_to(c, b)
        .person(d, "D")
        .reports_to(d, ghost)
        .team(
            TeamId::from_uuid(uuid::Uuid::from_u128(7)),
            "T",
            Some(a),
            [b],
        )
        .build()
        .unwrap_err();
    // All three problems at once, not only the first found.
    assert_eq!(
        err.problems(),
        &[
            OrgProblem::UnknownPerson { agent: ghost },
            OrgProblem::LeadNotMember {
                team: TeamId::from_uuid(uuid::Uuid::from_u128(7)),
                agent: a
            },
            OrgProblem::Cycle { agents: vec![b, c] },
        ]
    );
    let two = Organisation::builder()
        .person(a, "A")
        .person(b, "B")
        .build()
        .unwrap_err();
    assert_eq!(
        two.problems(),
        &[OrgProblem::MultipleRoots { roots: vec![a, b] }]
    );
    let circle = Organisation::builder()
        .person(a, "A")
        .reports_to(a, b)
        .person(b, "B")
        .reports_to(b, a)
        .build()
        .unwrap_err();
    assert_eq!(
        circle.problems(),
        &[OrgProblem::NoRoot, OrgProblem::Cycle { agents: vec![a, b] }]
    );
    let me = Organisation::builder()
        .person(a, "A")
        .reports_to(a, a)
        .build()
        .unwrap_err();
    assert_eq!(
        me.problems(),
        &[OrgProblem::SelfReport { agent: a }, OrgProblem::NoRoot]
    );
    assert_eq!(
        Organisation::builder().build().unwrap_err().problems(),
        &[OrgProblem::Empty]
    );
}

#[test]
fn the_desk_keeps_reporting_lines_a_tree() {
    let mut w = crate::support::World::new();
    let (ana, bill) = (w.ana, w.bill);
    let ceo: AgentId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id: ceo,
            name: "Graham".into(),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![Role::Executive],
            skills: vec![],
        },
    ))
    .unwrap();
    for (agent, manager) in [(bill, ceo), (ana, bill)] {
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateAgent {
                agent,
                command: AgentCommand::ReportTo(Some(manager)),
            },
        ))
        .unwrap();
    }
    w.refused(
        Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateAgent {
                agent: ceo,
                command: AgentCommand::ReportTo(Some(ana)),
            },
        ),
        DeskError::ReportingCycle {
            agent: ceo,
            manager: ana,
        },
    );
    w.refused(
        Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateAgent {
                agent: ana,
                command: AgentCommand::ReportTo(Some(ana)),
            },
        ),
        AgentError::SelfReport(ana),
    );
    let org = w.desk.people().organisation().unwrap();
    assert_eq!(org.root(), ceo);
    assert_eq!(org.management_chain(ana).unwrap(), vec![bill, ceo]);
    assert_eq!(org.name(ceo), Some("Graham"));
}
