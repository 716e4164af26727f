//! A versioned key-value state store kept in the checkpoint, for stateful operators.
//!
//! Layout, after Spark's HDFS-backed store: `state/<operator>/0/<version>.delta.arrow` holds the
//! keys a batch added or changed and the keys it removed; `<version>.snapshot.arrow` holds every key.
//! Version N is the state after batch N-1, so batch N starts from version N and writes N+1 (as in
//! Spark). A re-run batch (after a crash before `commits/N`) starts again from version N and
//! rewrites N+1 with the same content. Loading reads the newest snapshot at or below the version
//! plus the deltas after it; a snapshot is written every [`SNAPSHOT_EVERY`] versions so a restart
//! never replays the whole history.
//!
//! The files are Arrow IPC (`key` BINARY, `value` BIGINT or BINARY, NULL = removed), not Spark's UnsafeRow
//! format: Spark ignores them (three-part names), so a stateful spate checkpoint cannot be resumed
//! by Spark (its stateless parts can).

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BinaryArray, Int64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};

use crate::error::{Error, Result};
use crate::storage::Location;

/// A snapshot every this many versions (Spark's `stateStore.minDeltasForSnapshot`, 10).
pub const SNAPSHOT_EVERY: u64 = 10;

/// A value a [`StateStore`] can hold: it knows its Arrow column type in the state files.
pub trait StateValue: Clone + Sized {
    /// The `value` column's type.
    const DATA_TYPE: DataType;
    /// Bytes held beyond the fixed entry size (for memory reports).
    fn heap_bytes(&self) -> usize;
    /// The column of `values` (None = removed).
    fn to_array(values: Vec<Option<&Self>>) -> ArrayRef;
    /// Row `i` of a column written by [`StateValue::to_array`] (None = removed); None when the
    /// column has another type.
    fn read(column: &dyn Array, i: usize) -> Option<Option<Self>>;
}

impl StateValue for i64 {
    const DATA_TYPE: DataType = DataType::Int64;
    fn heap_bytes(&self) -> usize {
        0
    }
    fn to_array(values: Vec<Option<&Self>>) -> ArrayRef {
        Arc::new(
            values
                .into_iter()
                .map(|v| v.copied())
                .collect::<Int64Array>(),
        )
    }
    fn read(column: &dyn Array, i: usize) -> Option<Option<Self>> {
        let a = column.as_any().downcast_ref::<Int64Array>()?;
        Some(a.is_valid(i).then(|| a.value(i)))
    }
}

impl StateValue for Vec<u8> {
    const DATA_TYPE: DataType = DataType::Binary;
    fn heap_bytes(&self) -> usize {
        self.len()
    }
    fn to_array(values: Vec<Option<&Self>>) -> ArrayRef {
        Arc::new(BinaryArray::from_iter(values))
    }
    fn read(column: &dyn Array, i: usize) -> Option<Option<Self>> {
        let a = column.as_any().downcast_ref::<BinaryArray>()?;
        Some(a.is_valid(i).then(|| a.value(i).to_vec()))
    }
}

/// The state of one operator: keys (encoded rows) to a value (an event time, an expiry as i64; an
/// aggregation's buffers as bytes).
pub struct StateStore<V: StateValue = i64> {
    loc: Location,
    /// The version loaded (the state after batch `version - 1`).
    version: u64,
    map: HashMap<Box<[u8]>, V>,
    /// Changes since `version`: Some = put, None = removed.
    changes: HashMap<Box<[u8]>, Option<V>>,
    key_bytes: usize,
}

fn file_schema<V: StateValue>() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("key", DataType::Binary, false),
        Field::new("value", V::DATA_TYPE, true),
    ]))
}

impl<V: StateValue> StateStore<V> {
    /// An empty store at version 0 (nothing read).
    pub fn empty(loc: Location) -> Self {
        StateStore {
            loc,
            version: 0,
            map: HashMap::new(),
            changes: HashMap::new(),
            key_bytes: 0,
        }
    }

    /// Loads version `version` of the store at `loc` (`<checkpoint>/state/<operator>/0`); version 0
    /// and a store never written are empty.
    pub async fn load(loc: Location, version: u64) -> Result<Self> {
        let mut store = StateStore::empty(loc);
        store.version = version;
        if version == 0 {
            return Ok(store);
        }
        let files = store.files().await?;
        let snapshot = files
            .iter()
            .filter(|(v, kind)| *v <= version && *kind == Kind::Snapshot)
            .map(|(v, _)| *v)
            .max();
        let from = match snapshot {
            Some(s) => {
                store.apply_file(s, Kind::Snapshot).await?;
                s + 1
            }
            None => 1,
        };
        for v in from..=version {
            if !files.contains(&(v, Kind::Delta)) {
                return Err(Error::Checkpoint {
                    path: store.path(v, Kind::Delta).to_string(),
                    message: format!("state version {version} needs this delta, which is missing"),
                });
            }
            store.apply_file(v, Kind::Delta).await?;
        }
        Ok(store)
    }

