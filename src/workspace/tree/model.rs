//! The tree in memory: one node per entry beneath the root, in an arena addressed by `u32`,
//! each folder with a table of its children, and the indexes the assistant asks (folded name,
//! words, extension). Every operation costs what it touches, never what the tree holds: adding
//! or removing an entry is O(1) (plus its subtree for a folder), a lookup by path O(depth), by
//! name O(entries of that name).
//!
//! Nothing here reads the disk: `Tree` feeds it what `lstat` said.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::hash::{BuildHasher, Hash, Hasher};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use hashbrown::{DefaultHashBuilder, HashTable};

use super::meta::Meta;
use super::words::{extension, words};
use crate::fold::fold;
use crate::protocol::Entry;
use crate::workspace::rawname;

pub const ROOT: u32 = 0;
const NONE: u32 = u32::MAX;

/// How a folder's contents are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// Not watched: its contents are not kept current.
    None,
    /// Watched by this inotify descriptor.
    Wd(i32),
    /// Beyond the watch limit: re-read every few seconds.
    Polled,
}

#[derive(Debug)]
struct Folder {
    children: HashTable<u32>,
    /// Whether every child is in the model (else only those met so far).
    loaded: bool,
    watch: Watch,
}

#[derive(Debug)]
struct Node {
    /// The name's bytes; empty for the root and for a free slot.
    name: Name,
    parent: u32,
    meta: Meta,
    folder: Option<Box<Folder>>,
    /// Hash of the folded name: the name index's key.
    fhash: u64,
    /// Neighbours in the chain of entries with the same folded name.
    prev: u32,
    next: u32,
    /// Changes whenever the slot is reused: an id and a generation name one entry for good.
    generation: u32,
    /// Changes whenever the slot is reused or renamed, so that postings of the word index
    /// that still point here can tell they are stale.
    spelling: u32,
}

/// A name's bytes: most names are short, and kept in the node itself (a name on the heap
/// costs its pointer and a 32-byte allocation besides).
#[derive(Debug)]
enum Name {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

const INLINE: usize = 22;

impl Name {
    fn new(name: &[u8]) -> Self {
        match u8::try_from(name.len()) {
            Ok(len) if name.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..name.len()].copy_from_slice(name);
                Name::Inline { len, bytes }
            }
            _ => Name::Heap(name.into()),
        }
    }

    fn heap_len(&self) -> usize {
        match self {
            Name::Inline { .. } => 0,
            Name::Heap(b) => b.len(),
        }
    }
}

impl Default for Name {
    fn default() -> Self {
        Name::new(b"")
    }
}

impl std::ops::Deref for Name {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Name::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Name::Heap(b) => b,
        }
    }
}

/// What `upsert` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// A new entry (or one that replaced another of the same name: new inode or kind).
    Created(u32),
    /// The same entry; `changed` when its metadata moved.
    Same { id: u32, changed: bool },
}

impl Upsert {
    pub fn id(self) -> u32 {
        match self {
            Upsert::Created(id) | Upsert::Same { id, .. } => id,
        }
    }
}

/// Postings of one word: (node, spelling). Most words belong to one name ("000123" of
/// "registro-000123.csv"), so one posting is kept inline; a list drops its stale postings when
/// it has doubled since it was last cleaned, so it never holds more than about twice its live
/// entries.
#[derive(Debug)]
enum Posting {
    One((u32, u32)),
    Many(Box<Many>),
}

#[derive(Debug)]
struct Many {
    items: Vec<(u32, u32)>,
    clean_len: u32,
}

impl Posting {
    fn items(&self) -> &[(u32, u32)] {
        match self {
            Posting::One(p) => std::slice::from_ref(p),
            Posting::Many(m) => &m.items,
        }
    }

    /// Adds a posting; `live` says whether an older one still stands.
    fn push(&mut self, p: (u32, u32), live: impl Fn((u32, u32)) -> bool) {
        match self {
            Posting::One(old) if !live(*old) => *old = p,
            Posting::One(old) => {
                *self = Posting::Many(Box::new(Many {
                    items: vec![*old, p],
                    clean_len: 2,
                }))
            }
            Posting::Many(m) => {
                m.items.push(p);
                if m.items.len() > 2 * m.clean_len as usize + 8 {
                    m.items.retain(|&q| live(q));
                    m.clean_len = m.items.len() as u32;
                }
            }
        }
    }
}

