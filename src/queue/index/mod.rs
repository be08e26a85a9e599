//! The compact queue index: for each ticket only what queues filter and
//! sort on, under a dense number; no subject, and tags and field values
//! as numbers of a shared table. It answers which tickets a page holds
//! (and the cursor after it); the rows themselves come from whoever holds
//! them ([`super::MemoryQueues`] its own copies, the desk its tickets).
//!
//! - Each ticket has a dense `u32` number (reused after it leaves) and a
//!   [`Slot`] of its keys: status, priority, type, channel, assignee,
//!   team, customer, requester, next deadline, breach, opened and updated
//!   instants, and its terms (tags, field values, fields set) by number.
//! - Posting lists are compressed bitmaps of ticket numbers
//!   (`roaring`), one per status, priority, type, channel, assignee,
//!   team and term; customers and requesters, which hold few tickets
//!   each, are one ordered set of `(customer, number)` pairs.
//! - Ordered indexes hold `(key, ticket id)` pairs of 32 bytes, the key
//!   packed into 96 bits in the order of a [`Position`]: one per sort over
//!   every ticket and one per sort and team. An assignee's queue is
//!   selected from the assignee's posting list.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;

use chrono::{DateTime, Utc};
use roaring::RoaringBitmap;

use super::{Filter, Position, QueueQuery, QueueRow, Restriction, SlaState, SortBy, TagMatch};
use crate::channel::ChannelKind;
use crate::field::{FieldCondition, FieldKey, FieldTerm, FieldTest, FieldValues};
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};
use crate::ticket::{Priority, Status, Tag, TicketType};

type Fixed = foldhash::fast::FixedState;

/// What the index keeps of a ticket, borrowed from its row or the desk's
/// ticket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'a> {
    pub(crate) id: TicketId,
    pub(crate) status: Status,
    pub(crate) priority: Priority,
    pub(crate) ticket_type: TicketType,
    pub(crate) channel: ChannelKind,
    pub(crate) assignee: Option<AgentId>,
    pub(crate) team: Option<TeamId>,
    pub(crate) customer: CustomerId,
    pub(crate) requester: Option<ContactId>,
    pub(crate) tags: &'a BTreeSet<Tag>,
    pub(crate) fields: &'a FieldValues,
    pub(crate) next_deadline: Option<DateTime<Utc>>,
    pub(crate) breached: bool,
    pub(crate) opened_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl<'a> Facts<'a> {
    /// A row's facts.
    pub(crate) fn of(row: &'a QueueRow) -> Self {
        Facts {
            id: row.id,
            status: row.status,
            priority: row.priority,
            ticket_type: row.ticket_type,
            channel: row.channel,
            assignee: row.assignee,
            team: row.team,
            customer: row.customer,
            requester: row.requester,
            tags: &row.tags,
            fields: &row.fields,
            next_deadline: row.next_deadline.map(|d| d.at),
            breached: row.breached,
            opened_at: row.opened_at,
            updated_at: row.updated_at,
        }
    }
}

/// One ticket's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    id: TicketId,
    customer: CustomerId,
    requester: Option<ContactId>,
    /// The assignee's number in [`QueueIndex::agents`].
    assignee: u32,
    /// The team's number in [`QueueIndex::teams`].
    team: u32,
    opened_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    next_deadline: Option<DateTime<Utc>>,
    status: Status,
    priority: Priority,
    ticket_type: TicketType,
    channel: ChannelKind,
    breached: bool,
    /// Its terms' numbers, ascending.
    terms: Box<[u32]>,
}

/// A term a ticket holds: a tag, a field's value term, or a field set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Term {
    Tag(Tag),
    Value(FieldKey, FieldTerm),
    Set(FieldKey),
}

/// Terms by number, each with the tickets holding it. A term no ticket
/// holds any more is forgotten and its number reused.
#[derive(Debug, Clone, Default)]
struct Terms {
    ids: HashMap<Term, u32, Fixed>,
    terms: Vec<Option<Term>>,
    postings: Vec<RoaringBitmap>,
    free: Vec<u32>,
}

impl Terms {
    fn id(&self, t: &Term) -> Option<u32> {
        self.ids.get(t).copied()
    }

