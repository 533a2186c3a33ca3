//! Unit tests for the rules of docs/CONTRACT.md that the core decides, and for the
//! guarantees it lists that live in the bookkeeping.

use crate::reference::Span;
use crate::Heap;

fn heap(cap: u32) -> Heap<Vec<u32>> {
    let mut heap = Heap::new(Vec::new());
    assert!(heap.grow(cap));
    heap.check();
    heap
}

fn free_spans(heap: &Heap<Vec<u32>>) -> Vec<(u32, u32)> {
    heap.spans()
        .iter()
        .filter(|s| !s.used)
        .map(|s| (s.start, s.len))
        .collect()
}

#[test]
fn block_zero_is_never_handed_out() {
    let mut heap = heap(4096);
    assert_eq!(
        heap.spans()[0],
        Span {
            start: 0,
            len: 1,
            used: true
        }
    );
    assert_eq!(heap.take(1), 1, "the first allocation is at byte 16");
    assert_eq!(heap.free(0), 0, "the null guard cannot be freed");
    heap.check();
}

#[test]
fn allocation_takes_the_low_end_of_its_span() {
    // Pitfall 1: returning the end of the reserved span.
    let mut heap = heap(100);
    assert_eq!(heap.take(10), 1);
    assert_eq!(heap.take(5), 11);
    assert_eq!(free_spans(&heap), [(16, 84)]);
}

/// Makes free spans of the given lengths, each walled in by a used block,
/// and returns their starts.
fn holes(heap: &mut Heap<Vec<u32>>, lens: &[u32]) -> Vec<u32> {
    let starts: Vec<u32> = lens
        .iter()
        .map(|&len| {
            let start = heap.take(len);
            heap.take(1);
            start
        })
        .collect();
    for &start in &starts {
        assert_ne!(heap.free(start), 0);
    }
    heap.check();
    starts
}

#[test]
fn best_fit_takes_the_shortest_span_that_fits() {
    let mut heap = heap(10_000);
    let starts = holes(&mut heap, &[8, 3, 5, 4, 70, 65, 200]);
    assert_eq!(heap.take(4), starts[3], "exact fit among small spans");
    assert_eq!(
        heap.take(2),
        starts[1],
        "the 3-block span, not the larger ones"
    );
    assert_eq!(heap.take(66), starts[4], "70 over 200 and over the tail");
    assert_eq!(heap.take(64), starts[5], "65 among large spans");
    heap.check();
}

#[test]
fn among_equal_lengths_the_lowest_address_wins() {
    // Pitfall 9: many equal-length spans in a fragmented heap; every placement
    // must take the lowest one, large bin and small bins alike.
    for len in [3, 64, 100] {
        let mut heap = heap(100_000);
        let lens: Vec<u32> = (0..200)
            .map(|i| if i % 3 == 0 { len } else { len + 1 + i % 7 })
            .collect();
        let starts = holes(&mut heap, &lens);
        let mut equal: Vec<u32> = starts
            .iter()
            .zip(&lens)
            .filter(|(_, &l)| l == len)
            .map(|(&s, _)| s)
            .collect();
        equal.sort();
        for expected in equal {
            assert_eq!(heap.take(len), expected);
        }
        heap.check();
    }
}

#[test]
fn freeing_merges_with_both_neighbours_at_once() {
    // Pitfall 2: the right-hand neighbour must leave the index too.
    let mut heap = heap(1000);
    let a = heap.take(4);
    let b = heap.take(4);
    let c = heap.take(4);
    let _wall = heap.take(1);
    assert_eq!(
        [a, c, b].map(|s| heap.free(s)),
        [4; 3],
        "each frees its length"
    );
    assert_eq!(free_spans(&heap), [(1, 12), (14, 986)]);
    heap.check();
    assert_eq!(heap.take(12), 1);
    assert_eq!(heap.take(1), 14, "no stale span left behind");
    heap.check();
}

#[test]
fn freeing_the_last_span_joins_the_tail() {
    let mut heap = heap(1000);
    let a = heap.take(10);
    assert_ne!(heap.free(a), 0);
    assert_eq!(free_spans(&heap), [(1, 999)]);
    assert_eq!(heap.tail(), 999);
}

#[test]
fn free_rejects_anything_but_a_used_start() {
    let mut heap = heap(1000);
    let a = heap.take(10);
    let before = heap.spans();
    assert_eq!(heap.free(a + 1), 0, "interior block");
    assert_eq!(heap.free(a + 10), 0, "free span");
    assert_eq!(heap.free(5000), 0, "past the capacity");
    assert_eq!(heap.free(u32::MAX), 0);
    assert_eq!(heap.free(a), 10, "the length of the span freed");
    assert_eq!(heap.free(a), 0, "double free");
    assert_eq!(free_spans(&heap), [(1, 999)]);
    assert_ne!(before, heap.spans());
    heap.check();
}

