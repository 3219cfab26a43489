//! gopkg.in/yaml.v3's alias limit, replayed without expanding aliases.
//!
//! eKuiper (1.x and 2.x, `internal/conf/load.go` `LoadConfigFromPath`)
//! decodes a source's yaml with gopkg.in/yaml.v3 v3.0.1 into a
//! `map[string]interface{}`. Its decoder (`decode.go`) counts every node it
//! visits (`decodeCount`) and those visited while expanding an alias
//! (`aliasCount`), and fails with "document contains excessive aliasing" once
//! there are more than 100 alias and 1000 total visits and the alias share
//! passes `allowedAliasRatio`. It visits the document node, then keys and
//! values in document order; an alias node, then its anchor's whole subtree
//! again. In a mapping with a merge key (`<<`) it skips the `<<` entry, then,
//! after the other entries, visits all the mapping's keys again and then the
//! merged mappings, whose entries the map already has are visited key only.
//!
//! Instead of expanding, every anchored node's visit cost is memoized when it
//! closes (saturating: a cost past `u64::MAX` is past any limit), and an alias
//! adds its anchor's cost in one step. Checking the limit only after that step
//! is exact: inside one expansion both counters grow by one per visit, so the
//! alias share a/d only rises ((a+1)/(d+1) ≥ a/d as a ≤ d) while the allowed
//! share only falls as d grows, so a limit passed anywhere inside the
//! expansion still holds at its end. Visits outside aliases are checked one by
//! one: there the allowed share can fall faster than a/d.

use std::collections::HashSet;

use saphyr_parser::Event;

use super::keys::{KeyId, KeyName, KeyType};

/// yaml.v3's `alias_ratio_range_low` and `alias_ratio_range_high`.
const RATIO_RANGE_LOW: u64 = 400_000;
const RATIO_RANGE_HIGH: u64 = 4_000_000;

/// Work units (merged entries followed) allowed per input character. A
/// document yaml.v3 accepts needs at most about 200: its visits, which bound
/// ours, are at most 100 times those outside aliases, at most two per event.
const MERGE_WORK_PER_CHAR: u64 = 256;
const MERGE_WORK_FLOOR: u64 = 1 << 20;

/// The share of visits yaml.v3 lets come from aliases, as it computes it.
pub(super) fn allowed_alias_ratio(decoded: u64) -> f64 {
    if decoded <= RATIO_RANGE_LOW {
        0.99
    } else if decoded >= RATIO_RANGE_HIGH {
        0.10
    } else {
        let range = (RATIO_RANGE_HIGH - RATIO_RANGE_LOW) as f64;
        0.99 - 0.89 * ((decoded - RATIO_RANGE_LOW) as f64 / range)
    }
}

/// Characters `start..end` of the node a refusal is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Site {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cause {
    /// The alias share passed the limit, at the latest once the alias at the
    /// site had expanded into `expansion` nodes.
    Excessive {
        expansion: u64,
        decoded: u64,
        aliased: u64,
    },
    /// An alias inside the node its anchor names.
    ContainsItself,
    /// `<<` given something other than a mapping or a sequence of them.
    MergeNotMapping,
    /// A mapping or sequence used as a mapping key.
    CollectionKey,
    /// Merge keys chaining further than any document yaml.v3 accepts.
    MergeWork,
}

/// Why yaml.v3 refuses the document, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Refusal {
    pub site: Site,
    pub cause: Cause,
}

/// What visiting a node costs the decoder: the visits, or where it fails.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    nodes: u64,
    failure: Option<Refusal>,
}

impl Cost {
    const NODE: Cost = Cost {
        nodes: 1,
        failure: None,
    };

    fn failed(site: Site, cause: Cause) -> Cost {
        Cost {
            nodes: 0,
            failure: Some(Refusal { site, cause }),
        }
    }

    fn add(&mut self, other: Cost) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.failure = self.failure.or(other.failure);
    }

    fn plus(mut self, other: Cost) -> Cost {
        self.add(other);
        self
    }
}

/// One stretch of the decoder's visits, in its order.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Visits outside any alias.
    Nodes(u64),
    /// The expansion of the alias at `site`.
    Expand {
        cost: Cost,
        site: Site,
    },
    Fail(Refusal),
}

#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    decoded: u64,
    aliased: u64,
}

