//! The browser app's memory allocator.
//!
//! Why our own: the bundle with this allocator is 1.7 KB of brotli smaller
//! than with the standard library's on wasm32 (dlmalloc), measured once
//! `crates/send-wrapper` had ended std's own calls into dlmalloc. Of the
//! smaller crates, lol_alloc searches a free list on each allocation
//! (measured slower per keystroke) and talc was tried and not kept. A form's
//! heap is small and its allocations are short strings and vectors, which
//! this serves in constant time with about 500 bytes of code:
//!
//! - every block is a power of two, from 8 bytes, aligned to its own size
//!   (so any alignment up to its size holds);
//! - each size has a free list, threaded through the free blocks' first
//!   word; freeing pushes, allocating pops, and only when the list is empty
//!   is a new block cut from the top of the heap;
//! - a reallocation within the same size keeps its block, so a growing
//!   string moves only when it doubles;
//! - memory is never given back (wasm cannot), and blocks are never merged:
//!   freed memory serves later allocations of the same size. The cost is up
//!   to half of each block, which a form's few hundred kilobytes can afford.
//!
//! The logic (`Heap`) runs over any `Memory`, so the tests drive it on a
//! simulated one natively; `Allocator` is the wasm32 one.

#![no_std]

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod wasm;
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub use wasm::Allocator;

/// A wasm page: what memory grows by.
pub const PAGE: usize = 65536;
/// Blocks of 8 bytes (2^3) and up: a free block holds the next one's address.
const SMALLEST: u32 = 3;
/// One free list per size: 2^0 .. 2^(BITS-1), the small ones unused.
const SIZES: usize = usize::BITS as usize;

/// The memory a heap lives in.
///
/// # Safety
/// `grow` returns the address of `pages * PAGE` new bytes that nothing
/// else uses, and never 0; `load`, `store` and `copy` are only called with
/// addresses inside memory that `grow` returned.
pub unsafe trait Memory {
    /// Adds `pages` pages; the first new byte's address, or `None` when
    /// memory cannot grow.
    fn grow(&mut self, pages: usize) -> Option<usize>;
    /// The word at `address`.
    ///
    /// # Safety
    /// `address` is word-aligned, inside memory returned by `grow`.
    unsafe fn load(&self, address: usize) -> usize;
    /// Writes the word at `address`.
    ///
    /// # Safety
    /// As for `load`.
    unsafe fn store(&mut self, address: usize, word: usize);
    /// Copies `len` bytes from `from` to `to`, which do not overlap.
    ///
    /// # Safety
    /// Both ranges lie inside memory returned by `grow`.
    unsafe fn copy(&mut self, from: usize, to: usize, len: usize);
}

/// The allocator's state: the free lists and the part of memory not yet
/// cut into blocks (`top` to `end`).
pub struct Heap<M> {
    memory: M,
    free: [usize; SIZES],
    top: usize,
    end: usize,
}

/// The size class (log2 of the block size) for `size` bytes aligned to
/// `align`, or `None` when no block can be that big.
fn class(size: usize, align: usize) -> Option<u32> {
    let bytes = size.max(align).max(1 << SMALLEST);
    let class = usize::BITS - (bytes - 1).leading_zeros();
    (class < usize::BITS).then_some(class)
}

impl<M: Memory> Heap<M> {
    pub const fn new(memory: M) -> Self {
        Heap {
            memory,
            free: [0; SIZES],
            top: 0,
            end: 0,
        }
    }

    pub fn memory(&self) -> &M {
        &self.memory
    }

    pub fn memory_mut(&mut self) -> &mut M {
        &mut self.memory
    }

    /// A block of at least `size` bytes aligned to `align` (a power of two),
    /// or 0 when memory is exhausted.
    pub fn alloc(&mut self, size: usize, align: usize) -> usize {
        let Some(class) = class(size, align) else {
            return 0;
        };
        let head = self.free[class as usize];
        if head != 0 {
            // SAFETY: a free block is one this heap cut from grown memory,
            // with the next free block's address in its first word.
            self.free[class as usize] = unsafe { self.memory.load(head) };
            return head;
        }
        self.cut(1 << class)
    }

    /// A new block of `block` bytes (a power of two) from the top, aligned
    /// to its size; the bytes skipped to align it go to the free lists.
    fn cut(&mut self, block: usize) -> usize {
        loop {
            // Checked: the wasm build does not check overflow, and a block
            // may be as large as half the address space.
            let Some(start) = self.top.checked_add(block - 1).map(|t| t & !(block - 1)) else {
                return 0;
            };
            let Some(stop) = start.checked_add(block) else {
                return 0;
            };
            if stop <= self.end {
                self.release(self.top, start);
                self.top = stop;
                return start;
            }
            let pages = (stop - self.end).div_ceil(PAGE);
            let Some(first) = self.memory.grow(pages) else {
                return 0;
            };
            if first != self.end {
                // Not where the heap ended (the first growth, or memory
                // grown by someone else): what was left goes to the lists.
                self.release(self.top, self.end);
                self.top = first;
            }
            self.end = first + pages * PAGE;
        }
    }

    /// Puts the bytes from `from` to `to` (multiples of 8) on the free
    /// lists, as the largest aligned blocks that fit.
    fn release(&mut self, mut from: usize, to: usize) {
        while from < to {
            let mut class = from.trailing_zeros().min(usize::BITS - 1);
            while to - from < 1 << class {
                class -= 1;
            }
            self.push(from, class);
            from += 1 << class;
        }
    }

    fn push(&mut self, block: usize, class: u32) {
        // SAFETY: `block` is a block of this heap, at least a word long.
        unsafe { self.memory.store(block, self.free[class as usize]) };
        self.free[class as usize] = block;
    }

    /// Frees a block that `alloc` returned for the same `size` and `align`.
    ///
    /// # Safety
    /// `block` came from this heap with this `size` and `align`, and is not
    /// used after this.
    pub unsafe fn dealloc(&mut self, block: usize, size: usize, align: usize) {
        if let Some(class) = class(size, align) {
            self.push(block, class);
        }
    }

    /// The block resized to `new_size`: the same one while the size class
    /// stays, otherwise a new one holding the old contents; 0 (and the old
    /// block untouched) when memory is exhausted.
    ///
    /// # Safety
    /// As for `dealloc`.
    pub unsafe fn realloc(
        &mut self,
        block: usize,
        size: usize,
        align: usize,
        new_size: usize,
    ) -> usize {
        if class(size, align) == class(new_size, align) {
            return block;
        }
        let moved = self.alloc(new_size, align);
        if moved != 0 {
            // SAFETY: two distinct blocks of this heap, each as long as told.
            unsafe {
                self.memory.copy(block, moved, size.min(new_size));
                self.dealloc(block, size, align);
            }
        }
        moved
    }
}
