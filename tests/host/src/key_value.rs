//! `fermyon:spin/key-value@2.0.0` in memory, shared by every instance and replica of one app, as
//! Spin's default store is shared through the state directory. A test can take it down or make
//! its next writes fail, to exercise the component's fallbacks.

use super::HostState;
use crate::bindings::fermyon::spin::key_value::{Error, Host, HostStore};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use wasmtime::component::Resource;

/// The store's contents and its fault switches; clones share them.
#[derive(Clone, Default)]
pub struct KeyValue(Arc<Shared>);

#[derive(Default)]
struct Shared {
    data: Mutex<HashMap<String, Vec<u8>>>,
    down: AtomicBool,
    failing_writes: AtomicUsize,
}

/// An open store: the resource the component holds.
#[allow(
    unreachable_pub,
    reason = "the generated bindings re-export it with `pub use`"
)]
pub struct OpenStore;

impl KeyValue {
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.0.data.lock().ok()?.get(key).cloned()
    }

    /// While down, every call (open included) fails as an unreachable backend would.
    pub fn set_down(&self, down: bool) {
        self.0.down.store(down, Ordering::SeqCst);
    }

    /// The next `n` writes (set or delete) fail; reads keep working.
    pub fn fail_next_writes(&self, n: usize) {
        self.0.failing_writes.store(n, Ordering::SeqCst);
    }

    fn check_up(&self) -> Result<(), Error> {
        if self.0.down.load(Ordering::SeqCst) {
            return Err(Error::Other("store unreachable".into()));
        }
        Ok(())
    }

    fn check_write(&self) -> Result<(), Error> {
        self.check_up()?;
        let failing = self
            .0
            .failing_writes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if failing.is_ok() {
            return Err(Error::Other("write failed".into()));
        }
        Ok(())
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Vec<u8>>) -> T) -> Result<T, Error> {
        let mut data = self
            .0
            .data
            .lock()
            .map_err(|_| Error::Other("store poisoned".into()))?;
        Ok(f(&mut data))
    }
}

impl Host for HostState {}

impl HostStore for HostState {
    async fn open(
        &mut self,
        label: String,
    ) -> wasmtime::Result<Result<Resource<OpenStore>, Error>> {
        // Spin checks the component's grant first, as for SQLite.
        if !self.app.manifest.key_value_stores.contains(&label) {
            return Ok(Err(Error::AccessDenied));
        }
        if label != "default" {
            return Ok(Err(Error::NoSuchStore));
        }
        if let Err(e) = self.app.key_value.check_up() {
            return Ok(Err(e));
        }
        Ok(Ok(self.table.push(OpenStore)?))
    }

    async fn get(
        &mut self,
        _store: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let kv = &self.app.key_value;
        Ok(kv
            .check_up()
            .and_then(|()| kv.with(|d| d.get(&key).cloned())))
    }

    async fn set(
        &mut self,
        _store: Resource<OpenStore>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let kv = &self.app.key_value;
        Ok(kv.check_write().and_then(|()| {
            kv.with(|d| {
                d.insert(key, value);
            })
        }))
    }

    async fn delete(
        &mut self,
        _store: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        let kv = &self.app.key_value;
        Ok(kv.check_write().and_then(|()| {
            kv.with(|d| {
                d.remove(&key);
            })
        }))
    }

    async fn exists(
        &mut self,
        _store: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        let kv = &self.app.key_value;
        Ok(kv
            .check_up()
            .and_then(|()| kv.with(|d| d.contains_key(&key))))
    }

    async fn get_keys(
        &mut self,
        _store: Resource<OpenStore>,
    ) -> wasmtime::Result<Result<Vec<String>, Error>> {
        let kv = &self.app.key_value;
        Ok(kv
            .check_up()
            .and_then(|()| kv.with(|d| d.keys().cloned().collect())))
    }

    async fn drop(&mut self, store: Resource<OpenStore>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}
