//! Property tests: random operation sequences run through the heap and through
//! a reference model small enough to be obviously right; after every step the
//! two must agree span for span and the heap must pass `check`.

use crate::reference::Model;
use crate::Heap;
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
    /// Toggles the strong bit of the live span at this index, or of any block.
    Flip(usize),
    FlipAny(u32),
    /// Resizes the live span at this index in place.
    Resize(usize, u32),
    /// Blocks at a multiple of 2^k blocks; reserved if true.
    Aligned(u32, u32, bool),
    /// Claims a range inside the free span at this index (offset, length
    /// taken modulo its length), or at any block.
    Claim(usize, u32, u32),
    ClaimAny(u32, u32, u32),
    /// First fit from a live span at this index, or from any block.
    First(u32, usize),
    FirstAny(u32, u32),
    /// Shrinks to the top used block plus this many (modulo the free tail).
    Shrink(u32),
}

fn blocks() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => 1u32..8,
        4 => 1u32..BIG,
        2 => 60u32..70,
        1 => 1u32..2000,
    ]
}

const BIG: u32 = 100;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => blocks().prop_map(Op::Take),
        2 => blocks().prop_map(Op::Peek),
        7 => any::<usize>().prop_map(Op::Free),
        1 => (0u32..3000).prop_map(Op::FreeAny),
        1 => (1u32..3000).prop_map(Op::Grow),
        1 => (0u32..500).prop_map(Op::Shrink),
        2 => any::<usize>().prop_map(Op::Flip),
        1 => (0u32..3000).prop_map(Op::FlipAny),
        4 => (any::<usize>(), blocks()).prop_map(|(i, n)| Op::Resize(i, n)),
        3 => (blocks(), 0u32..13, any::<bool>()).prop_map(|(n, k, c)| Op::Aligned(n, k, c)),
        2 => (any::<usize>(), any::<u32>(), any::<u32>()).prop_map(|(i, o, n)| Op::Claim(i, o, n)),
        1 => (0u32..3000, 0u32..3000, 0u32..20).prop_map(|(s, a, n)| Op::ClaimAny(s, a, n)),
        2 => (blocks(), any::<usize>()).prop_map(|(n, i)| Op::First(n, i)),
        1 => (blocks(), 0u32..3000).prop_map(|(n, b)| Op::FirstAny(n, b)),
    ]
}

/// Runs `ops` against both and checks agreement after every step.
fn run(ops: &[Op]) {
    let mut heap = Heap::new(Vec::new());
    let mut model = Model::default();
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
            Op::Flip(i) if !live.is_empty() => {
                let block = live[i % live.len()];
                assert!(heap.flip(block) && model.flip(block), "flip({block})");
            }
            Op::Flip(_) => {}
            Op::FlipAny(block) => {
                assert_eq!(
                    heap.flip(block),
                    model.flip(block),
                    "flip({block}) of any block"
                );
            }
            Op::Resize(i, n) if !live.is_empty() => {
                let block = live[i % live.len()];
                assert_eq!(
                    heap.resize(block, n),
                    model.resize(block, n),
                    "resize({block}, {n})"
                );
            }
            Op::Resize(..) => {}
            Op::Aligned(n, k, commit) => {
                let got = heap.aligned(n, 1 << k, commit);
                assert_eq!(
                    got,
                    model.aligned(n, 1 << k, commit),
                    "aligned({n}, {}, {commit})",
                    1 << k
                );
                if commit && got != 0 {
                    live.push(got);
                }
            }
            Op::Claim(i, offset, n) => {
                let free: Vec<_> = model.spans.iter().filter(|s| !s.used).copied().collect();
                if let Some(span) = free.get(i % free.len().max(1)) {
                    let at = span.start + offset % span.len;
                    let n = 1 + n % (span.end() - at);
                    assert!(
                        heap.claim(span.start, at, n) && model.claim(span.start, at, n),
                        "claim"
                    );
                    live.push(at);
                }
            }
            Op::First(n, i) => {
                let from = if live.is_empty() {
                    1
                } else {
                    live[i % live.len()]
                };
                assert_eq!(
                    heap.first(n, from),
                    model.first(n, from),
                    "first({n}, {from})"
                );
            }
            Op::FirstAny(n, from) => {
                assert_eq!(
                    heap.first(n, from),
                    model.first(n, from),
                    "first({n}, {from}) of any block"
                );
            }
            Op::ClaimAny(start, at, n) => {
                let claimed = heap.claim(start, at, n);
                assert_eq!(
                    claimed,
                    model.claim(start, at, n),
                    "claim({start}, {at}, {n})"
                );
                if claimed {
                    live.push(at);
                }
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
        assert_eq!(heap.spans(), model.spans, "after {op:?}");
        for which in 0..4 {
            assert_eq!(
                heap.stat(which),
                model.stat(which),
                "stat({which}) after {op:?}"
            );
        }
        for span in &model.spans {
            for block in [span.start, span.end() - 1] {
                assert_eq!(
                    heap.span(block),
                    model.span(block),
                    "span({block}) after {op:?}"
                );
            }
        }
        heap.check();
    }
}

proptest! {
    // 256 sequences of up to 600 steps: over 100 000 operations a run. Set
    // PROPTEST_CASES for more (the release-mode CI run uses 2 000).
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn heap_matches_model(ops in prop::collection::vec(op(), 400..600)) {
        run(&ops);
    }
}
