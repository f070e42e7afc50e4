//! The heap over wasm's linear memory, as the global allocator.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;

use crate::{Heap, Memory, PAGE};

pub struct Linear;

// SAFETY: memory.grow hands out fresh pages nothing else uses (Rust's stack
// and statics lie below them), and a failed growth returns usize::MAX.
unsafe impl Memory for Linear {
    fn grow(&mut self, pages: usize) -> Option<usize> {
        match wasm32::memory_grow(0, pages) {
            usize::MAX => None,
            before => Some(before * PAGE),
        }
    }

    unsafe fn load(&self, address: usize) -> usize {
        unsafe { *(address as *const usize) }
    }

    unsafe fn store(&mut self, address: usize, word: usize) {
        unsafe { *(address as *mut usize) = word }
    }

    unsafe fn copy(&mut self, from: usize, to: usize, len: usize) {
        unsafe { core::ptr::copy_nonoverlapping(from as *const u8, to as *mut u8, len) }
    }
}

/// `#[global_allocator] static HEAP: heap::Allocator = heap::Allocator::new();`
pub struct Allocator(UnsafeCell<Heap<Linear>>);

impl Allocator {
    pub const fn new() -> Self {
        Allocator(UnsafeCell::new(Heap::new(Linear)))
    }
}

impl Default for Allocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: wasm32 without the atomics feature has one thread, and the heap's
// methods do not call back into the allocator, so no two borrows overlap.
unsafe impl Sync for Allocator {}

unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { (*self.0.get()).alloc(layout.size(), layout.align()) as *mut u8 }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { (*self.0.get()).dealloc(block as usize, layout.size(), layout.align()) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            (*self.0.get()).realloc(block as usize, layout.size(), layout.align(), new_size)
                as *mut u8
        }
    }
}