    fn intern(&mut self, t: Term) -> u32 {
        match self.ids.entry(t) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let id = match self.free.pop() {
                    Some(id) => {
                        if let Some(t) = self.terms.get_mut(id as usize) {
                            *t = Some(e.key().clone());
                        }
                        id
                    }
                    None => {
                        // Fewer than 2^32 terms: each is held by a ticket,
                        // and tickets are numbered in 32 bits too.
                        let id = u32::try_from(self.terms.len()).unwrap_or(u32::MAX);
                        self.terms.push(Some(e.key().clone()));
                        self.postings.push(RoaringBitmap::new());
                        id
                    }
                };
                e.insert(id);
                id
            }
        }
    }

    fn add(&mut self, term: u32, n: u32) {
        if let Some(p) = self.postings.get_mut(term as usize) {
            p.insert(n);
        }
    }

    fn remove(&mut self, term: u32, n: u32) {
        let Some(p) = self.postings.get_mut(term as usize) else {
            return;
        };
        p.remove(n);
        if p.is_empty()
            && let Some(t) = self.terms.get_mut(term as usize).and_then(Option::take)
        {
            self.ids.remove(&t);
            self.free.push(term);
        }
    }

    /// Forgets interned terms no ticket took (after a ticket's terms were
    /// interned and some turned out unused).
    fn release_unused(&mut self, ids: &[u32]) {
        for &id in ids {
            if self
                .postings
                .get(id as usize)
                .is_some_and(RoaringBitmap::is_empty)
                && let Some(t) = self.terms.get_mut(id as usize).and_then(Option::take)
            {
                self.ids.remove(&t);
                self.free.push(id);
            }
        }
    }

    fn posting(&self, id: Option<u32>) -> Option<&RoaringBitmap> {
        id.and_then(|id| self.postings.get(id as usize))
    }
}

/// Values few and long-lived (agents, teams) by number: 0 is none, `i +
/// 1` the `i`th value seen. Never shrinks: a desk has few.
#[derive(Debug, Clone)]
struct Interned<K> {
    values: Vec<K>,
    numbers: HashMap<K, u32, Fixed>,
}

impl<K> Default for Interned<K> {
    fn default() -> Self {
        Interned {
            values: Vec::new(),
            numbers: HashMap::default(),
        }
    }
}

impl<K: Hash + Eq + Copy> Interned<K> {
    fn number(&mut self, k: Option<K>) -> u32 {
        let Some(k) = k else { return 0 };
        let next = u32::try_from(self.values.len() + 1).unwrap_or(u32::MAX);
        match self.numbers.entry(k) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                e.insert(next);
                self.values.push(k);
                next
            }
        }
    }

    fn get(&self, n: u32) -> Option<K> {
        (n as usize)
            .checked_sub(1)
            .and_then(|i| self.values.get(i))
            .copied()
    }
}

/// Ticket numbers by one value of one key.
#[derive(Debug, Clone)]
struct Bits<K>(HashMap<K, RoaringBitmap, Fixed>);

impl<K> Default for Bits<K> {
    fn default() -> Self {
        Bits(HashMap::default())
    }
}

impl<K: Hash + Eq> Bits<K> {
    fn shift(&mut self, old: Option<K>, new: Option<K>, n: u32) {
        if old == new {
            return;
        }
        if let Some(o) = old
            && let Entry::Occupied(mut e) = self.0.entry(o)
        {
            e.get_mut().remove(n);
            if e.get().is_empty() {
                e.remove();
            }
        }
        if let Some(k) = new {
            self.0.entry(k).or_default().insert(n);
        }
    }

    fn get(&self, k: &K) -> Option<&RoaringBitmap> {
        self.0.get(k)
    }
}

/// Ticket numbers by a key most tickets do not share (customer,
/// requester): one ordered set of pairs.
#[derive(Debug, Clone)]
struct Pairs<K>(BTreeSet<(K, u32)>);

impl<K> Default for Pairs<K> {
    fn default() -> Self {
        Pairs(BTreeSet::new())
    }
}

impl<K: Ord + Copy> Pairs<K> {
    fn shift(&mut self, old: Option<K>, new: Option<K>, n: u32) {
        if old != new {
            if let Some(o) = old {
                self.0.remove(&(o, n));
            }
            if let Some(k) = new {
                self.0.insert((k, n));
            }
        }
    }

