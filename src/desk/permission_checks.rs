//! A checker for permission tables (feature `proptest`): whether a desk's
//! answer to a command agrees with the table it runs, to property-test
//! your own tables with [`crate::permission::strategies`].

use chrono::{DateTime, Utc};

use super::{Command, Desk};
use crate::error::Error;
use crate::permission::PermissionError;

/// Decides `command` on `desk` (which changes nothing) and checks the
/// answer against the desk's permission table: a command whose actor
/// lacks a permission it needs ([`Desk::required_permissions`]) must be
/// refused with [`PermissionError::Denied`] naming that permission and
/// writing nothing; a command whose actor holds them all must not be
/// refused for a permission. Whatever else the desk answers (an unknown
/// ticket, a rule that says no) is the model's business, not the table's.
///
/// # Errors
/// A description of the disagreement.
///
/// ```
/// # use fanatical::prelude::*;
/// # let fanatical::desk::fixture::Fixture { desk, ana, ticket, now, .. } = fanatical::desk::fixture::fixture()?;
/// use fanatical::desk::permission_checks::check_command;
/// check_command(&desk, &Command::reply(ticket, ana, "On it."), now)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_command(desk: &Desk, command: &Command, now: DateTime<Utc>) -> Result<(), String> {
    let missing = desk.missing_permission(command);
    let outcome = desk.decide(command.clone(), now);
    // A repeat under its key answers its first outcome, whatever the actor
    // may do now: it changes nothing.
    if outcome.as_ref().is_ok_and(|d| d.repeat_of().is_some()) {
        return Ok(());
    }
    match (missing, outcome) {
        (Some(expected), Ok(decision)) => Err(format!(
            "{expected}, yet the desk decided {} events",
            decision.events().count()
        )),
        (Some(expected), Err(Error::Permission(got))) => {
            let same = matches!(
                (&expected, &got),
                (PermissionError::Denied { permission: a, .. }, PermissionError::Denied { permission: b, .. }) if a == b
            );
            if same {
                Ok(())
            } else {
                Err(format!("expected {expected}; the desk said {got}"))
            }
        }
        // Refused earlier, for who the actor is (unknown, inactive,
        // erased): nothing was written either.
        (Some(_), Err(Error::Desk(_) | Error::Customer(_) | Error::Actor(_))) => Ok(()),
        (Some(expected), Err(other)) => Err(format!(
            "{expected}, yet the desk refused for another reason: {other}"
        )),
        (None, Err(Error::Permission(e @ PermissionError::Denied { .. }))) => Err(format!(
            "the actor holds every permission the command needs, yet: {e}"
        )),
        (None, _) => Ok(()),
    }
}
