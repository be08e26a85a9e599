//! A restart a step at a time: what [`Desk::resume`] decides, with the
//! reads left to the caller, so a store the desk cannot call itself (an
//! async client) restarts a desk by the same rules.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::store::{RecordedEvent, StoreError};

/// How many events a restart asks for at a time (as [`Desk::catch_up`]).
const PAGE: usize = 1024;

/// [`Desk::resume`] driven by the caller, one read at a time: start it
/// with what the store's `load_snapshot` answered, read what
/// [`Resume::wants`] asks (`read_all(after, max)`), hand the page to
/// [`Resume::feed`], and go on until it is [`ResumeStep::Done`]. It decides
/// everything `Desk::resume` decides, by the same code (`Desk::resume`
/// runs it): whether the snapshot is refused, used, or rebuilt around,
/// and why. For an async store, whose reads are awaited between the
/// steps:
///
/// ```
/// # use fanatical::prelude::*;
/// # let fanatical::desk::fixture::Fixture { mut desk, mut store, now, ticket, ana, .. } = fanatical::desk::fixture::fixture()?;
/// use fanatical::desk::{Resume, ResumeStep, RestoredFrom};
/// use fanatical::store::SnapshotStore;
/// desk.save_snapshot(&mut store)?;
/// let written = desk.execute(&mut store, Command::reply(ticket, ana, "On it."), now)?;
///
/// let mut resume = Resume::new(desk.config().clone(), store.load_snapshot())?;
/// let restored = loop {
///     let (after, max) = resume.wants();
///     let page = store.read_all(after, max)?; // awaited, in an async service
///     match resume.feed(&page)? {
///         ResumeStep::More(next) => resume = next,
///         ResumeStep::Done(restored) => break restored,
///     }
/// };
/// assert_eq!(restored.from, RestoredFrom::Snapshot { position: 6 });
/// assert_eq!(restored.caught_up, written.len());
/// assert_eq!(restored.desk, desk);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Resume {
    config: DeskConfig,
    stage: Stage,
    caught_up: usize,
}

#[derive(Debug)]
enum Stage {
    /// A snapshot read, not yet checked against the store: the store must
    /// hold the event it ends with.
    Loaded(Box<DeskSnapshot>),
    /// Restored from the snapshot at `position`, catching up.
    Snapshot { desk: Box<Desk>, position: u64 },
    /// Replaying every event.
    Rebuild { desk: Box<Desk>, why: RebuildReason },
}

/// What [`Resume::feed`] leads to.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum ResumeStep {
    /// Read what [`Resume::wants`] asks next and feed it.
    More(Resume),
    /// The desk is back, caught up with everything read.
    Done(Restored),
}

impl Resume {
    /// Starts a restart under `config` from what the store's
    /// [`SnapshotStore::load_snapshot`](crate::store::SnapshotStore::load_snapshot)
    /// answered: no snapshot, or one that did not read
    /// ([`StoreError::Corrupt`]), starts a rebuild from every event.
    ///
    /// # Errors
    /// Any other store error; [`SnapshotError::NewerFormat`],
    /// [`SnapshotError::NewerSchema`] and [`SnapshotError::OtherConfig`]
    /// for a snapshot that covers no events (one that covers some is
    /// checked in the first [`Resume::feed`]), as [`Desk::resume`] refuses
    /// them.
    pub fn new(
        config: DeskConfig,
        loaded: Result<Option<DeskSnapshot>, StoreError>,
    ) -> Result<Self, Error> {
        let stage = match loaded {
            Ok(None) => rebuild(&config, RebuildReason::NoSnapshot),
            Err(e @ StoreError::Corrupt { .. }) => rebuild(&config, RebuildReason::Unreadable(e)),
            Err(e) => return Err(e.into()),
            Ok(Some(snapshot)) if snapshot.position > 0 => Stage::Loaded(Box::new(snapshot)),
            Ok(Some(snapshot)) => restore(&config, snapshot)?,
        };
        Ok(Resume {
            config,
            stage,
            caught_up: 0,
        })
    }