impl Counters {
    fn excessive(self) -> bool {
        self.aliased > 100
            && self.decoded > 1000
            && self.aliased as f64 / self.decoded as f64 > allowed_alias_ratio(self.decoded)
    }
}

/// Where the steps of the nodes being read go.
enum Buffer {
    /// Nodes yaml.v3 does not visit in place: a merge value (replayed when
    /// its mapping ends) or the value of a top-level key that does not decode.
    Discard,
    /// A merge source's value, replayed only if its key is new to the map.
    Keep(Vec<Step>),
}

/// The replay: steps in the decoder's order, into the counters unless a
/// buffer holds them back.
#[derive(Default)]
struct Output {
    buffers: Vec<Buffer>,
    counters: Counters,
    refusal: Option<Refusal>,
    /// The event being read, for a limit passed outside any alias.
    here: Site,
}

impl Output {
    fn emit(&mut self, step: Step) {
        match self.buffers.last_mut() {
            Some(Buffer::Discard) => {}
            Some(Buffer::Keep(steps)) => push_step(steps, step),
            None => self.count(step),
        }
    }

    fn count(&mut self, step: Step) {
        if self.refusal.is_some() {
            return;
        }
        match step {
            Step::Nodes(nodes) => {
                for _ in 0..nodes {
                    self.counters.decoded = self.counters.decoded.saturating_add(1);
                    if self.counters.excessive() {
                        self.refuse(self.here, 0);
                        return;
                    }
                }
            }
            Step::Expand { cost, site } => {
                if let Some(failure) = cost.failure {
                    self.refusal = Some(failure);
                    return;
                }
                let counters = &mut self.counters;
                counters.decoded = counters.decoded.saturating_add(cost.nodes);
                counters.aliased = counters.aliased.saturating_add(cost.nodes);
                if counters.excessive() {
                    self.refuse(site, cost.nodes);
                }
            }
            Step::Fail(refusal) => self.refusal = Some(refusal),
        }
    }

    fn refuse(&mut self, site: Site, expansion: u64) {
        let Counters { decoded, aliased } = self.counters;
        self.refusal = Some(Refusal {
            site,
            cause: Cause::Excessive {
                expansion,
                decoded,
                aliased,
            },
        });
    }
}

fn push_step(steps: &mut Vec<Step>, step: Step) {
    if let (Some(Step::Nodes(run)), Step::Nodes(more)) = (steps.last_mut(), step) {
        *run = run.saturating_add(more);
        return;
    }
    steps.push(step);
}

/// What a memoized anchor is.
#[derive(Debug)]
enum Shape {
    Scalar(KeyName),
    Sequence,
    Mapping(Source),
}

#[derive(Debug)]
struct Anchor {
    /// Visiting the node where it is not merged.
    cost: Cost,
    shape: Shape,
}

/// A mapping key as the decoder meets it.
#[derive(Debug)]
enum Key {
    Scalar(KeyName),
    Alias { anchor: usize, site: Site },
    Collection { cost: Cost, site: Site },
}

#[derive(Debug)]
struct Entry {
    key: Key,
    /// Visiting the value, unless the key does not decode.
    value: Cost,
    /// The value's steps, kept for a merge source.
    steps: Vec<Step>,
}

/// A mapping that can be merged: its entries and its own merge value.
#[derive(Debug)]
struct Source {
    entries: Vec<Entry>,
    merge: Option<Box<Merge>>,
    /// Visiting it when the map already has all its keys.
    keys_only: Cost,
}

/// The value of a `<<` key.
#[derive(Debug)]
enum Merge {
    Alias {
        anchor: usize,
        site: Site,
    },
    Inline(Box<Source>),
    /// An inline mapping with an anchor, kept in the anchor table.
    Anchored(usize),
    Items(Vec<Merge>),
    Invalid(Site),
}

/// How the enclosing node uses a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Document,
    Key,
    Value,
    /// The value of a top-level key yaml.v3 cannot decode into a string.
    Skipped,
    Item,
    MergeValue,
    MergeItem,
}

#[derive(Debug)]
struct Frame {
    site: Site,
    anchor: usize,
    role: Role,
    buffered: bool,
    /// Visiting the node where it is not merged, so far.
    cost: Cost,
    shape: FrameShape,
}