#[test]
fn peek_records_nothing() {
    let mut heap = heap(1000);
    let before = heap.spans();
    assert_eq!(heap.peek(10), 1);
    assert_eq!(heap.peek(10), 1);
    assert_eq!(heap.spans(), before);
    assert_eq!(heap.peek(1000), 0, "nothing fits");
    assert_eq!(heap.take(10), 1);
}

#[test]
fn take_fails_cleanly_when_nothing_fits() {
    let mut heap = heap(100);
    let before = heap.spans();
    assert_eq!(heap.take(100), 0);
    assert_eq!(heap.spans(), before);
    assert_eq!(heap.take(99), 1);
    assert_eq!(heap.take(1), 0);
    assert_eq!(heap.tail(), 0);
}

#[test]
fn growing_extends_the_free_tail_or_adds_one() {
    let mut heap = heap(100);
    heap.take(50);
    assert!(heap.grow(200));
    assert_eq!(free_spans(&heap), [(51, 149)]);
    heap.take(149);
    assert!(heap.grow(300));
    assert_eq!(free_spans(&heap), [(200, 100)]);
    assert!(!heap.grow(300), "not larger");
    assert!(!heap.grow(10));
    heap.check();
}

#[test]
fn shrinking_reindexes_the_tail() {
    // Pitfall 3: the shortened tail must move within the index.
    let mut heap = heap(10_000);
    holes(&mut heap, &[100, 500]);
    let top = heap.capacity() - heap.tail();
    assert!(heap.shrink(top + 200));
    heap.check();
    assert_eq!(heap.tail(), 200);
    assert_eq!(
        heap.take(150),
        top,
        "the 200-block tail now fits better than 500"
    );
    assert!(!heap.shrink(top), "would cut a used span");
    let top = heap.capacity() - heap.tail();
    assert!(heap.shrink(top));
    assert_eq!(heap.tail(), 0);
    assert!(!heap.shrink(top), "nothing to release");
    heap.check();
}

#[test]
fn many_free_spans_survive_growth() {
    // Many free spans, then growth: the new records join the free tail and
    // every other span keeps its tags and its place in the index.
    let mut heap = heap(64);
    for round in 0..6 {
        let cap = heap.capacity();
        assert!(heap.grow(cap * 4));
        let starts: Vec<u32> = (0..cap)
            .map(|_| heap.take(1))
            .take_while(|&s| s != 0)
            .collect();
        for start in starts.iter().step_by(2) {
            assert_ne!(heap.free(*start), 0);
        }
        heap.check();
        assert!(free_spans(&heap).len() > round * 10);
    }
}

#[test]
fn sizes_up_to_the_whole_memory() {
    let mut heap = heap(1 << 28);
    assert_eq!(heap.take((1 << 28) - 1), 1);
    assert_eq!(heap.tail(), 0);
    assert_eq!(heap.free(1), (1 << 28) - 1);
    assert_eq!(heap.tail(), (1 << 28) - 1);
}

#[test]
fn a_fresh_heap_is_block_zero_alone() {
    let mut heap = Heap::new(Vec::new());
    assert_eq!((heap.capacity(), heap.tail()), (1, 0));
    assert_eq!((heap.peek(1), heap.take(1)), (0, 0), "nothing to take");
    assert_eq!((heap.free(0), heap.free(1)), (0, 0), "nothing to free");
    assert!(!heap.shrink(0) && !heap.shrink(1), "nothing to release");
    assert!(!heap.grow(1), "not larger");
    assert!(heap.grow(2));
    assert_eq!(
        heap.spans(),
        [
            Span {
                start: 0,
                len: 1,
                used: true
            },
            Span {
                start: 1,
                len: 1,
                used: false
            }
        ]
    );
    heap.check();
    assert_eq!(heap.take(1), 1);
    heap.check();
}

#[test]
fn one_block_spans_borrow_the_next_records_link() {
    // A one-block free span keeps its right link in the next block's record:
    // a used span's, or past the end of the memory the spare record's.
    let mut heap = heap(65);
    let starts: Vec<u32> = (0..64).map(|_| heap.take(1)).collect();
    assert_eq!(heap.tail(), 0);
    for &start in starts.iter().skip(1).step_by(2) {
        assert_ne!(heap.free(start), 0);
    }
    heap.check();
    assert_eq!(heap.tail(), 1, "the last block is a one-block free span");
    for &start in starts.iter().skip(1).step_by(2) {
        assert_eq!(heap.take(1), start, "lowest address first");
        heap.check();
    }
    assert_eq!(heap.take(1), 0);
}

