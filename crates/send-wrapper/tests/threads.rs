//! Natively, where threads exist, the wrapper behaves as crates.io's does:
//! its value is reached on the thread that wrapped it and nowhere else.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::thread;

use send_wrapper::SendWrapper;

#[test]
fn the_owner_thread_uses_takes_and_clones_the_value() {
    let mut wrapped = SendWrapper::new(Rc::new(Cell::new(1)));
    assert!(wrapped.valid());
    wrapped.set(2);
    *wrapped = Rc::new(Cell::new(wrapped.get() + 1));
    let copy = wrapped.clone();
    assert_eq!(copy.get(), 3);
    assert_eq!(wrapped.take().get(), 3);
}

#[test]
fn another_thread_may_hold_it_but_not_use_it() {
    let wrapped = SendWrapper::new(Rc::new(5));
    let (valid, used, wrapped) = thread::spawn(move || {
        let valid = wrapped.valid();
        let used = catch_unwind(AssertUnwindSafe(|| **wrapped)).is_ok();
        // Handed back, so that it is dropped on its own thread.
        (valid, used, wrapped)
    })
    .join()
    .unwrap();
    assert!(!valid);
    assert!(!used, "the value was reached on another thread");
    assert_eq!(**wrapped, 5);
}

#[test]
fn dropping_a_value_with_a_destructor_on_another_thread_panics() {
    let wrapped = SendWrapper::new(Rc::new(5));
    let result = thread::spawn(move || drop(wrapped)).join();
    assert!(result.is_err());
    // Nothing to run on drop: any thread may drop it.
    let plain = SendWrapper::new(5u8);
    thread::spawn(move || drop(plain)).join().unwrap();
}

#[test]
fn a_wrapped_future_runs_on_its_own_thread_only() {
    let ready = SendWrapper::new(std::future::ready(Rc::new(7)));
    assert_eq!(*futures_executor::block_on(ready), 7);
    let elsewhere = SendWrapper::new(std::future::ready(8u8));
    let result = thread::spawn(move || futures_executor::block_on(elsewhere)).join();
    assert!(result.is_err(), "polled on another thread");
}