#[derive(Debug)]
enum FrameShape {
    Mapping(Mapping),
    /// `Some` for a merge value's sequence, which lists merge sources.
    Sequence(Option<Vec<Merge>>),
}

#[derive(Debug)]
struct Mapping {
    top: bool,
    /// Whether every key so far keeps it a `map[string]interface{}`.
    string_keys: bool,
    entries: Vec<Entry>,
    /// The key read, waiting for its value.
    pending: Option<Key>,
    merge: Option<Merge>,
}

/// What a finished node hands to the node holding it.
enum Done {
    Key(Key),
    Value { cost: Cost, steps: Vec<Step> },
    Merge(Merge),
}

/// Replays yaml.v3's counting over the first document's events.
pub(super) struct Decoding {
    anchors: Vec<Option<Anchor>>,
    frames: Vec<Frame>,
    output: Output,
    started: bool,
    work_left: u64,
}

impl Decoding {
    pub(super) fn new(text_len: usize) -> Decoding {
        let chars = u64::try_from(text_len).unwrap_or(u64::MAX);
        Decoding {
            anchors: Vec::new(),
            frames: Vec::new(),
            output: Output::default(),
            started: false,
            work_left: chars
                .saturating_mul(MERGE_WORK_PER_CHAR)
                .saturating_add(MERGE_WORK_FLOOR),
        }
    }

    /// Takes the next event; fails once yaml.v3 would have refused.
    pub(super) fn event(&mut self, event: &Event, site: Site) -> Result<(), Refusal> {
        if let Some(refusal) = self.output.refusal {
            return Err(refusal);
        }
        self.output.here = site;
        match event {
            Event::DocumentStart(_) if !self.started => {
                self.started = true;
                self.output.emit(Step::Nodes(1));
            }
            Event::Scalar(value, style, anchor, tag) => {
                let name = KeyName::new(value, *style, tag.as_deref());
                self.scalar(name, *anchor, site);
            }
            Event::Alias(anchor) => self.alias(*anchor, site),
            Event::MappingStart(anchor, _) => self.open(true, *anchor, site),
            Event::SequenceStart(anchor, _) => self.open(false, *anchor, site),
            Event::MappingEnd | Event::SequenceEnd => self.close(),
            _ => {}
        }
        match self.output.refusal {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        }
    }

    fn scalar(&mut self, name: KeyName, anchor: usize, site: Site) {
        let role = self.next_role();
        let buffered = self.enter(role);
        let merge_key = role == Role::Key && name.is_merge();
        if !merge_key {
            self.output.emit(Step::Nodes(1));
        }
        let steps = self.leave(buffered);
        let done = match role {
            Role::Key => Done::Key(Key::Scalar(name.clone())),
            Role::MergeValue | Role::MergeItem => Done::Merge(Merge::Invalid(site)),
            _ => Done::Value {
                cost: Cost::NODE,
                steps,
            },
        };
        if anchor != 0 {
            self.memoize(anchor, Cost::NODE, Shape::Scalar(name));
        }
        self.give(role, done);
    }

    fn alias(&mut self, anchor: usize, site: Site) {
        let role = self.next_role();
        let buffered = self.enter(role);
        let target = anchor_cost(&self.anchors, anchor, site);
        self.output.emit(Step::Nodes(1));
        self.output.emit(Step::Expand { cost: target, site });
        let steps = self.leave(buffered);
        let done = match role {
            Role::Key => Done::Key(Key::Alias { anchor, site }),
            Role::MergeValue | Role::MergeItem => Done::Merge(Merge::Alias { anchor, site }),
            _ => Done::Value {
                cost: Cost::NODE.plus(target),
                steps,
            },
        };
        if role == Role::Key
            && let Some(refusal) = key_failure(&self.anchors, anchor, site)
        {
            self.output.emit(Step::Fail(refusal));
        }
        self.give(role, done);
    }

    fn open(&mut self, mapping: bool, anchor: usize, site: Site) {
        let role = self.next_role();
        let buffered = self.enter(role);
        self.output.emit(Step::Nodes(1));
        let shape = if mapping {
            FrameShape::Mapping(Mapping {
                top: role == Role::Document,
                string_keys: true,
                entries: Vec::new(),
                pending: None,
                merge: None,
            })
        } else {
            FrameShape::Sequence((role == Role::MergeValue).then(Vec::new))
        };
        self.frames.push(Frame {
            site,
            anchor,
            role,
            buffered,
            cost: Cost::NODE,
            shape,
        });
    }