    fn of(&self, k: K) -> impl Iterator<Item = u32> + '_ {
        self.0.range((k, 0)..=(k, u32::MAX)).map(|(_, n)| *n)
    }
}

/// A position packed in 97 bits: group (0, 1 for no deadline; a
/// cursor's larger group counts as 2, after every ticket), seconds (sign
/// flipped), then nanoseconds (31 bits: a leap second's are below 2^31;
/// larger ones, which no instant has, count as 2^31 - 1).
type Key = u128;
/// An entry of an ordered index: the packed key, then the ticket id as
/// a number (whose order is the id's).
type Packed = (Key, u128);

const NANOS: u32 = (1 << 31) - 1;

fn pack(group: u8, secs: i64, nanos: u32) -> Key {
    (u128::from(group.min(2)) << 95)
        | (u128::from(secs.cast_unsigned() ^ (1 << 63)) << 31)
        | u128::from(nanos.min(NANOS))
}

fn packed(p: &Position) -> Packed {
    (pack(p.group, p.secs, p.nanos), p.id.as_uuid().as_u128())
}

fn unpack(p: Packed) -> Position {
    #[allow(clippy::cast_possible_truncation)]
    let group = (p.0 >> 95) as u8;
    #[allow(clippy::cast_possible_truncation)]
    let secs = ((p.0 >> 31) as u64 ^ (1 << 63)).cast_signed();
    #[allow(clippy::cast_possible_truncation)]
    let nanos = (p.0 & u128::from(NANOS)) as u32;
    Position {
        group,
        secs,
        nanos,
        id: TicketId::from_uuid(uuid::Uuid::from_u128(p.1)),
    }
}

fn group_start(g: u8) -> Packed {
    (u128::from(g) << 95, 0)
}

fn group_end(g: u8) -> Packed {
    ((u128::from(g) << 95) | ((1 << 95) - 1), u128::MAX)
}

fn instant(t: DateTime<Utc>) -> Key {
    pack(0, t.timestamp(), t.timestamp_subsec_nanos())
}

/// Compares two packed positions in a sort's direction: descending
/// reverses all but the group.
fn cmp_in(a: &Packed, b: &Packed, descending: bool) -> std::cmp::Ordering {
    if descending {
        (a.0 >> 95)
            .cmp(&(b.0 >> 95))
            .then_with(|| (b.0, b.1).cmp(&(a.0, a.1)))
    } else {
        a.cmp(b)
    }
}

/// Slots in a chunk.
const CHUNK: usize = 1024;

const SORTS: [SortBy; 4] = [
    SortBy::NextDeadline,
    SortBy::Priority,
    SortBy::Created,
    SortBy::Updated,
];

impl Slot {
    fn position(&self, by: SortBy) -> Packed {
        let key = match by {
            SortBy::NextDeadline => match self.next_deadline {
                Some(at) => instant(at),
                None => pack(1, 0, 0),
            },
            SortBy::Priority => pack(0, i64::from(super::priority_code(self.priority)), 0),
            SortBy::Created => instant(self.opened_at),
            SortBy::Updated => instant(self.updated_at),
        };
        (key, self.id.as_uuid().as_u128())
    }
}

/// Tickets by position, ascending, with their numbers (so that a walk
/// reads a ticket's keys without looking its id up).
type ByPosition = BTreeMap<Packed, u32>;

/// Every ticket by each sort, ascending.
#[derive(Debug, Clone, Default)]
struct Orders {
    next_deadline: ByPosition,
    priority: ByPosition,
    created: ByPosition,
    updated: ByPosition,
}

impl Orders {
    fn by(&self, by: SortBy) -> &ByPosition {
        match by {
            SortBy::NextDeadline => &self.next_deadline,
            SortBy::Priority => &self.priority,
            SortBy::Created => &self.created,
            SortBy::Updated => &self.updated,
        }
    }

    fn by_mut(&mut self, by: SortBy) -> &mut ByPosition {
        match by {
            SortBy::NextDeadline => &mut self.next_deadline,
            SortBy::Priority => &mut self.priority,
            SortBy::Created => &mut self.created,
            SortBy::Updated => &mut self.updated,
        }
    }