/// Nodes in chunks of `CHUNK_NODES`: growing never copies the ones there (a big tree's arena
/// would otherwise be copied, doubled, under the write lock) and wastes at most one chunk.
#[derive(Default)]
struct Arena {
    chunks: Vec<Vec<Node>>,
    len: usize,
}

const CHUNK_NODES: usize = 4096;

impl Arena {
    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, i: usize) -> Option<&Node> {
        self.chunks.get(i / CHUNK_NODES)?.get(i % CHUNK_NODES)
    }

    fn push(&mut self, node: Node) {
        if self.len.is_multiple_of(CHUNK_NODES) {
            self.chunks.push(Vec::with_capacity(CHUNK_NODES));
        }
        if let Some(last) = self.chunks.last_mut() {
            last.push(node);
            self.len += 1;
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Node> {
        self.chunks.iter().flatten()
    }

    fn capacity(&self) -> usize {
        self.chunks.len() * CHUNK_NODES
    }
}

impl std::ops::Index<usize> for Arena {
    type Output = Node;

    fn index(&self, i: usize) -> &Node {
        &self.chunks[i / CHUNK_NODES][i % CHUNK_NODES]
    }
}

impl std::ops::IndexMut<usize> for Arena {
    fn index_mut(&mut self, i: usize) -> &mut Node {
        &mut self.chunks[i / CHUNK_NODES][i % CHUNK_NODES]
    }
}

pub struct Model {
    nodes: Arena,
    free: Vec<u32>,
    hasher: DefaultHashBuilder,
    /// Heads of the same-folded-name chains, by `fhash`.
    names: HashTable<u32>,
    /// Word and extension hashes → the entries whose name holds them.
    words: HashMap<u64, Posting>,
    wds: HashMap<i32, u32>,
    gone_wds: Vec<i32>,
    polled: std::collections::BTreeSet<u32>,
    fingerprint: u64,
    count: usize,
    /// Entries removed or renamed since the word index was last swept of their postings.
    stale: usize,
}

impl Default for Model {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("entries", &self.count)
            .finish_non_exhaustive()
    }
}

/// The fingerprint's hash of one entry: the same in every process (translation caches shared
/// through Redis compare fingerprints), so a fixed-key hasher.
fn entry_print(path: &[u8], dir: bool) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    path.hash(&mut h);
    dir.hash(&mut h);
    h.finish()
}

impl Model {
    pub fn new() -> Self {
        let root = Node {
            name: Name::default(),
            parent: NONE,
            meta: Meta {
                kind: crate::protocol::EntryKind::Dir,
                ..Meta::unreadable()
            },
            folder: Some(Box::new(Folder {
                children: HashTable::new(),
                loaded: false,
                watch: Watch::None,
            })),
            fhash: 0,
            prev: NONE,
            next: NONE,
            generation: 0,
            spelling: 0,
        };
        Self {
            nodes: {
                let mut a = Arena::default();
                a.push(root);
                a
            },
            free: Vec::new(),
            hasher: DefaultHashBuilder::default(),
            names: HashTable::new(),
            words: HashMap::new(),
            wds: HashMap::new(),
            gone_wds: Vec::new(),
            polled: std::collections::BTreeSet::new(),
            fingerprint: 0,
            count: 0,
            stale: 0,
        }
    }