#[test]
fn grow_stops_at_4_gib() {
    let mut heap = heap(64);
    let before = heap.spans();
    assert!(
        !heap.grow((1 << 28) + 1),
        "a wasm32 memory holds 2^28 blocks"
    );
    assert!(!heap.grow(u32::MAX));
    assert_eq!(heap.spans(), before);
    heap.check();
}

#[test]
fn shrink_then_grow_sees_no_stale_tags() {
    let mut heap = heap(1000);
    let a = heap.take(10);
    let b = heap.take(500);
    assert_ne!(heap.free(b), 0);
    assert!(heap.shrink(a + 10 + 100));
    heap.check();
    assert!(heap.grow(2000));
    heap.check();
    assert_eq!(free_spans(&heap), [(a + 10, 2000 - a - 10)]);
    assert_ne!(heap.free(a), 0);
    assert_eq!(free_spans(&heap), [(1, 1999)]);
}

#[test]
fn resize_grows_into_the_free_span_after_and_shrinks_in_place() {
    let mut heap = heap(100);
    let a = heap.take(4);
    let b = heap.take(4);
    assert_ne!(heap.free(b), 0);
    assert!(heap.resize(a, 6), "the free span after `a` has room");
    assert_eq!(free_spans(&heap), [(a + 6, 100 - a - 6)]);
    assert!(heap.resize(a, 2), "shrinking frees the end, merged");
    assert_eq!(free_spans(&heap), [(a + 2, 100 - a - 2)]);
    let c = heap.take(3);
    assert_eq!(c, a + 2);
    assert!(!heap.resize(a, 3), "a used span follows");
    assert!(!heap.resize(a + 1, 1), "no span starts there");
    assert!(!heap.resize(c, 100), "past the end of the memory");
    assert_eq!(heap.span(a), 2);
    heap.check();
}

#[test]
fn the_strong_bit_is_kept_by_resize_and_dropped_by_free() {
    let mut heap = heap(100);
    let a = heap.take(4);
    assert!(heap.flip(a));
    assert_eq!(heap.span(a), 4 | 1 << 30);
    assert!(heap.resize(a, 9));
    assert_eq!(heap.span(a), 9 | 1 << 30);
    assert!(!heap.flip(a + 1) && !heap.flip(0) && !heap.flip(5000));
    assert_eq!(heap.free(a), 9, "the length, without the strong bit");
    assert_eq!(
        heap.span(a),
        (100 - a) | (1 << 31),
        "a free span, merged to the end"
    );
    assert_eq!(heap.span(99), (100 - a) | (1 << 31), "and its last block");
    assert_eq!(heap.span(a + 1), 0, "an inner block");
    assert_eq!(heap.take(2), a, "free spans carry no strong bit");
    assert_eq!(heap.span(a), 2);
    heap.check();
}

#[test]
fn stat_counts_used_blocks_spans_free_spans_and_the_longest() {
    let mut heap = heap(100);
    assert_eq!([0, 1, 2, 3].map(|w| heap.stat(w)), [0, 0, 1, 99]);
    let a = heap.take(5);
    let _b = heap.take(7);
    assert_ne!(heap.free(a), 0);
    assert_eq!([0, 1, 2, 3].map(|w| heap.stat(w)), [7, 1, 2, 87]);
}

#[test]
fn treap_depth_stays_logarithmic_for_evenly_strided_spans() {
    // The priorities are a hash of each node's name, so free spans laid out
    // at a regular stride (the common case: many equal allocations, every
    // other one freed) must still get unrelated priorities. A weak hash (one
    // multiply, then a xor-shift) gave depth 250 for 6 000 such spans here.
    let mut lens: Vec<u32> = (1..=40).collect();
    for p in 6..=12 {
        lens.extend([(1 << p) - 1, 1 << p, (1 << p) + 1]);
    }
    for &len in &lens {
        for gap in [1, 7] {
            let n = 2000;
            let mut heap = heap((len + gap) * n + 10);
            let starts: Vec<u32> = (0..n)
                .map(|_| {
                    let start = heap.take(len);
                    heap.take(gap);
                    start
                })
                .collect();
            for &start in &starts {
                assert_eq!(heap.free(start), len);
            }
            let spans = heap.stat(2) as f64;
            // Random priorities give about 2.5 log2 n for n = 2 000.
            assert!(
                f64::from(heap.depth()) <= 3.5 * spans.log2(),
                "{spans} spans of {len} blocks every {} blocks: depth {}",
                len + gap,
                heap.depth()
            );
        }
    }
}