    fn close(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let Frame {
            site,
            anchor,
            role,
            buffered,
            mut cost,
            shape,
        } = frame;
        let done = match shape {
            FrameShape::Mapping(mapping) => {
                if let Some(merge) = &mapping.merge {
                    cost.add(self.merge_in_place(&mapping, merge));
                }
                let source = self.source(mapping);
                let steps = self.leave(buffered);
                self.finish_mapping(role, (anchor, site), cost, source, steps)
            }
            FrameShape::Sequence(items) => {
                let steps = self.leave(buffered);
                if anchor != 0 {
                    self.memoize(anchor, cost, Shape::Sequence);
                }
                match (role, items) {
                    (Role::MergeValue, Some(items)) => Done::Merge(Merge::Items(items)),
                    (Role::MergeValue | Role::MergeItem, _) => Done::Merge(Merge::Invalid(site)),
                    (Role::Key, _) => Done::Key(Key::Collection { cost, site }),
                    _ => Done::Value { cost, steps },
                }
            }
        };
        if let Done::Key(Key::Collection { site, .. }) = &done {
            let refusal = Refusal {
                site: *site,
                cause: Cause::CollectionKey,
            };
            self.output.emit(Step::Fail(refusal));
        }
        self.give(role, done);
    }

    fn finish_mapping(
        &mut self,
        role: Role,
        (anchor, site): (usize, Site),
        cost: Cost,
        source: Source,
        steps: Vec<Step>,
    ) -> Done {
        let merged = matches!(role, Role::MergeValue | Role::MergeItem);
        let merge = if anchor == 0 {
            Merge::Inline(Box::new(source))
        } else {
            self.memoize(anchor, cost, Shape::Mapping(source));
            Merge::Anchored(anchor)
        };
        match role {
            _ if merged => Done::Merge(merge),
            Role::Key => Done::Key(Key::Collection { cost, site }),
            _ => Done::Value { cost, steps },
        }
    }

    fn source(&self, mapping: Mapping) -> Source {
        let mut keys_only = Cost::NODE;
        for entry in mapping.entries.iter().filter(|e| !is_merge_key(&e.key)) {
            keys_only.add(key_cost(&self.anchors, &entry.key));
        }
        if let Some(merge) = &mapping.merge {
            keys_only.add(merge_keys_only(&self.anchors, merge));
        }
        Source {
            entries: mapping.entries,
            merge: mapping.merge.map(Box::new),
            keys_only,
        }
    }

    fn memoize(&mut self, anchor: usize, cost: Cost, shape: Shape) {
        if self.anchors.len() <= anchor {
            self.anchors.resize_with(anchor.saturating_add(1), || None);
        }
        if let Some(slot) = self.anchors.get_mut(anchor) {
            *slot = Some(Anchor { cost, shape });
        }
    }

    /// How the innermost open node uses the node starting now.
    fn next_role(&self) -> Role {
        match self.frames.last().map(|frame| &frame.shape) {
            None => Role::Document,
            Some(FrameShape::Sequence(Some(_))) => Role::MergeItem,
            Some(FrameShape::Sequence(None)) => Role::Item,
            Some(FrameShape::Mapping(mapping)) => match &mapping.pending {
                None => Role::Key,
                Some(key) if is_merge_key(key) => Role::MergeValue,
                Some(key)
                    if mapping.top && key_id(&self.anchors, key, KeyType::String).is_none() =>
                {
                    Role::Skipped
                }
                Some(_) => Role::Value,
            },
        }
    }

    /// Holds back the steps of a node yaml.v3 does not visit in place.
    fn enter(&mut self, role: Role) -> bool {
        let buffer = match role {
            Role::Skipped | Role::MergeValue => Buffer::Discard,
            Role::Value if self.in_merge_source() => Buffer::Keep(Vec::new()),
            _ => return false,
        };
        self.output.buffers.push(buffer);
        true
    }

    fn leave(&mut self, buffered: bool) -> Vec<Step> {
        if !buffered {
            return Vec::new();
        }
        match self.output.buffers.pop() {
            Some(Buffer::Keep(steps)) => steps,
            _ => Vec::new(),
        }
    }