    fn is_empty(&self) -> bool {
        self.created.is_empty()
    }
}

/// The index. See the module docs.
#[derive(Debug, Clone, Default)]
pub(crate) struct QueueIndex {
    numbers: HashMap<TicketId, u32, Fixed>,
    /// Slots by number, in chunks of [`CHUNK`] (a vector doubling its
    /// room would hold up to twice as many as tickets).
    slots: Vec<Vec<Option<Slot>>>,
    free: Vec<u32>,
    agents: Interned<AgentId>,
    teams: Interned<TeamId>,
    status: Bits<Status>,
    priority: Bits<Priority>,
    types: Bits<TicketType>,
    channel: Bits<ChannelKind>,
    assignee: Bits<Option<AgentId>>,
    team: Bits<Option<TeamId>>,
    customer: Pairs<CustomerId>,
    requester: Pairs<ContactId>,
    terms: Terms,
    /// Tickets whose breach is recorded.
    breached: RoaringBitmap,
    /// Every ticket by each sort.
    ordered: Orders,
    /// Every ticket by team, then each sort.
    by_team: HashMap<Option<TeamId>, Orders, Fixed>,
}

/// A candidate set: the union of these posting lists (which may overlap),
/// or these numbers.
pub(in crate::queue) enum Candidates<'a> {
    Bits(Vec<&'a RoaringBitmap>, usize),
    Read(Vec<u32>),
}

impl Candidates<'_> {
    fn of<'a>(sets: impl IntoIterator<Item = Option<&'a RoaringBitmap>>) -> Candidates<'a> {
        let sets: Vec<&RoaringBitmap> = sets.into_iter().flatten().collect();
        let size = sets
            .iter()
            .map(|s| usize::try_from(s.len()).unwrap_or(usize::MAX))
            .fold(0usize, usize::saturating_add);
        Candidates::Bits(sets, size)
    }

    /// Numbers read from elsewhere, in order (for membership tests).
    fn read(mut v: Vec<u32>) -> Self {
        v.sort_unstable();
        Candidates::Read(v)
    }

    pub(in crate::queue) fn size(&self) -> usize {
        match self {
            Candidates::Bits(_, n) => *n,
            Candidates::Read(v) => v.len(),
        }
    }

    /// Each candidate once.
    fn contains(&self, n: u32) -> bool {
        match self {
            Candidates::Bits(sets, _) => sets.iter().any(|s| s.contains(n)),
            Candidates::Read(v) => v.binary_search(&n).is_ok(),
        }
    }

    fn numbers(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Candidates::Bits(sets, _) => match sets.as_slice() {
                [] => Box::new(std::iter::empty()),
                [one] => Box::new(one.iter()),
                [first, rest @ ..] => {
                    let mut u = (*first).clone();
                    for s in rest {
                        u |= *s;
                    }
                    Box::new(u.into_iter())
                }
            },
            Candidates::Read(v) => Box::new(v.iter().copied()),
        }
    }
}

