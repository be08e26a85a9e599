//! A trigger set's index by what its triggers watch, so a command is
//! checked against the triggers that can fire on what it changed, not
//! against every trigger.
//!
//! A trigger one of whose `all` conditions is `Changed(c)` can fire only
//! when `c` happened in the decision: it is filed under `c` (a change of
//! one tag, one field, one status, or of a kind). A trigger whose `any`
//! conditions are all `Changed(..)` is filed under each of them. Every
//! other active trigger is evaluated whatever changed. The candidates are
//! handed out strictly in the set's run order, and the changes a firing
//! adds are looked up as the run goes, so a run over the candidates
//! fires exactly what a run over every trigger fires.

use std::collections::BTreeMap;

use super::{Change, Changes, Condition, Trigger, TriggerSet};

/// Where each active trigger of a set is filed, by its rank in the run
/// order (its index in the set's `order`).
#[derive(Debug, Clone, Default)]
pub(super) struct TriggerIndex {
    /// For each watched change, which of `lists` holds the ranks of the
    /// triggers that can fire only when it happened (or, for an `any` of
    /// changes, also on it).
    by_change: BTreeMap<Change, usize>,
    /// Ranks, ascending, one list per watched change.
    lists: Vec<Vec<usize>>,
    /// The ranks of the triggers evaluated whatever changed, as a bit set
    /// (bit `r % 64` of word `r / 64`).
    always: Vec<u64>,
}

impl TriggerIndex {
    /// The index of `triggers` run in `order` (positions).
    pub(super) fn new(triggers: &[Trigger], order: &[usize]) -> Self {
        let mut index = TriggerIndex {
            always: vec![0; order.len().div_ceil(64)],
            ..TriggerIndex::default()
        };
        for (rank, t) in order.iter().enumerate() {
            let Some(t) = triggers.get(*t).filter(|t| t.active) else {
                continue;
            };
            match watched(t) {
                Some(changes) => {
                    for c in changes {
                        let next = index.lists.len();
                        let list = *index.by_change.entry(c.clone()).or_insert(next);
                        if list == next {
                            index.lists.push(Vec::new());
                        }
                        if let Some(ranks) = index.lists.get_mut(list)
                            // Ranks arrive ascending; an `any` may name a
                            // change twice.
                            && ranks.last() != Some(&rank)
                        {
                            ranks.push(rank);
                        }
                    }
                }
                None => set_bit(&mut index.always, rank),
            }
        }
        index
    }

    /// The ranks filed under `change`, ascending.
    #[cfg(test)]
    fn filed(&self, change: &Change) -> Vec<usize> {
        self.by_change
            .get(change)
            .and_then(|&l| self.lists.get(l))
            .cloned()
            .unwrap_or_default()
    }

    /// The ranks evaluated whatever changed, ascending.
    #[cfg(test)]
    fn always(&self) -> Vec<usize> {
        (0..self.always.len() * 64)
            .filter(|&r| next_bit(&self.always, r) == Some(r))
            .collect()
    }
}

fn set_bit(bits: &mut [u64], rank: usize) {
    if let Some(word) = bits.get_mut(rank / 64) {
        *word |= 1 << (rank % 64);
    }
}

/// The lowest set bit at or past `from`.
fn next_bit(bits: &[u64], from: usize) -> Option<usize> {
    let mut w = from / 64;
    let mut word = bits.get(w)? & (u64::MAX << (from % 64));
    loop {
        if word != 0 {
            return Some(w * 64 + word.trailing_zeros() as usize);
        }
        w += 1;
        word = *bits.get(w)?;
    }
}

/// The changes a trigger is filed under: one it needs (an `all` condition,
/// the most selective), or those of an `any` of nothing but changes.
/// `None`: evaluated whatever changed.
fn watched(t: &Trigger) -> Option<Vec<&Change>> {
    let needed = t
        .all
        .iter()
        .filter_map(|c| match c {
            Condition::Changed(change) => Some(change),
            _ => None,
        })
        .min_by_key(|c| breadth(c));
    if let Some(c) = needed {
        return Some(vec![c]);
    }
    if t.any.is_empty() {
        return None;
    }
    t.any
        .iter()
        .map(|c| match c {
            Condition::Changed(change) => Some(change),
            _ => None,
        })
        .collect()
}

/// How many decisions a change is likely to be among (lower: fewer), to
/// file a trigger that needs several under the rarest.
fn breadth(c: &Change) -> u8 {
    match c {
        Change::TagAdded(_)
        | Change::TagRemoved(_)
        | Change::Field(_)
        | Change::SlaWarned { metric: Some(_) }
        | Change::SlaBreached { metric: Some(_) } => 0,
        Change::Status { to: Some(_) }
        | Change::Priority
        | Change::Type
        | Change::Assignee
        | Change::Team
        | Change::InternalNote
        | Change::SlaWarned { metric: None }
        | Change::SlaBreached { metric: None } => 1,
        Change::PublicReply { by: Some(_) } | Change::Status { to: None } => 2,
        Change::PublicReply { by: None } | Change::Created => 3,
    }
}