    fn in_merge_source(&self) -> bool {
        self.frames
            .last()
            .is_some_and(|frame| matches!(frame.role, Role::MergeValue | Role::MergeItem))
    }

    /// Hands a finished node to the node holding it.
    fn give(&mut self, role: Role, done: Done) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        match (&mut frame.shape, done) {
            (FrameShape::Mapping(mapping), Done::Key(key)) => {
                if !is_merge_key(&key) {
                    frame.cost.add(key_cost(&self.anchors, &key));
                }
                mapping.string_keys &= key_is_string(&self.anchors, &key);
                mapping.pending = Some(key);
            }
            (FrameShape::Mapping(mapping), Done::Value { cost, steps }) => {
                if role != Role::Skipped {
                    frame.cost.add(cost);
                }
                if let Some(key) = mapping.pending.take() {
                    mapping.entries.push(Entry {
                        key,
                        value: cost,
                        steps,
                    });
                }
            }
            (FrameShape::Mapping(mapping), Done::Merge(merge)) => {
                if let Some(key) = mapping.pending.take() {
                    mapping.entries.push(Entry {
                        key,
                        value: Cost::default(),
                        steps: Vec::new(),
                    });
                }
                mapping.merge = Some(merge);
            }
            (FrameShape::Sequence(Some(items)), Done::Merge(merge)) => items.push(merge),
            (FrameShape::Sequence(_), Done::Value { cost, .. }) => frame.cost.add(cost),
            _ => {}
        }
    }

    /// The end of a mapping with `<<`: yaml.v3 visits all its keys again,
    /// then merges. Returns what that costs.
    fn merge_in_place(&mut self, mapping: &Mapping, merge: &Merge) -> Cost {
        let key_type = if mapping.top || mapping.string_keys {
            KeyType::String
        } else {
            KeyType::Any
        };
        let mut walk = Walk {
            anchors: &self.anchors,
            key_type,
            known: HashSet::new(),
            seen: HashSet::new(),
            work_left: &mut self.work_left,
            here: self.output.here,
        };
        let mut total = Cost::default();
        for entry in &mapping.entries {
            total.add(walk.key_in_place(&entry.key, &mut self.output));
            if let Some(id) = key_id(walk.anchors, &entry.key, KeyType::Any) {
                walk.known.insert(id);
            }
        }
        total.add(walk.in_place(merge, &mut self.output));
        total
    }
}

/// One merge: the keys the map has so far and the anchored sources visited.
struct Walk<'a> {
    anchors: &'a [Option<Anchor>],
    key_type: KeyType,
    known: HashSet<KeyId<'a>>,
    /// Anchored sources already merged in this walk: their keys are all
    /// known now, so visiting them again visits keys only.
    seen: HashSet<usize>,
    work_left: &'a mut u64,
    /// The end of the merging mapping, blamed when the work runs out.
    here: Site,
}

