//! Property tests: random operation sequences run through the heap and through
//! a reference model small enough to be obviously right; after every step the
//! two must agree span for span and the heap must pass `check`.

use crate::check::Span;
use crate::Heap;
use proptest::prelude::*;

/// The reference: the spans as a plain list in address order.
struct Model {
    spans: Vec<Span>,
}

impl Model {
    fn new() -> Self {
        Model { spans: Vec::new() }
    }

    fn cap(&self) -> u32 {
        self.spans.last().map_or(0, |s| s.start + s.len)
    }

    /// Best fit by scanning every span: shortest, then lowest address.
    fn fit(&self, blocks: u32) -> Option<usize> {
        (0..self.spans.len())
            .filter(|&i| !self.spans[i].used && self.spans[i].len >= blocks)
            .min_by_key(|&i| (self.spans[i].len, self.spans[i].start))
    }

    fn peek(&self, blocks: u32) -> u32 {
        self.fit(blocks).map_or(0, |i| self.spans[i].start)
    }

    fn take(&mut self, blocks: u32) -> u32 {
        let Some(i) = self.fit(blocks) else { return 0 };
        let Span { start, len, .. } = self.spans[i];
        self.spans[i] = Span {
            start,
            len: blocks,
            used: true,
        };
        if len > blocks {
            self.spans.insert(
                i + 1,
                Span {
                    start: start + blocks,
                    len: len - blocks,
                    used: false,
                },
            );
        }
        start
    }

    fn free(&mut self, block: u32) -> bool {
        let Some(i) = self
            .spans
            .iter()
            .position(|s| s.start == block && s.used && s.start != 0)
        else {
            return false;
        };
        self.spans[i].used = false;
        self.coalesce();
        true
    }

    fn coalesce(&mut self) {
        let mut merged: Vec<Span> = Vec::new();
        for span in self.spans.drain(..) {
            match merged.last_mut() {
                Some(last) if !last.used && !span.used => last.len += span.len,
                _ => merged.push(span),
            }
        }
        self.spans = merged;
    }

    fn tail(&self) -> u32 {
        self.spans.last().filter(|s| !s.used).map_or(0, |s| s.len)
    }

    fn grow(&mut self, cap: u32) -> bool {
        let was = self.cap().max(1);
        if cap <= was {
            return false;
        }
        if self.spans.is_empty() {
            self.spans.push(Span {
                start: 0,
                len: 1,
                used: true,
            });
        }
        self.spans.push(Span {
            start: was,
            len: cap - was,
            used: false,
        });
        self.coalesce();
        true
    }

    fn shrink(&mut self, cap: u32) -> bool {
        if cap >= self.cap() || cap < self.cap() - self.tail() || self.tail() == 0 {
            return false;
        }
        let last = self.spans.last_mut().unwrap();
        last.len = cap - last.start;
        if last.len == 0 {
            self.spans.pop();
        }
        true
    }
}

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
    ]
}

/// Runs `ops` against both and checks agreement after every step.
fn run(ops: &[Op]) {
    let mut heap = Heap::new(Vec::new());
    let mut model = Model::new();
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
                assert!(heap.free(block) && model.free(block), "free({block})");
            }
            Op::Free(_) => {}
            Op::FreeAny(block) => {
                let freed = heap.free(block);
                assert_eq!(freed, model.free(block), "free({block}) of any block");
                live.retain(|&b| !(freed && b == block));
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