/// The triggers of a set that can fire in one run, handed out in run
/// order as the run's changes grow ([`TriggerSet::candidates`]).
#[derive(Debug)]
pub(crate) struct Candidates<'a> {
    set: &'a TriggerSet,
    /// The ranks that can fire: the always-evaluated ones and those filed
    /// under a change that happened, as a bit set.
    eligible: Vec<u64>,
    /// The lists (of the index) already merged into `eligible`: a list is
    /// merged once, from the rank the run was at, and every rank past
    /// that stays eligible.
    merged: Vec<usize>,
    /// Ranks below this were handed out or passed.
    next_rank: usize,
    /// How many changes had happened when they were last looked up.
    seen: Option<usize>,
}

impl TriggerSet {
    /// The triggers that can fire, in run order: call
    /// [`Candidates::next`] with the run's changes as they stand before
    /// each trigger. Each active trigger a run over every trigger would
    /// fire is handed out, in the same order, and most that could not
    /// fire are not.
    pub(crate) fn candidates(&self) -> Candidates<'_> {
        Candidates {
            set: self,
            eligible: self.index.always.clone(),
            merged: Vec::new(),
            next_rank: 0,
            seen: None,
        }
    }
}

impl<'a> Candidates<'a> {
    /// The next trigger that can fire given `changes` (what has changed
    /// so far in the run, which only grows), with its position.
    pub(crate) fn next(&mut self, changes: &Changes) -> Option<(usize, &'a Trigger)> {
        let index = &self.set.index;
        let count = changes.count();
        if self.seen != Some(count) {
            self.seen = Some(count);
            for c in changes.happened() {
                let Some(&list) = index.by_change.get(&c) else {
                    continue;
                };
                if self.merged.contains(&list) {
                    continue;
                }
                self.merged.push(list);
                let ranks = index.lists.get(list).map_or(&[][..], Vec::as_slice);
                let from = ranks.partition_point(|&r| r < self.next_rank);
                for &r in ranks.get(from..).unwrap_or(&[]) {
                    set_bit(&mut self.eligible, r);
                }
            }
        }
        let rank = next_bit(&self.eligible, self.next_rank)?;
        self.next_rank = rank.saturating_add(1);
        let position = *self.set.order.get(rank)?;
        self.set.triggers.get(position).map(|t| (position, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleAction;
    use crate::ticket::{Priority, Tag, TicketEventKind};
    use std::collections::BTreeSet;

    fn tag(t: &str) -> Tag {
        Tag::new(t).unwrap()
    }

    fn trigger(name: &str, all: Vec<Condition>, any: Vec<Condition>) -> Trigger {
        let done = tag(&format!("done-{}", name.replace(' ', "-")));
        let mut t = Trigger::new(name, [RuleAction::AddTag(done)]).unwrap();
        t.all = all;
        t.any = any;
        t
    }

    fn names(set: &TriggerSet, changes: &Changes) -> Vec<String> {
        let mut c = set.candidates();
        std::iter::from_fn(|| c.next(changes))
            .map(|(_, t)| t.name().to_string())
            .collect()
    }

    #[test]
    fn triggers_are_filed_under_the_rarest_change_they_need_or_always() {
        let added = |t: &str| Condition::Changed(Change::TagAdded(tag(t)));
        let set = TriggerSet::new(vec![
            trigger(
                "reply vip",
                vec![
                    Condition::Changed(Change::PublicReply { by: None }),
                    added("vip"),
                ],
                vec![],
            ),
            trigger(
                "high",
                vec![Condition::PriorityAtLeast(Priority::High)],
                vec![],
            ),
            trigger(
                "either",
                vec![],
                vec![added("x"), Condition::Changed(Change::Type)],
            ),
            trigger(
                "mixed any",
                vec![],
                vec![added("y"), Condition::HasTag(tag("y"))],
            ),
            trigger("not", vec![Condition::Not(Box::new(added("z")))], vec![]),
            trigger("off", vec![added("vip")], vec![]).inactive(),
        ])
        .unwrap();
        let index = &set.index;
        let filed = |c: Change| index.filed(&c);
        assert_eq!(filed(Change::TagAdded(tag("vip"))), vec![0]);
        assert!(filed(Change::PublicReply { by: None }).is_empty());
        assert_eq!(filed(Change::TagAdded(tag("x"))), vec![2]);
        assert_eq!(filed(Change::Type), vec![2]);
        assert_eq!(index.always(), vec![1, 3, 4]);
        // Nothing changed: only the always-evaluated, in run order.
        assert_eq!(names(&set, &Changes::new()), ["high", "mixed any", "not"]);
        let mut changes = Changes::new();
        changes.record_ticket(&TicketEventKind::Tagged { tag: tag("vip") });
        changes.record_ticket(&TicketEventKind::TypeChanged {
            from: crate::ticket::TicketType::Question,
            to: crate::ticket::TicketType::Problem,
        });
        assert_eq!(
            names(&set, &changes),
            ["reply vip", "high", "either", "mixed any", "not"]
        );
    }

    #[test]
    fn the_index_is_rebuilt_on_deserializing_and_left_out_of_equality() {
        let set = TriggerSet::new(vec![
            trigger("a", vec![Condition::Changed(Change::Priority)], vec![]),
            trigger("b", vec![Condition::HasTag(tag("q"))], vec![]),
        ])
        .unwrap();
        let json = serde_json::to_value(&set).unwrap();
        // Only the triggers are written, not the index.
        assert!(json.is_array(), "{json}");
        let back: TriggerSet = serde_json::from_value(json).unwrap();
        assert_eq!(back, set);
        assert_eq!(back.index.by_change, set.index.by_change);
        assert_eq!(back.index.lists, set.index.lists);
        assert_eq!(back.index.always(), set.index.always());
        let mut changes = Changes::new();
        changes.record_ticket(&TicketEventKind::PriorityChanged {
            from: Priority::Normal,
            to: Priority::High,
        });
        assert_eq!(names(&back, &changes), ["a", "b"]);
        assert_eq!(names(&back, &Changes::new()), ["b"]);
    }

    #[test]
    fn a_change_made_during_the_run_brings_in_the_triggers_after_it() {
        // "a" tags done-a when the priority changes; "b" watches done-a
        // being added, so it runs after "a".
        let set = TriggerSet::new(vec![
            trigger(
                "b",
                vec![Condition::Changed(Change::TagAdded(tag("done-a")))],
                vec![],
            ),
            trigger("a", vec![Condition::Changed(Change::Priority)], vec![]),
        ])
        .unwrap();
        let mut changes = Changes::new();
        changes.record_ticket(&TicketEventKind::Tagged { tag: tag("q") });
        // The priority did not change: nothing can fire.
        assert!(set.candidates().next(&changes).is_none());
        changes.record_ticket(&TicketEventKind::PriorityChanged {
            from: Priority::Normal,
            to: Priority::High,
        });
        let mut candidates = set.candidates();
        let (position, first) = candidates.next(&changes).unwrap();
        assert_eq!((position, first.name().as_str()), (1, "a"));
        // "a" did not fire: "b" is no candidate.
        let mut unfired = candidates;
        assert!(unfired.next(&changes).is_none());
        // "a" fired, adding done-a: "b" is.
        let mut candidates = set.candidates();
        candidates.next(&changes);
        changes.record_ticket(&TicketEventKind::Tagged { tag: tag("done-a") });
        let (position, second) = candidates.next(&changes).unwrap();
        assert_eq!((position, second.name().as_str()), (0, "b"));
        assert!(candidates.next(&changes).is_none());
    }

    #[test]
    fn what_happened_is_what_changes_has_once_each_and_the_count_follows_it() {
        use crate::rules::Party;
        use crate::sla::Metric;
        use crate::ticket::Status;
        let universe = |t: &Tag| {
            let mut all = vec![
                Change::Created,
                Change::Status { to: None },
                Change::Priority,
                Change::Type,
                Change::Assignee,
                Change::Team,
                Change::TagAdded(t.clone()),
                Change::TagRemoved(t.clone()),
                Change::PublicReply { by: None },
                Change::PublicReply {
                    by: Some(Party::Customer),
                },
                Change::PublicReply {
                    by: Some(Party::Support),
                },
                Change::InternalNote,
                Change::SlaWarned { metric: None },
                Change::SlaBreached { metric: None },
                Change::SlaBreached {
                    metric: Some(Metric::FirstResponse),
                },
            ];
            all.extend(
                [Status::Open, Status::Pending, Status::Solved]
                    .map(|s| Change::Status { to: Some(s) }),
            );
            all
        };
        let mut changes = Changes::new();
        let mut counts = vec![changes.count()];
        for kind in [
            TicketEventKind::Tagged { tag: tag("x") },
            TicketEventKind::Untagged { tag: tag("y") },
            TicketEventKind::PriorityChanged {
                from: Priority::Low,
                to: Priority::High,
            },
            TicketEventKind::StatusChanged {
                from: Status::New,
                to: Status::Open,
                cause: crate::ticket::StatusCause::Set,
            },
            TicketEventKind::StatusChanged {
                from: Status::Open,
                to: Status::Pending,
                cause: crate::ticket::StatusCause::Set,
            },
            TicketEventKind::Tagged { tag: tag("x") },
        ] {
            let before: Vec<Change> = changes.happened().collect();
            changes.record_ticket(&kind);
            counts.push(changes.count());
            let happened: Vec<Change> = changes.happened().collect();
            // The count moves exactly when what happened does.
            assert_eq!(
                counts[counts.len() - 2] == changes.count(),
                before == happened
            );
            let distinct: BTreeSet<&Change> = happened.iter().collect();
            assert_eq!(distinct.len(), happened.len());
            assert!(happened.iter().all(|c| changes.has(c)));
            for t in ["x", "y", "z"].map(tag) {
                for c in universe(&t) {
                    assert_eq!(changes.has(&c), happened.contains(&c), "{c:?}");
                }
            }
        }
        // Each new change counts; the same tag again does not.
        assert_eq!(counts, [0, 1, 2, 3, 4, 5, 5]);
    }
}
