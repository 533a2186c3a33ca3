//! The big core against its reference model (`model.rs`): the same random
//! operation sequences as the core's property tests (`crate::model`), over
//! the six operations it has, plus unit tests for what only it has (the table's
//! growth, the pool's reuse).

use super::model::BigModel;
use super::Heap;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Take(u32),
    Peek(u32),
    /// Frees the live span at this index (modulo the number live).
    Free(usize),
    /// Frees a block that may or may not start a used span.
    FreeAny(u32),
    Grow(u32),
    /// Shrinks to the top used block plus this many (modulo the free tail).
    Shrink(u32),
}

fn blocks() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => 1u32..8,
        4 => 1u32..100,
        2 => 60u32..70,
        1 => 1u32..2000,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => blocks().prop_map(Op::Take),
        2 => blocks().prop_map(Op::Peek),
        7 => any::<usize>().prop_map(Op::Free),
        1 => (0u32..3000).prop_map(Op::FreeAny),
        1 => (1u32..3000).prop_map(Op::Grow),
        1 => (0u32..500).prop_map(Op::Shrink),
    ]
}

/// Runs `ops` against both and checks agreement after every step.
fn run(ops: &[Op]) {
    let mut heap = Heap::new(Vec::new());
    let mut model = BigModel::default();
    let mut live: Vec<u32> = Vec::new();
    assert!(heap.grow(64) && model.grow(64));
    for op in ops {
        match *op {
            Op::Take(n) => {
                let got = heap.take(n);
                assert_eq!(got, model.take(n), "take({n})");
                if got != 0 {
                    live.push(got);
                }
            }
            Op::Peek(n) => assert_eq!(heap.peek(n), model.peek(n), "peek({n})"),
            Op::Free(i) if !live.is_empty() => {
                let block = live.swap_remove(i % live.len());
                let freed = heap.free(block);
                assert!(freed != 0 && freed == model.free(block), "free({block})");
            }
            Op::Free(_) => {}
            Op::FreeAny(block) => {
                let freed = heap.free(block);
                assert_eq!(freed, model.free(block), "free({block}) of any block");
                live.retain(|&b| !(freed != 0 && b == block));
            }
            Op::Grow(by) => {
                let cap = heap.capacity() + by;
                assert_eq!(heap.grow(cap), model.grow(cap), "grow({cap})");
            }
            Op::Shrink(keep) => {
                let top = heap.capacity() - heap.tail();
                let cap = top + keep % (heap.tail() + 1);
                assert_eq!(heap.shrink(cap), model.shrink(cap), "shrink({cap})");
            }
        }
        assert_eq!(heap.capacity(), model.cap());
        assert_eq!(heap.tail(), model.tail());
        assert_eq!(heap.spans(), model.spans(), "after {op:?}");
        heap.check();
    }
}

proptest! {
    // As the core's: 256 sequences of up to 600 steps (PROPTEST_CASES for more).
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn big_heap_matches_model(ops in prop::collection::vec(op(), 400..600)) {
        run(&ops);
    }
}

#[test]
fn a_fresh_heap_answers_like_the_core() {
    let mut heap = Heap::new(Vec::new());
    assert_eq!((heap.capacity(), heap.tail(), heap.peek(1)), (1, 0, 0));
    assert_eq!((heap.take(1), heap.free(0), heap.free(1)), (0, 0, 0));
    assert!(!heap.shrink(0) && !heap.grow(1) && heap.grow(2));
    assert_eq!(heap.take(1), 1);
    heap.check();
}

#[test]
fn free_rejects_anything_but_a_used_start() {
    let mut heap = Heap::new(Vec::new());
    assert!(heap.grow(100));
    let a = heap.take(10);
    assert_eq!(heap.free(a + 1), 0, "inside a used span");
    assert_eq!(heap.free(50), 0, "inside the free tail");
    assert_eq!(heap.free(a + 10), 0, "a free start");
    assert_eq!(
        heap.free(99 | 1 << 31),
        0,
        "a key of the table's other kind"
    );
    assert_eq!(heap.free(u32::MAX), 0);
    assert_eq!(heap.free(a), 10);
    assert_eq!(heap.free(a), 0, "twice");
    heap.check();
}

#[test]
fn the_table_doubles_in_place_and_nodes_are_reused() {
    // 100 000 spans, every other one freed: the table doubles many times
    // and the pool moves it up; then everything is freed and taken again.
    let mut heap = Heap::new(Vec::new());
    assert!(heap.grow(1 << 20));
    let starts: Vec<u32> = (0..100_000).map(|i| heap.take(1 + i % 5)).collect();
    assert!(starts.iter().all(|&s| s != 0));
    for &start in starts.iter().step_by(2) {
        assert_ne!(heap.free(start), 0);
    }
    heap.check();
    let bytes = heap.record_bytes();
    let spans = heap.spans().len() as u32;
    // The bound of docs/CONTRACT.md: 48 bytes per span, with slack for
    // the first table and pool.
    assert!(
        bytes <= spans * 48 + 4096,
        "{bytes} bytes for {spans} spans"
    );
    for &start in starts.iter().skip(1).step_by(2) {
        assert_ne!(heap.free(start), 0);
    }
    assert_eq!(heap.spans().len(), 2, "all merged back into the tail");
    for _ in 0..2 {
        let again: Vec<u32> = (0..100_000).map(|i| heap.take(1 + i % 5)).collect();
        for &start in again.iter().step_by(2) {
            assert_ne!(heap.free(start), 0);
        }
        assert_eq!(heap.record_bytes(), bytes, "the same records, reused");
        for &start in again.iter().skip(1).step_by(2) {
            assert_ne!(heap.free(start), 0);
        }
    }
    heap.check();
}