    /// Entries in the model, the root not counted.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Changes whenever an entry appears, goes or changes kind anywhere: part of the
    /// translation cache's key.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    fn live(&self, id: u32) -> bool {
        self.nodes
            .get(id as usize)
            .is_some_and(|n| id == ROOT || n.parent != NONE)
    }

    /// Whether `id` still stands for the entry it stood for when its generation was read.
    pub fn alive(&self, id: u32, generation: u32) -> bool {
        self.live(id) && self.nodes[id as usize].generation == generation
    }

    pub fn generation(&self, id: u32) -> u32 {
        self.nodes.get(id as usize).map_or(0, |n| n.generation)
    }

    pub fn name(&self, id: u32) -> &[u8] {
        &self.nodes[id as usize].name
    }

    /// The name as text, when it is UTF-8.
    pub fn name_str(&self, id: u32) -> Option<&str> {
        std::str::from_utf8(self.name(id)).ok()
    }

    pub fn meta(&self, id: u32) -> Meta {
        self.nodes[id as usize].meta
    }

    pub fn parent(&self, id: u32) -> Option<u32> {
        Some(self.nodes[id as usize].parent).filter(|&p| p != NONE)
    }

    pub fn is_dir(&self, id: u32) -> bool {
        self.nodes[id as usize].folder.is_some()
    }

    /// Whether every child of the folder `id` is known.
    pub fn is_loaded(&self, id: u32) -> bool {
        self.nodes[id as usize]
            .folder
            .as_ref()
            .is_some_and(|f| f.loaded)
    }

    pub fn watch(&self, id: u32) -> Watch {
        self.nodes[id as usize]
            .folder
            .as_ref()
            .map_or(Watch::None, |f| f.watch)
    }

    /// The folder an inotify descriptor watches.
    pub fn by_wd(&self, wd: i32) -> Option<u32> {
        self.wds.get(&wd).copied().filter(|&id| self.live(id))
    }

    pub fn set_loaded(&mut self, id: u32, loaded: bool) {
        if let Some(f) = self.nodes[id as usize].folder.as_mut() {
            f.loaded = loaded;
        }
    }

    /// Records how the folder `id` is watched.
    pub fn set_watch(&mut self, id: u32, watch: Watch) {
        let Some(f) = self.nodes[id as usize].folder.as_mut() else {
            return;
        };
        let old = std::mem::replace(&mut f.watch, watch);
        if let Watch::Wd(o) = old
            && self.wds.get(&o) == Some(&id)
        {
            self.wds.remove(&o);
            self.gone_wds.push(o);
        }
        if watch == Watch::Polled {
            self.polled.insert(id);
        } else {
            self.polled.remove(&id);
        }
        if let Watch::Wd(w) = watch {
            // The kernel gives an inode the descriptor it already has: a folder moved away
            // and back, or found again after an overflow, takes its place here.
            self.wds.insert(w, id);
        }
    }

    /// Descriptors of watched folders that left the model and were not found again: the
    /// caller removes their watches (a folder moved out of the root keeps its watch in the
    /// kernel otherwise).
    pub fn take_gone_wds(&mut self) -> Vec<i32> {
        let mut gone = std::mem::take(&mut self.gone_wds);
        gone.retain(|wd| !self.wds.contains_key(wd));
        gone.sort_unstable();
        gone.dedup();
        gone
    }

    /// Every folder whose watch is `Polled`.
    pub fn polled(&self) -> Vec<u32> {
        self.polled.iter().copied().collect()
    }

    pub fn has_polled(&self) -> bool {
        !self.polled.is_empty()
    }

    pub fn children(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        self.nodes[id as usize]
            .folder
            .as_ref()
            .into_iter()
            .flat_map(|f| f.children.iter().copied())
    }

    pub fn child_count(&self, id: u32) -> usize {
        self.nodes[id as usize]
            .folder
            .as_ref()
            .map_or(0, |f| f.children.len())
    }

    fn name_hash(&self, name: &[u8]) -> u64 {
        self.hasher.hash_one(name)
    }

    pub fn child(&self, dir: u32, name: &[u8]) -> Option<u32> {
        let f = self.nodes.get(dir as usize)?.folder.as_ref()?;
        let h = self.name_hash(name);
        f.children
            .find(h, |&c| &*self.nodes[c as usize].name == name)
            .copied()
    }

    /// The entry at a root-relative path (plain components only).
    pub fn lookup(&self, rel: &Path) -> Option<u32> {
        let mut id = ROOT;
        for c in rel.components() {
            match c {
                Component::Normal(part) => id = self.child(id, part.as_bytes())?,
                Component::CurDir => {}
                _ => return None,
            }
        }
        Some(id)
    }

    /// Depth below the root (the root is 0).
    pub fn depth(&self, mut id: u32) -> usize {
        let mut d = 0;
        while let Some(p) = self.parent(id) {
            d += 1;
            id = p;
        }
        d
    }

    /// The root-relative path's bytes, `/`-separated.
    pub fn path_bytes(&self, id: u32) -> Vec<u8> {
        let mut parts = Vec::new();
        let mut at = id;
        while let Some(p) = self.parent(at) {
            parts.push(at);
            at = p;
        }
        let mut out = Vec::new();
        for (i, &part) in parts.iter().rev().enumerate() {
            if i > 0 {
                out.push(b'/');
            }
            out.extend_from_slice(&self.nodes[part as usize].name);
        }
        out
    }

    pub fn path(&self, id: u32) -> PathBuf {
        PathBuf::from(OsStr::from_bytes(&self.path_bytes(id)))
    }

    /// The root-relative path as the protocol carries it (see `rel_to_string`).
    pub fn path_text(&self, id: u32) -> String {
        rawname::text_of_bytes(&self.path_bytes(id))
    }

    /// The protocol's entry for `id`.
    pub fn entry(&self, id: u32) -> Entry {
        let n = &self.nodes[id as usize];
        n.meta.entry(&n.name)
    }

    fn folded_hash(&self, name: &[u8]) -> u64 {
        let text = String::from_utf8_lossy(name);
        self.hasher.hash_one(fold(&text).as_bytes())
    }

    fn word_hash(&self, word: &str) -> u64 {
        self.hasher.hash_one((0u8, word.as_bytes()))
    }

    fn ext_hash(&self, ext: &str) -> u64 {
        self.hasher.hash_one((1u8, ext.as_bytes()))
    }

    /// Entries whose folded name is `folded` (already folded).
    pub fn named(&self, folded: &str) -> impl Iterator<Item = u32> + '_ {
        let h = self.hasher.hash_one(folded.as_bytes());
        let head = self
            .names
            .find(h, |&id| self.nodes[id as usize].fhash == h)
            .copied()
            .unwrap_or(NONE);
        let folded = folded.to_owned();
        std::iter::successors(Some(head).filter(|&i| i != NONE), move |&i| {
            Some(self.nodes[i as usize].next).filter(|&n| n != NONE)
        })
        // A different folded name with the same 64-bit hash.
        .filter(move |&i| fold(&String::from_utf8_lossy(self.name(i))) == folded)
    }

    fn posting(&self, key: u64) -> impl Iterator<Item = u32> + '_ {
        self.words
            .get(&key)
            .into_iter()
            .flat_map(|p| p.items().iter())
            .filter(|&&(id, g)| self.live(id) && self.nodes[id as usize].spelling == g)
            .map(|&(id, _)| id)
    }

    /// Entries whose name holds the (folded) word `word` (see `words`).
    pub fn with_word(&self, word: &str) -> impl Iterator<Item = u32> + use<'_> {
        self.posting(self.word_hash(word))
    }

    /// About how many entries have the extension `ext` (stale postings counted): to choose
    /// between its postings and a folder's children, whichever is fewer.
    pub fn extension_count(&self, ext: &str) -> usize {
        self.words
            .get(&self.ext_hash(ext))
            .map_or(0, |p| p.items().len())
    }

    /// Entries whose extension is `ext` (folded, without the dot).
    pub fn with_extension(&self, ext: &str) -> impl Iterator<Item = u32> + use<'_> {
        self.posting(self.ext_hash(ext))
    }

    /// New metadata for the entry `id`, if it is still the same entry (no change reported).
    pub fn refresh(&mut self, id: u32, meta: Meta) {
        if self.live(id) && self.nodes[id as usize].meta.same_entry(&meta) {
            self.nodes[id as usize].meta = meta;
        }
    }

    /// Adds or updates `name` in the folder `parent` with what `lstat` said. A name that now
    /// stands for another entry (another inode or kind) replaces the old one, subtree and all.
    pub fn upsert(&mut self, parent: u32, name: &[u8], meta: Meta) -> Upsert {
        if let Some(id) = self.child(parent, name) {
            let node = &mut self.nodes[id as usize];
            if node.meta.same_entry(&meta) {
                let changed = node.meta != meta;
                node.meta = meta;
                return Upsert::Same { id, changed };
            }
            self.remove(id);
        }
        Upsert::Created(self.insert(parent, name, meta))
    }

    fn insert(&mut self, parent: u32, name: &[u8], meta: Meta) -> u32 {
        let folder = meta.is_dir().then(|| {
            Box::new(Folder {
                children: HashTable::new(),
                loaded: false,
                watch: Watch::None,
            })
        });
        let node = Node {
            name: Name::new(name),
            parent,
            meta,
            folder,
            fhash: self.folded_hash(name),
            prev: NONE,
            next: NONE,
            generation: 0,
            spelling: 0,
        };
        let id = match self.free.pop() {
            Some(id) => {
                let old = &self.nodes[id as usize];
                let generation = old.generation.wrapping_add(1);
                let spelling = old.spelling.wrapping_add(1);
                self.nodes[id as usize] = Node {
                    generation,
                    spelling,
                    ..node
                };
                id
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        self.link_child(parent, id);
        self.link_name(id);
        self.index_words(id);
        self.fingerprint ^= entry_print(&self.path_bytes(id), meta.is_dir());
        self.count += 1;
        id
    }

    fn link_child(&mut self, parent: u32, id: u32) {
        let h = self.name_hash(&self.nodes[id as usize].name);
        let Some(mut table) = self.nodes[parent as usize]
            .folder
            .as_mut()
            .map(|f| std::mem::take(&mut f.children))
        else {
            return;
        };
        let (nodes, hasher) = (&self.nodes, &self.hasher);
        table.insert_unique(h, id, |&c| hasher.hash_one(&*nodes[c as usize].name));
        if let Some(f) = self.nodes[parent as usize].folder.as_mut() {
            f.children = table;
        }
    }

    fn unlink_child(&mut self, parent: u32, id: u32) {
        let h = self.name_hash(&self.nodes[id as usize].name);
        if let Some(f) = self.nodes[parent as usize].folder.as_mut()
            && let Ok(e) = f.children.find_entry(h, |&c| c == id)
        {
            e.remove();
        }
    }

    fn link_name(&mut self, id: u32) {
        let h = self.nodes[id as usize].fhash;
        let nodes = &self.nodes;
        match self
            .names
            .find_mut(h, |&head| nodes[head as usize].fhash == h)
        {
            Some(head) => {
                let old = *head;
                *head = id;
                self.nodes[id as usize].next = old;
                self.nodes[old as usize].prev = id;
            }
            None => {
                let nodes = &self.nodes;
                self.names
                    .insert_unique(h, id, |&c| nodes[c as usize].fhash);
            }
        }
    }

    fn unlink_name(&mut self, id: u32) {
        let (h, prev, next) = {
            let n = &self.nodes[id as usize];
            (n.fhash, n.prev, n.next)
        };
        if prev != NONE {
            self.nodes[prev as usize].next = next;
        } else {
            if let Ok(e) = self.names.find_entry(h, |&c| c == id) {
                if next == NONE {
                    e.remove();
                } else {
                    *e.into_mut() = next;
                }
            }
        }
        if next != NONE {
            self.nodes[next as usize].prev = prev;
        }
        let n = &mut self.nodes[id as usize];
        n.prev = NONE;
        n.next = NONE;
    }

    fn index_words(&mut self, id: u32) {
        let Some(name) = self.name_str(id).map(str::to_owned) else {
            return;
        };
        let spelling = self.nodes[id as usize].spelling;
        let mut keys: Vec<u64> = words(&name).iter().map(|w| self.word_hash(w)).collect();
        if let Some(ext) = extension(&name) {
            keys.push(self.ext_hash(&ext));
        }
        keys.sort_unstable();
        keys.dedup();
        let nodes = &self.nodes;
        let live = |(i, g): (u32, u32)| {
            nodes
                .get(i as usize)
                .is_some_and(|n| n.spelling == g && (i == ROOT || n.parent != NONE))
        };
        for key in keys {
            match self.words.entry(key) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    e.get_mut().push((id, spelling), live)
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Posting::One((id, spelling)));
                }
            }
        }
    }

    /// Removes `id` and everything beneath it.
    pub fn remove(&mut self, id: u32) {
        if id == ROOT || !self.live(id) {
            return;
        }
        let parent = self.nodes[id as usize].parent;
        let order = self.reprint(id);
        self.unlink_child(parent, id);
        for n in order {
            self.unlink_name(n);
            match self.watch(n) {
                Watch::Wd(wd) => {
                    self.wds.remove(&wd);
                    self.gone_wds.push(wd);
                }
                Watch::Polled => {
                    self.polled.remove(&n);
                }
                Watch::None => {}
            }
            let node = &mut self.nodes[n as usize];
            node.name = Name::default();
            node.parent = NONE;
            node.folder = None;
            node.generation = node.generation.wrapping_add(1);
            node.spelling = node.spelling.wrapping_add(1);
            self.free.push(n);
            self.count -= 1;
            self.stale += 1;
        }
        self.sweep_words();
    }

    /// Moves `id` (and its subtree, whose watches follow it in the kernel) to `name` in the
    /// folder `parent`, replacing whatever had that name there.
    pub fn rename(&mut self, id: u32, parent: u32, name: &[u8]) {
        if id == ROOT || !self.live(id) || !self.is_dir(parent) {
            return;
        }
        if let Some(there) = self.child(parent, name)
            && there != id
        {
            self.remove(there);
        }
        // A folder cannot move into itself; if the model says otherwise it is behind.
        let mut at = parent;
        loop {
            if at == id {
                return;
            }
            match self.parent(at) {
                Some(p) => at = p,
                None => break,
            }
        }
        self.reprint(id);
        let old_parent = self.nodes[id as usize].parent;
        self.unlink_child(old_parent, id);
        self.unlink_name(id);
        {
            let node = &mut self.nodes[id as usize];
            node.name = Name::new(name);
            node.parent = parent;
            node.spelling = node.spelling.wrapping_add(1);
        }
        self.nodes[id as usize].fhash = self.folded_hash(name);
        self.link_child(parent, id);
        self.link_name(id);
        self.index_words(id);
        self.reprint(id);
        self.stale += 1;
        self.sweep_words();
    }

    /// Once as many entries went (or were renamed) as there are, drops every stale posting:
    /// each removal pays for its share of one sweep, and postings of names long gone never
    /// pile up.
    fn sweep_words(&mut self) {
        if self.stale <= self.count + 1024 {
            return;
        }
        self.stale = 0;
        let nodes = &self.nodes;
        let live = |&(i, g): &(u32, u32)| {
            nodes
                .get(i as usize)
                .is_some_and(|n| n.spelling == g && (i == ROOT || n.parent != NONE))
        };
        self.words.retain(|_, p| match p {
            Posting::One(q) => live(q),
            Posting::Many(m) => {
                m.items.retain(live);
                m.clean_len = m.items.len() as u32;
                if let [only] = m.items.as_slice() {
                    *p = Posting::One(*only);
                }
                !p.items().is_empty()
            }
        });
        self.words.shrink_to_fit();
    }

    /// XORs the fingerprint with every entry of the subtree at `id` (taking them out, or
    /// putting them back under their new paths); returns the subtree's nodes.
    fn reprint(&mut self, id: u32) -> Vec<u32> {
        let mut stack = vec![(id, self.path_bytes(id))];
        let mut order = Vec::new();
        while let Some((n, path)) = stack.pop() {
            for c in self.children(n).collect::<Vec<_>>() {
                let mut p = path.clone();
                p.push(b'/');
                p.extend_from_slice(&self.nodes[c as usize].name);
                stack.push((c, p));
            }
            self.fingerprint ^= entry_print(&path, self.is_dir(n));
            order.push(n);
        }
        order
    }

    /// Bytes held per entry, roughly: nodes, names, child tables and indexes.
    pub fn heap_bytes(&self) -> usize {
        let nodes = self.nodes.capacity() * std::mem::size_of::<Node>();
        let names: usize = self
            .nodes
            .iter()
            .map(|n| match n.name.heap_len() {
                0 => 0,
                l => l.next_multiple_of(16).max(32),
            })
            .sum();
        let folders: usize = self
            .nodes
            .iter()
            .filter_map(|n| n.folder.as_ref())
            .map(|f| std::mem::size_of::<Folder>() + f.children.capacity() * 5)
            .sum();
        let words: usize = self
            .words
            .values()
            .map(|p| match p {
                Posting::One(_) => 0,
                Posting::Many(m) => m.items.capacity() * 8 + 48,
            })
            .sum::<usize>()
            + self.words.capacity() * (8 + std::mem::size_of::<Posting>() + 1);
        nodes + names + folders + words + self.names.capacity() * 5 + self.free.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::EntryKind;

    fn meta(dir: bool, ino: u64) -> Meta {
        Meta {
            kind: if dir { EntryKind::Dir } else { EntryKind::File },
            mode: 0o644,
            size: 1,
            mtime_ns: 1,
            ino,
        }
    }

    fn add(m: &mut Model, path: &str, dir: bool, ino: u64) -> u32 {
        let (parent, name) = match path.rsplit_once('/') {
            Some((p, n)) => (m.lookup(Path::new(p)).unwrap(), n),
            None => (ROOT, path),
        };
        m.upsert(parent, name.as_bytes(), meta(dir, ino)).id()
    }

    #[test]
    fn paths_names_and_words() {
        let mut m = Model::new();
        add(&mut m, "Música", true, 1);
        let jazz = add(&mut m, "Música/Jazz", true, 2);
        let f = add(&mut m, "Música/Jazz/Informe_Final.PDF", false, 3);
        assert_eq!(m.lookup(Path::new("Música/Jazz")), Some(jazz));
        assert_eq!(m.path_text(f), "Música/Jazz/Informe_Final.PDF");
        assert_eq!(m.named("musica").collect::<Vec<_>>().len(), 1);
        assert_eq!(m.with_word("final").collect::<Vec<_>>(), [f]);
        assert_eq!(m.with_extension("pdf").collect::<Vec<_>>(), [f]);
        assert_eq!(m.len(), 3);

        // Renaming the folder moves the file with it; its words stay, the folder's change.
        m.rename(jazz, ROOT, b"jazz-viejo");
        assert_eq!(m.path_text(f), "jazz-viejo/Informe_Final.PDF");
        assert_eq!(m.named("jazz").count(), 0);
        assert_eq!(m.with_word("viejo").collect::<Vec<_>>(), [jazz]);
        assert_eq!(m.with_word("final").collect::<Vec<_>>(), [f]);

        m.remove(jazz);
        assert_eq!(m.len(), 1);
        assert_eq!(m.with_word("final").count(), 0);
        assert_eq!(m.lookup(Path::new("jazz-viejo")), None);
    }

    #[test]
    fn same_folded_names_chain_and_unchain() {
        let mut m = Model::new();
        let a = add(&mut m, "Notas", false, 1);
        add(&mut m, "d", true, 2);
        let b = add(&mut m, "d/notas", false, 3);
        let c = add(&mut m, "d/NOTAS", false, 4);
        let mut got: Vec<_> = m.named("notas").collect();
        got.sort_unstable();
        assert_eq!(got, [a, b, c]);
        m.remove(b);
        let mut got: Vec<_> = m.named("notas").collect();
        got.sort_unstable();
        assert_eq!(got, [a, c]);
        m.remove(c);
        m.remove(a);
        assert_eq!(m.named("notas").count(), 0);
    }

    #[test]
    fn a_replaced_entry_is_a_new_one_and_the_fingerprint_follows_the_set() {
        let mut m = Model::new();
        let empty = m.fingerprint();
        add(&mut m, "a", false, 1);
        let one = m.fingerprint();
        assert_ne!(one, empty);
        // Same inode, new size: the same entry, changed.
        let mut x = meta(false, 1);
        x.size = 9;
        assert_eq!(
            m.upsert(ROOT, b"a", x),
            Upsert::Same {
                id: 1,
                changed: true
            }
        );
        assert_eq!(m.fingerprint(), one);
        // Another inode: a new entry.
        assert!(matches!(
            m.upsert(ROOT, b"a", meta(false, 7)),
            Upsert::Created(_)
        ));
        assert_eq!(m.fingerprint(), one, "the same path and kind");
        let id = m.lookup(Path::new("a")).unwrap();
        m.remove(id);
        assert_eq!(m.fingerprint(), empty);
        assert!(m.is_empty());
    }

    #[test]
    fn stale_word_postings_are_bounded() {
        let mut m = Model::new();
        for i in 0..10_000u64 {
            let id = add(&mut m, "report 1.txt", false, i + 1);
            m.remove(id);
        }
        add(&mut m, "report 1.txt", false, 1);
        assert_eq!(m.with_word("report").count(), 1);
        let held: usize = m.words.values().map(|p| p.items().len()).sum();
        assert!(held < 100, "{held} postings kept for 3 live words");
    }
}
