//! `SendWrapper`: a value that is not `Send` made `Send` and `Sync`, on the
//! promise that it is only used, and dropped, on the thread that made it.
//!
//! Leptos wraps its DOM handles in it. The crates.io crate checks each use
//! against `std::thread::current()`, which on wasm32 is a handle allocated
//! through std's own allocator, dlmalloc, so the bundle kept dlmalloc (and
//! the thread handle's code) beside our `heap`: 1.9 KB of brotli. On wasm32
//! without the atomics feature there is one thread, so every use is on the
//! thread that made the value and the check can never fail: there this
//! crate keeps no thread id and checks nothing. Everywhere else (the
//! prerender, the tests) it checks as the original does and panics on a use
//! from another thread. Patched in for crates.io's (the workspace's
//! Cargo.toml), with the same names and behaviour.

use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};

/// Where more than one thread can exist, the wrapper remembers its thread.
#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
mod owner {
    use std::thread::{self, ThreadId};

    #[derive(Clone, Copy, PartialEq, Debug)]
    pub struct Owner(ThreadId);

    impl Owner {
        pub fn current() -> Self {
            Owner(thread::current().id())
        }
    }
}

/// With one thread, every use is on the owner's thread.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod owner {
    #[derive(Clone, Copy, PartialEq, Debug)]
    pub struct Owner;

    impl Owner {
        pub fn current() -> Self {
            Owner
        }
    }
}

use owner::Owner;

pub struct SendWrapper<T> {
    data: ManuallyDrop<T>,
    owner: Owner,
}

// SAFETY: the value is only reached through `valid()`'s check (deref, take,
// poll, drop), which fails on any thread but the one that made it.
unsafe impl<T> Send for SendWrapper<T> {}
unsafe impl<T> Sync for SendWrapper<T> {}

impl<T> SendWrapper<T> {
    /// Wraps `data`, owned by the current thread.
    pub fn new(data: T) -> SendWrapper<T> {
        SendWrapper {
            data: ManuallyDrop::new(data),
            owner: Owner::current(),
        }
    }

    /// Whether the current thread may use the value: the one that wrapped it.
    pub fn valid(&self) -> bool {
        self.owner == Owner::current()
    }

    /// The value, unwrapped.
    ///
    /// # Panics
    /// On another thread than the one that wrapped it.
    #[track_caller]
    pub fn take(self) -> T {
        self.check("taken");
        let mut this = ManuallyDrop::new(self);
        // SAFETY: checked to be on the owner's thread; `this` is never
        // dropped, so the value is moved out exactly once.
        unsafe { ManuallyDrop::take(&mut this.data) }
    }

    #[track_caller]
    fn check(&self, what: &str) {
        if !self.valid() {
            panic!(
                "a SendWrapper's value was {what} on another thread than the one that wrapped it"
            );
        }
    }
}

impl<T> Deref for SendWrapper<T> {
    type Target = T;

    /// # Panics
    /// On another thread than the one that wrapped it.
    #[track_caller]
    fn deref(&self) -> &T {
        self.check("used");
        &self.data
    }
}

impl<T> DerefMut for SendWrapper<T> {
    /// # Panics
    /// On another thread than the one that wrapped it.
    #[track_caller]
    fn deref_mut(&mut self) -> &mut T {
        self.check("used");
        &mut self.data
    }
}

impl<T> Drop for SendWrapper<T> {
    /// Drops the value. A value whose drop does nothing may be dropped on
    /// any thread, and a second panic is not raised while one unwinds.
    ///
    /// # Panics
    /// On another thread than the one that wrapped it.
    #[track_caller]
    fn drop(&mut self) {
        if !std::mem::needs_drop::<T>() || self.valid() {
            // SAFETY: on the owner's thread (or nothing to run), and `data`
            // is only taken here and in `take`, which skips this.
            unsafe { ManuallyDrop::drop(&mut self.data) }
        } else if !std::thread::panicking() {
            panic!(
                "a SendWrapper's value was dropped on another thread than the one that wrapped it"
            );
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for SendWrapper<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendWrapper")
            .field("data", self.deref())
            .field("owner", &self.owner)
            .finish()
    }
}

impl<T: Clone> Clone for SendWrapper<T> {
    /// A copy of the value, owned by the current thread.
    fn clone(&self) -> Self {
        Self::new(self.deref().clone())
    }
}

#[cfg(feature = "futures")]
mod futures {
    use std::future::Future;
    use std::ops::{Deref, DerefMut};
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use futures_core::Stream;

    use crate::SendWrapper;

    impl<F: Future> Future for SendWrapper<F> {
        type Output = F::Output;

        /// # Panics
        /// On another thread than the one that wrapped it.
        #[track_caller]
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            self.check("polled");
            // SAFETY: the wrapper holds the future inline and never moves it
            // out while pinned, so a pinned wrapper means a pinned future.
            unsafe { self.map_unchecked_mut(|w| &mut *w.data) }.poll(cx)
        }
    }

    impl<S: Stream> Stream for SendWrapper<S> {
        type Item = S::Item;

        /// # Panics
        /// On another thread than the one that wrapped it.
        #[track_caller]
        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
            self.check("polled");
            // SAFETY: as for `poll`.
            unsafe { self.map_unchecked_mut(|w| w.data.deref_mut()) }.poll_next(cx)
        }

        fn size_hint(&self) -> (usize, Option<usize>) {
            self.deref().size_hint()
        }
    }
}