    /// The read to make next: the store's events after position `.0`, at
    /// most `.1` of them (`Store::read_all`).
    #[must_use]
    pub fn wants(&self) -> (u64, usize) {
        match &self.stage {
            // The event the snapshot ends with.
            Stage::Loaded(snapshot) => (snapshot.position.saturating_sub(1), 1),
            Stage::Snapshot { desk, .. } | Stage::Rebuild { desk, .. } => (desk.position(), PAGE),
        }
    }

    /// Takes the page read for [`Resume::wants`]: checks the snapshot
    /// against it, or applies it; an empty page ends the restart. A
    /// snapshot the store does not continue (no event at its position,
    /// or events after it that do not apply) turns the restart into a
    /// rebuild, which then reads from the start.
    ///
    /// Feed exactly the page [`Resume::wants`] asked for: another page
    /// reads as a snapshot the store does not continue, and the restart
    /// becomes a rebuild.
    ///
    /// # Errors
    /// As [`Resume::new`] for the snapshot; the desk's own errors from
    /// applying events, in a rebuild or in the catch-up after a restored
    /// snapshot ([`Desk::apply`], [`Desk::catch_up`]: an event of a newer
    /// schema, say).
    pub fn feed(mut self, page: &[RecordedEvent]) -> Result<ResumeStep, Error> {
        match self.stage {
            Stage::Loaded(snapshot) => {
                let position = snapshot.position;
                self.stage = if page.first().map(|r| r.position) == Some(position) {
                    restore(&self.config, *snapshot)?
                } else {
                    let e = SnapshotError::Inconsistent {
                        position,
                        reason: "the store holds no event at that position".into(),
                    };
                    rebuild(&self.config, RebuildReason::Inconsistent(e))
                };
            }
            Stage::Snapshot { desk, position } if page.is_empty() => {
                return Ok(ResumeStep::Done(Restored {
                    desk: *desk,
                    from: RestoredFrom::Snapshot { position },
                    caught_up: self.caught_up,
                }));
            }
            Stage::Snapshot { mut desk, position } => match desk.apply(page) {
                Ok(()) => {
                    self.caught_up += page.len();
                    self.stage = Stage::Snapshot { desk, position };
                }
                Err(Error::Desk(
                    e @ (DeskError::OutOfOrder { .. } | DeskError::EventMismatch { .. }),
                )) => {
                    let e = SnapshotError::Inconsistent {
                        position,
                        reason: format!("the store does not continue it: {e}"),
                    };
                    self.caught_up = 0;
                    self.stage = rebuild(&self.config, RebuildReason::Inconsistent(e));
                }
                Err(e) => return Err(e),
            },
            Stage::Rebuild { mut desk, why } if page.is_empty() => {
                desk.end_replay();
                return Ok(ResumeStep::Done(Restored {
                    desk: *desk,
                    from: RestoredFrom::Rebuild { why },
                    caught_up: self.caught_up,
                }));
            }
            Stage::Rebuild { mut desk, why } => {
                desk.apply(page)?;
                self.caught_up += page.len();
                self.stage = Stage::Rebuild { desk, why };
            }
        }
        Ok(ResumeStep::More(self))
    }
}

/// A rebuild from the first event, for `why`.
fn rebuild(config: &DeskConfig, why: RebuildReason) -> Stage {
    let mut desk = Desk::new(config.clone());
    desk.replaying = true;
    Stage::Rebuild {
        desk: Box::new(desk),
        why,
    }
}

/// The snapshot restored (then caught up), or a rebuild when it does not
/// hold together; a refusal is the error.
fn restore(config: &DeskConfig, snapshot: DeskSnapshot) -> Result<Stage, Error> {
    let position = snapshot.position;
    match Desk::restore(config.clone(), snapshot) {
        Ok(desk) => Ok(Stage::Snapshot {
            desk: Box::new(desk),
            position,
        }),
        Err(e @ SnapshotError::Inconsistent { .. }) => {
            Ok(rebuild(config, RebuildReason::Inconsistent(e)))
        }
        Err(e) => Err(e.into()),
    }
}

impl Desk {
    /// Ends a replay ([`Desk::replay`], a rebuilding [`Resume`]): the
    /// timer table and delivery queue from the state, once.
    pub(super) fn end_replay(&mut self) {
        self.replaying = false;
        self.state.versions.shrink();
        self.start_timers();
        self.rebuild_queues();
    }
}