enum Work<'a> {
    Merge(&'a Merge),
    Source(&'a Source, Option<usize>),
}

impl<'a> Walk<'a> {
    /// Merges outside any alias, emitting steps.
    fn in_place(&mut self, merge: &'a Merge, output: &mut Output) -> Cost {
        let mut total = Cost::default();
        let mut stack = vec![Work::Merge(merge)];
        while let Some(work) = stack.pop() {
            if total.failure.is_some() {
                break;
            }
            let cost = match work {
                Work::Merge(Merge::Alias { anchor, site }) => {
                    output.emit(Step::Nodes(1));
                    let cost = self.alias_target(*anchor, *site);
                    output.emit(Step::Expand { cost, site: *site });
                    Cost::NODE.plus(cost)
                }
                Work::Merge(Merge::Invalid(site)) => {
                    let cost = Cost::failed(*site, Cause::MergeNotMapping);
                    if let Some(refusal) = cost.failure {
                        output.emit(Step::Fail(refusal));
                    }
                    cost
                }
                Work::Merge(merge) => {
                    self.expand(merge, &mut stack);
                    Cost::default()
                }
                Work::Source(source, anchor) => {
                    if let Some(anchor) = anchor {
                        self.seen.insert(anchor);
                    }
                    self.source_in_place(source, &mut stack, output)
                }
            };
            total.add(cost);
        }
        total
    }

    fn source_in_place(
        &mut self,
        source: &'a Source,
        stack: &mut Vec<Work<'a>>,
        output: &mut Output,
    ) -> Cost {
        if !self.spend(source) {
            let refusal = self.exhausted();
            output.emit(Step::Fail(refusal));
            return Cost {
                nodes: 0,
                failure: Some(refusal),
            };
        }
        output.emit(Step::Nodes(1));
        let mut total = Cost::NODE;
        for entry in source.entries.iter().filter(|e| !is_merge_key(&e.key)) {
            total.add(self.key_in_place(&entry.key, output));
            if self.is_new(&entry.key) {
                for step in &entry.steps {
                    output.emit(*step);
                }
                total.add(entry.value);
            }
        }
        if let Some(merge) = &source.merge {
            stack.push(Work::Merge(merge));
        }
        total
    }

    fn key_in_place(&self, key: &Key, output: &mut Output) -> Cost {
        let cost = key_cost(self.anchors, key);
        match key {
            Key::Scalar(_) => output.emit(Step::Nodes(1)),
            Key::Alias { anchor, site } => {
                output.emit(Step::Nodes(1));
                let target = anchor_cost(self.anchors, *anchor, *site);
                output.emit(Step::Expand {
                    cost: target,
                    site: *site,
                });
            }
            Key::Collection { .. } => {}
        }
        if let Some(refusal) = cost.failure {
            output.emit(Step::Fail(refusal));
        }
        cost
    }

    /// Merging the mapping an alias names, which happens inside the alias:
    /// only the total matters.
    fn alias_target(&mut self, anchor: usize, site: Site) -> Cost {
        let mut stack = Vec::new();
        let mut total = self.target(anchor, site, &mut stack);
        while let Some(work) = stack.pop() {
            if total.failure.is_some() {
                break;
            }
            let cost = match work {
                Work::Merge(Merge::Alias { anchor, site }) => {
                    Cost::NODE.plus(self.target(*anchor, *site, &mut stack))
                }
                Work::Merge(Merge::Invalid(site)) => Cost::failed(*site, Cause::MergeNotMapping),
                Work::Merge(merge) => {
                    self.expand(merge, &mut stack);
                    Cost::default()
                }
                Work::Source(source, anchor) => self.source_total(source, anchor, &mut stack),
            };
            total.add(cost);
        }
        total
    }

    fn target(&self, anchor: usize, site: Site, stack: &mut Vec<Work<'a>>) -> Cost {
        match self.anchors.get(anchor) {
            Some(Some(Anchor {
                shape: Shape::Mapping(source),
                ..
            })) => {
                stack.push(Work::Source(source, Some(anchor)));
                Cost::default()
            }
            Some(Some(_)) => Cost::failed(site, Cause::MergeNotMapping),
            _ => Cost::failed(site, Cause::ContainsItself),
        }
    }

    fn source_total(
        &mut self,
        source: &'a Source,
        anchor: Option<usize>,
        stack: &mut Vec<Work<'a>>,
    ) -> Cost {
        if let Some(anchor) = anchor
            && !self.seen.insert(anchor)
        {
            return source.keys_only;
        }
        if !self.spend(source) {
            return Cost {
                nodes: 0,
                failure: Some(self.exhausted()),
            };
        }
        let mut total = Cost::NODE;
        for entry in source.entries.iter().filter(|e| !is_merge_key(&e.key)) {
            total.add(key_cost(self.anchors, &entry.key));
            if self.is_new(&entry.key) {
                total.add(entry.value);
            }
        }
        if let Some(merge) = &source.merge {
            stack.push(Work::Merge(merge));
        }
        total
    }

    /// Queues the parts of an inline merge value, first part on top.
    fn expand(&self, merge: &'a Merge, stack: &mut Vec<Work<'a>>) {
        match merge {
            Merge::Inline(source) => stack.push(Work::Source(source, None)),
            Merge::Anchored(anchor) => {
                if let Some(Some(Anchor {
                    shape: Shape::Mapping(source),
                    ..
                })) = self.anchors.get(*anchor)
                {
                    stack.push(Work::Source(source, Some(*anchor)));
                }
            }
            Merge::Items(items) => stack.extend(items.iter().rev().map(Work::Merge)),
            Merge::Alias { .. } | Merge::Invalid(_) => {}
        }
    }

    /// Whether yaml.v3 decodes the entry's value: its key decodes and the
    /// map does not have it yet.
    fn is_new(&mut self, key: &'a Key) -> bool {
        key_id(self.anchors, key, self.key_type).is_some_and(|id| self.known.insert(id))
    }

    fn spend(&mut self, source: &Source) -> bool {
        let work = u64::try_from(source.entries.len())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        match self.work_left.checked_sub(work) {
            Some(left) => {
                *self.work_left = left;
                true
            }
            None => false,
        }
    }

    fn exhausted(&self) -> Refusal {
        Refusal {
            site: self.here,
            cause: Cause::MergeWork,
        }
    }
}

fn is_merge_key(key: &Key) -> bool {
    matches!(key, Key::Scalar(name) if name.is_merge())
}

/// What visiting an alias's target costs; an anchor still open is one the
/// alias sits inside.
fn anchor_cost(anchors: &[Option<Anchor>], anchor: usize, site: Site) -> Cost {
    match anchors.get(anchor) {
        Some(Some(memo)) => memo.cost,
        _ => Cost::failed(site, Cause::ContainsItself),
    }
}

fn scalar_name(anchors: &[Option<Anchor>], anchor: usize) -> Option<&KeyName> {
    match anchors.get(anchor) {
        Some(Some(Anchor {
            shape: Shape::Scalar(name),
            ..
        })) => Some(name),
        _ => None,
    }
}

/// An alias key naming a collection fails like a collection key.
fn key_failure(anchors: &[Option<Anchor>], anchor: usize, site: Site) -> Option<Refusal> {
    match anchors.get(anchor) {
        Some(Some(Anchor {
            shape: Shape::Scalar(_),
            ..
        })) => None,
        Some(Some(_)) => Some(Refusal {
            site,
            cause: Cause::CollectionKey,
        }),
        _ => Some(Refusal {
            site,
            cause: Cause::ContainsItself,
        }),
    }
}

fn key_cost(anchors: &[Option<Anchor>], key: &Key) -> Cost {
    match key {
        Key::Scalar(_) => Cost::NODE,
        Key::Alias { anchor, site } => {
            let mut cost = Cost::NODE.plus(anchor_cost(anchors, *anchor, *site));
            cost.failure = cost.failure.or(key_failure(anchors, *anchor, *site));
            cost
        }
        Key::Collection { cost, site } => cost.plus(Cost::failed(*site, Cause::CollectionKey)),
    }
}

fn key_id<'a>(anchors: &'a [Option<Anchor>], key: &'a Key, key_type: KeyType) -> Option<KeyId<'a>> {
    match key {
        Key::Scalar(name) => name.id(key_type),
        Key::Alias { anchor, .. } => scalar_name(anchors, *anchor)?.id(key_type),
        Key::Collection { .. } => None,
    }
}

fn key_is_string(anchors: &[Option<Anchor>], key: &Key) -> bool {
    match key {
        Key::Scalar(name) => name.is_string(),
        Key::Alias { anchor, .. } => scalar_name(anchors, *anchor).is_some_and(KeyName::is_string),
        Key::Collection { .. } => false,
    }
}

/// A merge value's visit once the map has all its keys.
fn merge_keys_only(anchors: &[Option<Anchor>], merge: &Merge) -> Cost {
    match merge {
        Merge::Alias { anchor, site } => Cost::NODE.plus(match anchors.get(*anchor) {
            Some(Some(Anchor {
                shape: Shape::Mapping(source),
                ..
            })) => source.keys_only,
            Some(Some(_)) => Cost::failed(*site, Cause::MergeNotMapping),
            _ => Cost::failed(*site, Cause::ContainsItself),
        }),
        Merge::Inline(source) => source.keys_only,
        Merge::Anchored(anchor) => match anchors.get(*anchor) {
            Some(Some(Anchor {
                shape: Shape::Mapping(source),
                ..
            })) => source.keys_only,
            _ => Cost::default(),
        },
        Merge::Items(items) => items.iter().fold(Cost::default(), |total, item| {
            total.plus(merge_keys_only(anchors, item))
        }),
        Merge::Invalid(site) => Cost::failed(*site, Cause::MergeNotMapping),
    }
}

#[cfg(test)]
mod tests;
