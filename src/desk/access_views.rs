//! The permission-checked forms of the listings beside the ticket views:
//! the messages held for triage and the tickets waiting for an assignee,
//! as a person may see them. The raw listings ([`TicketsView::triage`],
//! [`TicketsView::unassigned`]) stay for trusted code; a service showing a
//! list to a person calls these, as it calls
//! [`QueuesView::page_as`](super::QueuesView::page_as) for a queue and
//! [`Desk::ticket_view_as`] for one ticket.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::permission::Permission;
use crate::ticket::TriagedMessage;

impl<'a> TicketsView<'a> {
    /// The messages held for triage as `viewer` may see them: the form a
    /// service showing the triage queue calls. They are for those who
    /// resolve them, so the viewer needs
    /// [`Permission::ManageCustomers`] (which every resolution,
    /// attaching, creating or discarding, needs). A held message whose
    /// subject or text the desk's crisis policy flags is shown with both
    /// replaced by [`crate::crisis::RESTRICTED`] to a viewer without
    /// [`Permission::ViewCrisisDetails`], as a crisis ticket's
    /// conversation is. Oldest first, as [`TicketsView::triage`].
    ///
    /// # Errors
    /// [`PermissionError::Denied`](crate::permission::PermissionError::Denied)
    /// naming the viewer, the permission and the roles that grant it; the
    /// viewer's own errors (unknown, inactive, erased).
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, ana, .. } = fanatical::desk::fixture::fixture()?;
    /// // Ana is an agent: she resolves held messages (none are held).
    /// assert!(desk.tickets().triage_as(&Actor::Agent(ana))?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn triage_as(&self, viewer: &Actor) -> Result<Vec<TriagedMessage>, Error> {
        let desk = self.desk;
        desk.check_permission(viewer, Permission::ManageCustomers, None)?;
        let sees_crisis = desk.may(viewer, Permission::ViewCrisisDetails, None);
        let policy = &desk.config.crisis.policy;
        let flagged = |text: &str| crate::crisis::CrisisClassifier::assess(policy, text).is_some();
        Ok(self
            .triage()
            .into_iter()
            .map(|m| {
                let mut m = m.clone();
                let crisis = flagged(&m.body) || m.subject.as_deref().is_some_and(flagged);
                if crisis && !sees_crisis {
                    m.body = crate::crisis::RESTRICTED.to_owned();
                    m.subject = m.subject.map(|_| crate::crisis::RESTRICTED.to_owned());
                }
                m
            })
            .collect())
    }

    /// The tickets waiting for an assignee as `viewer` may see them: the
    /// form a service showing the unassigned queue calls. Only the
    /// tickets their [`Permission::ViewTickets`] reaches are listed, by
    /// the check commands pass ([`Desk::may`]); an entry names the ticket,
    /// why it waits and until when, never what the ticket says. Ordered
    /// as [`TicketsView::unassigned`].
    ///
    /// # Errors
    /// [`PermissionError::Denied`](crate::permission::PermissionError::Denied)
    /// for a viewer who may view no ticket; [`DeskError::NeedsAgent`] for a
    /// contact; the viewer's own errors (unknown, inactive, erased).
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, ana, .. } = fanatical::desk::fixture::fixture()?;
    /// // Nothing waits: the desk assigns nothing by itself unless configured.
    /// assert!(desk.tickets().unassigned_as(&Actor::Agent(ana))?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unassigned_as(&self, viewer: &Actor) -> Result<Vec<Unassigned<'a>>, Error> {
        let desk = self.desk;
        // The same refusals as a queue's: an agent's screen, shown to
        // someone who may view some ticket.
        desk.queue_restriction(viewer)?;
        Ok(self
            .unassigned()
            .into_iter()
            .filter(|u| desk.may(viewer, Permission::ViewTickets, Some(u.ticket)))
            .collect())
    }
}
