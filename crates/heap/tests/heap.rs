//! The heap on a simulated memory: what it hands out is aligned, inside
//! memory, never shared by two live blocks, and keeps its contents through
//! reallocation; freed blocks are used again.

use heap::{Heap, Memory, PAGE};
use proptest::prelude::*;

/// Memory as a vector of bytes whose first byte has address `BASE` (as in
/// wasm, where the stack and statics come first, so no block is at 0).
struct Simulated {
    bytes: Vec<u8>,
    max_pages: usize,
}

const BASE: usize = 16 * PAGE;

impl Simulated {
    fn new(max_pages: usize) -> Self {
        Simulated {
            bytes: Vec::new(),
            max_pages,
        }
    }

    fn pages(&self) -> usize {
        self.bytes.len() / PAGE
    }

    fn range(&mut self, address: usize, len: usize) -> &mut [u8] {
        let from = address - BASE;
        &mut self.bytes[from..from + len]
    }
}

// SAFETY: the vector only grows, and every access is bounds-checked.
unsafe impl Memory for Simulated {
    fn grow(&mut self, pages: usize) -> Option<usize> {
        if self.pages() + pages > self.max_pages {
            return None;
        }
        let first = BASE + self.bytes.len();
        self.bytes.resize(self.bytes.len() + pages * PAGE, 0);
        Some(first)
    }

    unsafe fn load(&self, address: usize) -> usize {
        assert_eq!(
            address % size_of::<usize>(),
            0,
            "unaligned load at {address}"
        );
        let from = address - BASE;
        usize::from_le_bytes(
            self.bytes[from..from + size_of::<usize>()]
                .try_into()
                .unwrap(),
        )
    }

    unsafe fn store(&mut self, address: usize, word: usize) {
        assert_eq!(
            address % size_of::<usize>(),
            0,
            "unaligned store at {address}"
        );
        self.range(address, size_of::<usize>())
            .copy_from_slice(&word.to_le_bytes());
    }

    unsafe fn copy(&mut self, from: usize, to: usize, len: usize) {
        let source = self.range(from, len).to_vec();
        self.range(to, len).copy_from_slice(&source);
    }
}

/// A live block as the test knows it: where, how big, and the byte it was
/// filled with.
#[derive(Debug, Clone, Copy)]
struct Live {
    address: usize,
    size: usize,
    fill: u8,
}

fn check_new(heap: &mut Heap<Simulated>, live: &[Live], address: usize, size: usize, align: usize) {
    assert_ne!(address, 0, "{size} bytes aligned to {align}: no block");
    assert_eq!(address % align, 0, "{address} is not aligned to {align}");
    let end = BASE + heap.memory().bytes.len();
    assert!(
        address >= BASE && address + size <= end,
        "{address}+{size} is outside memory"
    );
    for other in live {
        let apart =
            address + size.max(1) <= other.address || other.address + other.size.max(1) <= address;
        assert!(apart, "{address}+{size} overlaps the live block {other:?}");
    }
}

fn check_contents(heap: &mut Heap<Simulated>, block: &Live, len: usize) {
    let bytes = heap.memory_mut().range(block.address, len);
    assert!(
        bytes.iter().all(|&b| b == block.fill),
        "the block {block:?} lost its contents"
    );
}

#[derive(Debug, Clone)]
enum Op {
    Alloc { size: usize, align_log: u32 },
    Free(usize),
    Realloc(usize, usize),
}

fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        8 => 0usize..=64,
        4 => 65usize..=4096,
        1 => 4097usize..=3 * PAGE,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (size(), prop_oneof![4 => 0u32..=3, 1 => 4u32..=12])
            .prop_map(|(size, align_log)| Op::Alloc { size, align_log }),
        2 => any::<usize>().prop_map(Op::Free),
        2 => (any::<usize>(), size()).prop_map(|(i, size)| Op::Realloc(i, size)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any sequence of allocations, frees and reallocations: every block is
    /// aligned, inside memory and apart from the others, and keeps what was
    /// written in it (up to its new size when reallocated).
    #[test]
    fn blocks_are_aligned_apart_and_keep_their_contents(ops in prop::collection::vec(op(), 1..200)) {
        let mut heap = Heap::new(Simulated::new(512));
        let mut live: Vec<(Live, usize)> = Vec::new();
        for (n, op) in ops.into_iter().enumerate() {
            let fill = n as u8;
            match op {
                Op::Alloc { size, align_log } => {
                    let align = 1 << align_log;
                    let address = heap.alloc(size, align);
                    let blocks: Vec<Live> = live.iter().map(|l| l.0).collect();
                    check_new(&mut heap, &blocks, address, size, align);
                    heap.memory_mut().range(address, size).fill(fill);
                    live.push((Live { address, size, fill }, align));
                }
                Op::Free(i) if !live.is_empty() => {
                    let (block, align) = live.swap_remove(i % live.len());
                    check_contents(&mut heap, &block, block.size);
                    unsafe { heap.dealloc(block.address, block.size, align) };
                }
                Op::Realloc(i, new_size) if !live.is_empty() => {
                    let (block, align) = live.swap_remove(i % live.len());
                    check_contents(&mut heap, &block, block.size);
                    let address = unsafe { heap.realloc(block.address, block.size, align, new_size) };
                    let blocks: Vec<Live> = live.iter().map(|l| l.0).collect();
                    check_new(&mut heap, &blocks, address, new_size, align);
                    let moved = Live { address, size: new_size, fill: block.fill };
                    check_contents(&mut heap, &moved, block.size.min(new_size));
                    heap.memory_mut().range(address, new_size).fill(block.fill);
                    live.push((moved, align));
                }
                _ => {}
            }
        }
    }
}

#[test]
fn a_freed_block_serves_the_next_allocation_of_its_size() {
    let mut heap = Heap::new(Simulated::new(4));
    let first = heap.alloc(100, 8);
    unsafe { heap.dealloc(first, 100, 8) };
    // 100 and 128 bytes share a size class; 129 does not.
    assert_eq!(heap.alloc(128, 8), first);
    assert_ne!(heap.alloc(129, 8), first);
}

#[test]
fn allocating_and_freeing_in_a_loop_does_not_grow_memory() {
    let mut heap = Heap::new(Simulated::new(64));
    for round in 0..10_000 {
        let size = 1 + round % 3000;
        let a = heap.alloc(size, 8);
        let b = heap.alloc(size / 2 + 1, 4);
        assert!(a != 0 && b != 0);
        unsafe {
            heap.dealloc(a, size, 8);
            heap.dealloc(b, size / 2 + 1, 4);
        }
    }
    assert!(
        heap.memory().pages() <= 2,
        "grew to {} pages",
        heap.memory().pages()
    );
}

#[test]
fn a_string_growing_byte_by_byte_moves_only_when_it_doubles() {
    let mut heap = Heap::new(Simulated::new(4));
    let mut address = heap.alloc(1, 1);
    let mut moves = 0;
    for len in 2..=1000 {
        let next = unsafe { heap.realloc(address, len - 1, 1, len) };
        moves += usize::from(next != address);
        address = next;
    }
    // 8 → 16 → … → 1024: seven moves.
    assert_eq!(moves, 7);
}

#[test]
fn exhausted_memory_gives_no_block_and_leaves_the_old_one_alone() {
    let mut heap = Heap::new(Simulated::new(2));
    let small = heap.alloc(64, 8);
    heap.memory_mut().range(small, 64).fill(7);
    assert_eq!(heap.alloc(3 * PAGE, 8), 0);
    assert_eq!(unsafe { heap.realloc(small, 64, 8, 3 * PAGE) }, 0);
    assert!(heap.memory_mut().range(small, 64).iter().all(|&b| b == 7));
    // Sizes beyond the address space are refused, not wrapped around.
    assert_eq!(heap.alloc(usize::MAX, 8), 0);
    assert_eq!(heap.alloc(usize::MAX / 2 + 2, 8), 0);
    // What is left still serves small blocks.
    assert_ne!(heap.alloc(64, 8), 0);
}

#[test]
fn memory_grown_by_someone_else_is_stepped_over() {
    let mut heap = Heap::new(Simulated::new(8));
    let a = heap.alloc(PAGE / 2, 8);
    // Another user of memory takes the next page.
    let theirs = heap.memory_mut().grow(1).unwrap();
    let b = heap.alloc(PAGE, 8);
    assert!(
        b >= theirs + PAGE || b + PAGE <= theirs,
        "{b} lies in the page at {theirs}"
    );
    assert_ne!(a, b);
    // The half page left before it still serves.
    let c = heap.alloc(PAGE / 2, 8);
    assert!(
        c + PAGE / 2 <= theirs,
        "{c} should be the rest of the first page"
    );
}