/// A filter resolved against the index's tables for one query.
enum Test<'q> {
    /// Decided by the row's facts as [`QueueQuery::matches`] does.
    Plain(&'q Filter),
    /// Holds every one of these terms (`None`: one no ticket holds).
    AllTerms(Option<Vec<u32>>),
    /// Holds at least one.
    AnyTerm(Vec<u32>),
    /// Holds none.
    NoTerm(Vec<u32>),
    /// A value of this field between the bounds.
    Between(&'q FieldCondition),
}

impl QueueIndex {
    pub(crate) fn len(&self) -> usize {
        self.numbers.len()
    }

    fn slot(&self, n: u32) -> Option<&Slot> {
        let n = n as usize;
        self.slots.get(n / CHUNK)?.get(n % CHUNK)?.as_ref()
    }

    fn slot_mut(&mut self, n: u32) -> Option<&mut Option<Slot>> {
        let n = n as usize;
        self.slots.get_mut(n / CHUNK)?.get_mut(n % CHUNK)
    }

    /// Every ticket's slot.
    fn all(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().flatten().flatten()
    }

    /// A ticket's assignee.
    fn assignee_of(&self, s: &Slot) -> Option<AgentId> {
        self.agents.get(s.assignee)
    }

    /// A ticket's team.
    fn team_of(&self, s: &Slot) -> Option<TeamId> {
        self.teams.get(s.team)
    }

    /// A number no ticket has.
    fn new_number(&mut self) -> u32 {
        if let Some(n) = self.free.pop() {
            return n;
        }
        if self.slots.last().is_none_or(|c| c.len() == CHUNK) {
            self.slots.push(Vec::with_capacity(CHUNK));
        }
        let chunks = self.slots.len() - 1;
        let held = self.slots.last_mut().map_or(0, |last| {
            last.push(None);
            last.len()
        });
        // Fewer than 2^32 tickets are in memory at once.
        u32::try_from(chunks * CHUNK + held - 1).unwrap_or(u32::MAX)
    }

    /// Puts a ticket's facts in (or updates them), touching only the
    /// indexes whose key changed.
    pub(crate) fn set(&mut self, f: &Facts<'_>) {
        let mut terms: Vec<u32> = f
            .tags
            .iter()
            .map(|t| self.terms.intern(Term::Tag(t.clone())))
            .collect();
        for (k, t) in f.fields.terms() {
            terms.push(self.terms.intern(Term::Value(k.clone(), t)));
        }
        for (k, _) in f.fields.iter() {
            terms.push(self.terms.intern(Term::Set(k.clone())));
        }
        terms.sort_unstable();
        terms.dedup();
        let slot = Slot {
            id: f.id,
            customer: f.customer,
            requester: f.requester,
            assignee: self.agents.number(f.assignee),
            team: self.teams.number(f.team),
            opened_at: f.opened_at,
            updated_at: f.updated_at,
            next_deadline: f.next_deadline,
            status: f.status,
            priority: f.priority,
            ticket_type: f.ticket_type,
            channel: f.channel,
            breached: f.breached,
            terms: terms.into_boxed_slice(),
        };
        let n = match self.numbers.get(&f.id) {
            Some(n) => *n,
            None => {
                let n = self.new_number();
                self.numbers.insert(f.id, n);
                n
            }
        };
        let old = self.slot_mut(n).and_then(Option::take);
        if old.as_ref() == Some(&slot) {
            if let Some(s) = self.slot_mut(n) {
                *s = old;
            }
            return;
        }
        self.index(n, old.as_ref(), Some(&slot));
        if let Some(o) = &old {
            self.terms.release_unused(&o.terms);
        }
        self.terms.release_unused(&slot.terms);
        if let Some(s) = self.slot_mut(n) {
            *s = Some(slot);
        }
    }

    /// Takes a ticket out.
    pub(crate) fn remove(&mut self, id: TicketId) {
        let Some(n) = self.numbers.remove(&id) else {
            return;
        };
        let old = self.slot_mut(n).and_then(Option::take);
        self.index(n, old.as_ref(), None);
        self.free.push(n);
    }

    /// Moves a ticket's index entries from `old` to `new`.
    fn index(&mut self, n: u32, old: Option<&Slot>, new: Option<&Slot>) {
        macro_rules! shift {
            ($postings:ident, $f:ident) => {
                self.$postings
                    .shift(old.map(|s| s.$f), new.map(|s| s.$f), n);
            };
        }
        shift!(status, status);
        shift!(priority, priority);
        shift!(types, ticket_type);
        shift!(channel, channel);
        let (oa, na) = (
            old.map(|s| self.assignee_of(s)),
            new.map(|s| self.assignee_of(s)),
        );
        self.assignee.shift(oa, na, n);
        let (old_team, new_team) = (old.map(|s| self.team_of(s)), new.map(|s| self.team_of(s)));
        self.team.shift(old_team, new_team, n);
        shift!(customer, customer);
        self.requester.shift(
            old.and_then(|s| s.requester),
            new.and_then(|s| s.requester),
            n,
        );
        if new.is_some_and(|s| s.breached) {
            self.breached.insert(n);
        } else {
            self.breached.remove(n);
        }
        let (ot, nt): (&[u32], &[u32]) =
            (old.map_or(&[], |s| &s.terms), new.map_or(&[], |s| &s.terms));
        if ot != nt {
            for t in nt.iter().filter(|t| ot.binary_search(t).is_err()) {
                self.terms.add(*t, n);
            }
            for t in ot.iter().filter(|t| nt.binary_search(t).is_err()) {
                self.terms.remove(*t, n);
            }
        }
        for by in SORTS {
            let (o, p) = (old.map(|s| s.position(by)), new.map(|s| s.position(by)));
            if o != p {
                let set = self.ordered.by_mut(by);
                if let Some(o) = o {
                    set.remove(&o);
                }
                if let Some(p) = p {
                    set.insert(p, n);
                }
            }
            if o != p || old_team != new_team {
                if let (Some(o), Some(t)) = (o, old_team)
                    && let Entry::Occupied(mut e) = self.by_team.entry(t)
                {
                    e.get_mut().by_mut(by).remove(&o);
                    if e.get().is_empty() {
                        e.remove();
                    }
                }
                if let (Some(p), Some(t)) = (p, new_team) {
                    self.by_team.entry(t).or_default().by_mut(by).insert(p, n);
                }
            }
        }
    }

    /// The query's filters resolved against the term table.
    fn tests<'q>(&self, q: &'q QueueQuery) -> Vec<Test<'q>> {
        let tag = |t: &Tag| self.terms.id(&Term::Tag(t.clone()));
        q.queue()
            .filters
            .iter()
            .map(|f| match f {
                Filter::Tags(TagMatch::All(s)) => Test::AllTerms(s.iter().map(tag).collect()),
                Filter::Tags(TagMatch::Any(s)) => Test::AnyTerm(s.iter().filter_map(tag).collect()),
                Filter::Tags(TagMatch::None(s)) => Test::NoTerm(s.iter().filter_map(tag).collect()),
                Filter::Field(c) => match &c.test {
                    FieldTest::Set => {
                        Test::AllTerms(self.terms.id(&Term::Set(c.key.clone())).map(|id| vec![id]))
                    }
                    FieldTest::Empty => Test::NoTerm(
                        self.terms
                            .id(&Term::Set(c.key.clone()))
                            .into_iter()
                            .collect(),
                    ),
                    FieldTest::AnyOf(terms) => Test::AnyTerm(
                        terms
                            .iter()
                            .filter_map(|t| self.terms.id(&Term::Value(c.key.clone(), t.clone())))
                            .collect(),
                    ),
                    FieldTest::Between { .. } => Test::Between(c),
                },
                f => Test::Plain(f),
            })
            .collect()
    }

    /// Whether a ticket is in the query's queue at `now` and the viewer
    /// may see it: [`QueueQuery::matches`] on its facts.
    fn matches(&self, q: &QueueQuery, tests: &[Test<'_>], s: &Slot, now: DateTime<Utc>) -> bool {
        let allowed = match q.restriction() {
            Restriction::All => true,
            Restriction::TeamsOrAssignee { teams, agent } => {
                self.assignee_of(s) == Some(*agent)
                    || self.team_of(s).is_some_and(|t| teams.contains(&t))
            }
            Restriction::Assignee(a) => self.assignee_of(s) == Some(*a),
            Restriction::Requester(contacts) => s.requester.is_some_and(|c| contacts.contains(&c)),
            Restriction::Customer(c) => s.customer == *c,
        };
        allowed && tests.iter().all(|t| self.passes(q, t, s, now))
    }

    fn passes(&self, q: &QueueQuery, t: &Test<'_>, s: &Slot, now: DateTime<Utc>) -> bool {
        let has = |id: &u32| s.terms.binary_search(id).is_ok();
        match t {
            Test::AllTerms(None) => false,
            Test::AllTerms(Some(ids)) => ids.iter().all(has),
            Test::AnyTerm(ids) => ids.iter().any(has),
            Test::NoTerm(ids) => !ids.iter().any(has),
            Test::Between(c) => {
                let FieldTest::Between { min, max } = &c.test else {
                    return false;
                };
                s.terms.iter().any(|id| {
                    matches!(
                        self.terms.terms.get(*id as usize),
                        Some(Some(Term::Value(k, v))) if *k == c.key
                            && crate::field::term_between(v, min.as_ref(), max.as_ref())
                    )
                })
            }
            Test::Plain(f) => match f {
                Filter::Status(set) => set.contains(&s.status),
                Filter::Priority(set) => set.contains(&s.priority),
                Filter::Type(set) => set.contains(&s.ticket_type),
                Filter::Channel(set) => set.contains(&s.channel),
                Filter::Assignee(set) => {
                    let assignee = self.assignee_of(s);
                    set.iter().any(|a| match a {
                        super::AssigneeIs::Agent(a) => assignee == Some(*a),
                        super::AssigneeIs::Me => q.viewer().is_some() && assignee == q.viewer(),
                        super::AssigneeIs::Unassigned => assignee.is_none(),
                    })
                }
                Filter::Team(set) => set.contains(&self.team_of(s)),
                Filter::Customer(set) => set.contains(&s.customer),
                Filter::Sla(SlaState::Breached) => {
                    s.breached || s.next_deadline.is_some_and(|d| d < now)
                }
                Filter::Sla(SlaState::DueWithin(d)) => s
                    .next_deadline
                    .is_some_and(|at| at >= now && at <= crate::time::plus(now, *d)),
                Filter::Sla(SlaState::NoRunning) => s.next_deadline.is_none(),
                Filter::OpenedBefore(w) => s.opened_at < w.at(now),
                Filter::OpenedAfter(w) => s.opened_at >= w.at(now),
                Filter::UpdatedBefore(w) => s.updated_at < w.at(now),
                Filter::UpdatedAfter(w) => s.updated_at >= w.at(now),
                // Resolved into terms above.
                Filter::Tags(_) | Filter::Field(_) => false,
            },
        }
    }
}