    /// The version this store holds.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The value of `key`.
    pub fn get(&self, key: &[u8]) -> Option<V> {
        self.map.get(key).cloned()
    }

    /// The value of `key`, borrowed.
    pub fn get_ref(&self, key: &[u8]) -> Option<&V> {
        self.map.get(key)
    }

    /// Every key and value, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &V)> {
        self.map.iter().map(|(k, v)| (&k[..], v))
    }

    /// Sets `key` to `value`.
    pub fn put(&mut self, key: &[u8], value: V) {
        let k: Box<[u8]> = key.into();
        let heap = value.heap_bytes();
        match self.map.insert(k.clone(), value.clone()) {
            None => self.key_bytes += k.len() + heap,
            Some(old) => self.key_bytes = self.key_bytes + heap - old.heap_bytes(),
        }
        self.changes.insert(k, Some(value));
    }

    /// Removes `key`; true if it was held.
    pub fn remove(&mut self, key: &[u8]) -> bool {
        let k: Box<[u8]> = key.into();
        match self.map.remove(&k) {
            Some(old) => {
                self.key_bytes -= k.len() + old.heap_bytes();
                self.changes.insert(k, None);
                true
            }
            None => false,
        }
    }

    /// Removes every key whose key and value satisfy `evict`; returns the keys that went.
    pub fn remove_where_key(&mut self, evict: impl Fn(&[u8], &V) -> bool) -> Vec<Box<[u8]>> {
        let gone: Vec<Box<[u8]>> = self
            .map
            .iter()
            .filter(|(k, v)| evict(k, v))
            .map(|(k, _)| k.clone())
            .collect();
        for k in &gone {
            if let Some(old) = self.map.remove(k) {
                self.key_bytes -= k.len() + old.heap_bytes();
            }
            self.changes.insert(k.clone(), None);
        }
        gone
    }

    /// Removes every key whose value satisfies `evict`; returns how many went.
    pub fn remove_where(&mut self, evict: impl Fn(&V) -> bool) -> u64 {
        self.remove_where_key(|_, v| evict(v)).len() as u64
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Rough memory held by the keys and values, for progress reports.
    pub fn memory_bytes(&self) -> usize {
        // Keys, values, and the hash table's per-entry overhead (pointer + length + hash slot).
        self.key_bytes + self.map.len() * (8 + 16 + 8)
    }

    /// Writes the changes as version `version + 1` (plus a snapshot every [`SNAPSHOT_EVERY`]) and
    /// moves to it. Overwrites: a re-run batch writes the same version again.
    pub async fn commit(&mut self) -> Result<u64> {
        let next = self.version + 1;
        let delta: Vec<(&[u8], Option<&V>)> = self
            .changes
            .iter()
            .map(|(k, v)| (&k[..], v.as_ref()))
            .collect();
        self.write_file(next, Kind::Delta, delta).await?;
        if next % SNAPSHOT_EVERY == 0 {
            let all: Vec<(&[u8], Option<&V>)> =
                self.map.iter().map(|(k, v)| (&k[..], Some(v))).collect();
            self.write_file(next, Kind::Snapshot, all).await?;
        }
        self.changes.clear();
        self.version = next;
        Ok(next)
    }

    /// Deletes files no load of version `keep_from` or later needs.
    pub async fn purge(&self, keep_from: u64) -> Result<()> {
        let files = self.files().await?;
        // The newest snapshot at or below `keep_from` is where such a load starts.
        let Some(base) = files
            .iter()
            .filter(|(v, k)| *v <= keep_from && *k == Kind::Snapshot)
            .map(|(v, _)| *v)
            .max()
        else {
            return Ok(());
        };
        for (v, kind) in files {
            if v < base || (v == base && kind == Kind::Delta) {
                self.loc.store.delete(&self.path(v, kind)).await?;
            }
        }
        Ok(())
    }

    fn path(&self, version: u64, kind: Kind) -> Path {
        self.loc
            .prefix
            .clone()
            .join(format!("{version}.{}.arrow", kind.name()).as_str())
    }

    async fn files(&self) -> Result<Vec<(u64, Kind)>> {
        let metas: Vec<_> = self
            .loc
            .store
            .list(Some(&self.loc.prefix))
            .try_collect()
            .await?;
        Ok(metas
            .iter()
            .filter_map(|m| {
                let name = m.location.filename()?;
                let mut parts = name.split('.');
                let v = parts.next()?.parse::<u64>().ok()?;
                let kind = match parts.next()? {
                    "delta" => Kind::Delta,
                    "snapshot" => Kind::Snapshot,
                    _ => return None,
                };
                (parts.next()? == "arrow" && parts.next().is_none()).then_some((v, kind))
            })
            .collect())
    }

    async fn apply_file(&mut self, version: u64, kind: Kind) -> Result<()> {
        let path = self.path(version, kind);
        let bad = |message: String| Error::Checkpoint {
            path: path.to_string(),
            message,
        };
        let bytes = self.loc.store.get(&path).await?.bytes().await?;
        let reader = StreamReader::try_new(std::io::Cursor::new(bytes), None)
            .map_err(|e| bad(e.to_string()))?;
        for batch in reader {
            let batch = batch.map_err(|e| bad(e.to_string()))?;
            let keys = batch
                .column(0)
                .as_any()
                .downcast_ref::<BinaryArray>()
                .ok_or_else(|| bad("key column is not BINARY".into()))?;
            let values = batch.column(1);
            for i in 0..batch.num_rows() {
                let k: Box<[u8]> = keys.value(i).into();
                let value = V::read(values.as_ref(), i)
                    .ok_or_else(|| bad(format!("value column is not {}", V::DATA_TYPE)))?;
                match value {
                    None => {
                        if let Some(old) = self.map.remove(&k) {
                            self.key_bytes -= k.len() + old.heap_bytes();
                        }
                    }
                    Some(v) => {
                        let heap = v.heap_bytes();
                        match self.map.insert(k.clone(), v) {
                            None => self.key_bytes += k.len() + heap,
                            Some(old) => self.key_bytes = self.key_bytes + heap - old.heap_bytes(),
                        }
                    }
                }
            }
        }
        Ok(())
    }

    async fn write_file(
        &self,
        version: u64,
        kind: Kind,
        entries: Vec<(&[u8], Option<&V>)>,
    ) -> Result<()> {
        let keys = BinaryArray::from_iter_values(entries.iter().map(|(k, _)| *k));
        let values = V::to_array(entries.iter().map(|(_, v)| *v).collect());
        let schema = file_schema::<V>();
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(keys), values])?;
        let mut buf = Vec::new();
        {
            let mut w = StreamWriter::try_new(&mut buf, &schema)?;
            w.write(&batch)?;
            w.finish()?;
        }
        self.loc
            .store
            .put(
                &self.path(version, kind),
                PutPayload::from(Bytes::from(buf)),
            )
            .await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Delta,
    Snapshot,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Delta => "delta",
            Kind::Snapshot => "snapshot",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location::parse(&format!("memory://state/{}", uuid::Uuid::new_v4())).unwrap()
    }

    #[tokio::test]
    async fn versions_load_from_snapshots_and_deltas() {
        let loc = loc();
        let mut s: StateStore = StateStore::load(loc.clone(), 0).await.unwrap();
        for v in 0..25i64 {
            s.put(format!("k{v}").as_bytes(), v);
            if v % 3 == 0 {
                s.remove_where(|x| *x == v - 1);
            }
            assert_eq!(s.commit().await.unwrap(), v as u64 + 1);
        }
        let again = StateStore::load(loc.clone(), 25).await.unwrap();
        assert_eq!(again.len(), s.len());
        assert_eq!(again.get(b"k24"), Some(24));
        assert_eq!(again.get(b"k2"), None);
        // An older version: what batch 5 started from.
        let old = StateStore::load(loc.clone(), 5).await.unwrap();
        assert_eq!(old.get(b"k4"), Some(4));
        assert_eq!(old.get(b"k5"), None);
        // Purging keeps every version from 21 on loadable (from snapshot 20).
        s.purge(21).await.unwrap();
        assert_eq!(
            StateStore::load(loc.clone(), 23).await.unwrap().get(b"k22"),
            Some(22)
        );
        assert!(StateStore::<i64>::load(loc.clone(), 5).await.is_err());
    }

    #[tokio::test]
    async fn a_rerun_rewrites_the_same_version() {
        let loc = loc();
        let mut s = StateStore::load(loc.clone(), 0).await.unwrap();
        s.put(b"a", 1);
        s.commit().await.unwrap();
        // Batch 1 runs, writes version 2, and crashes before commits/1: it runs again from 1.
        let mut s = StateStore::load(loc.clone(), 1).await.unwrap();
        s.put(b"b", 2);
        s.commit().await.unwrap();
        let mut s = StateStore::load(loc.clone(), 1).await.unwrap();
        assert_eq!(s.get(b"b"), None);
        s.put(b"b", 2);
        s.commit().await.unwrap();
        let s = StateStore::load(loc, 2).await.unwrap();
        assert_eq!((s.get(b"a"), s.get(b"b")), (Some(1), Some(2)));
    }

    #[tokio::test]
    async fn byte_values_round_trip_through_deltas_and_snapshots() {
        let loc = loc();
        let mut s: StateStore<Vec<u8>> = StateStore::load(loc.clone(), 0).await.unwrap();
        for v in 0..12u8 {
            s.put(&[v % 3], vec![v; v as usize]);
            s.commit().await.unwrap();
        }
        assert!(s.remove(&[0]));
        s.commit().await.unwrap();
        let again: StateStore<Vec<u8>> = StateStore::load(loc.clone(), 13).await.unwrap();
        assert_eq!(again.get(&[2]), Some(vec![11; 11]));
        assert_eq!(again.get(&[0]), None);
        assert_eq!(again.memory_bytes(), s.memory_bytes());
        // An i64 store cannot read these files: the value column is BINARY.
        assert!(StateStore::<i64>::load(loc, 13).await.is_err());
    }
}