/// Sizes of the index's parts, for tests that no entry is left stale.
#[cfg(test)]
impl QueueIndex {
    fn bits_len<K: Hash + Eq>(b: &Bits<K>, k: &K) -> usize {
        b.get(k)
            .map_or(0, |p| usize::try_from(p.len()).unwrap_or(usize::MAX))
    }

    pub(super) fn tag_len(&self, t: &Tag) -> usize {
        let id = self.terms.id(&Term::Tag(t.clone()));
        self.terms
            .posting(id)
            .map_or(0, |p| usize::try_from(p.len()).unwrap_or(usize::MAX))
    }

    pub(super) fn term_len(&self, k: &FieldKey, t: &FieldTerm) -> usize {
        let id = self.terms.id(&Term::Value(k.clone(), t.clone()));
        self.terms
            .posting(id)
            .map_or(0, |p| usize::try_from(p.len()).unwrap_or(usize::MAX))
    }

    pub(super) fn field_set_len(&self, k: &FieldKey) -> usize {
        let id = self.terms.id(&Term::Set(k.clone()));
        self.terms
            .posting(id)
            .map_or(0, |p| usize::try_from(p.len()).unwrap_or(usize::MAX))
    }

    /// How many terms the table holds (each held by some ticket).
    pub(super) fn terms_held(&self) -> usize {
        assert!(
            self.terms
                .postings
                .iter()
                .enumerate()
                .all(|(i, p)| p.is_empty() == self.terms.terms[i].is_none()),
            "a term is kept with no ticket, or a ticket's term was forgotten"
        );
        self.terms.ids.len()
    }

    pub(super) fn assignee_len(&self, a: &Option<AgentId>) -> usize {
        Self::bits_len(&self.assignee, a)
    }

    pub(super) fn team_len(&self, t: &Option<TeamId>) -> usize {
        Self::bits_len(&self.team, t)
    }

    pub(super) fn customer_len(&self, c: CustomerId) -> usize {
        self.customer.of(c).count()
    }

    pub(super) fn breached_len(&self) -> usize {
        usize::try_from(self.breached.len()).unwrap_or(usize::MAX)
    }

    /// Entries of the sort's index over every ticket, and of its team
    /// indexes together.
    pub(super) fn ordered_len(&self, by: SortBy) -> (usize, usize) {
        (
            self.ordered.by(by).len(),
            self.by_team.values().map(|o| o.by(by).len()).sum(),
        )
    }
}

mod answer;
