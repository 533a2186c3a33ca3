//! Fuzzing harness for the big core (`lewd_core::big::Heap`, target
//! `big_ops`): the same kind of input as the core's harness, over the six
//! operations the big core has (`take`, `peek`, `free`, `grow`, `shrink`,
//! `tail`), each run through the big core and its reference model
//! ([`BigModel`]), panicking at the first disagreement.
//!
//! After every operation `capacity()` and `tail()` must be the model's, and
//! so must `peek(n)` for `n` = 1, each length of a free span (up to 24 of
//! them), one less, one more, and one past the longest. At the end of every
//! input the **drain** takes every free span by its exact length, shortest
//! first, each where the model says, then frees what it took in the order
//! the input picks, and the probes run again.

use crate::{Counts, Input, CHECKS, INPUTS, MAX_CAP, OPERATIONS, PAGE};
use lewd_core::big::model::BigModel;
use lewd_core::big::Heap;
use std::sync::atomic::Ordering::Relaxed;

struct BigRun {
    heap: Heap<Vec<u32>>,
    model: BigModel,
    counts: Counts,
}

impl BigRun {
    fn take(&mut self, blocks: u32) {
        let got = self.heap.take(blocks);
        assert_eq!(got, self.model.take(blocks), "take({blocks})");
    }

    fn free(&mut self, block: u32) {
        let freed = self.heap.free(block);
        assert_eq!(freed, self.model.free(block), "free({block})");
    }

    fn grow(&mut self, cap: u32) {
        assert_eq!(self.heap.grow(cap), self.model.grow(cap), "grow({cap})");
    }

    fn shrink(&mut self, cap: u32) {
        let cut = self.heap.shrink(cap);
        assert_eq!(cut, self.model.shrink(cap), "shrink({cap})");
    }

    /// The lengths of the free spans, shortest first, each once.
    fn lengths(&self) -> Vec<u32> {
        let mut lengths: Vec<u32> = self
            .model
            .spans()
            .iter()
            .filter(|s| !s.used)
            .map(|s| s.len)
            .collect();
        lengths.sort_unstable();
        lengths.dedup();
        lengths
    }

    fn check(&mut self) {
        assert_eq!(self.heap.capacity(), self.model.cap(), "capacity");
        assert_eq!(self.heap.tail(), self.model.tail(), "tail");
        let lengths = self.lengths();
        let step = lengths.len().div_ceil(24).max(1);
        let longest = lengths.last().copied().unwrap_or(0);
        let mut probes = vec![1, longest + 1];
        for &len in lengths.iter().step_by(step).chain(lengths.last()) {
            probes.extend([len - 1, len, len + 1]);
        }
        for blocks in probes.into_iter().filter(|&n| n >= 1) {
            assert_eq!(
                self.heap.peek(blocks),
                self.model.peek(blocks),
                "probe peek({blocks}) against the model"
            );
            self.counts.checks += 1;
        }
    }

    /// Takes every free span by its exact length, then frees what it took.
    fn drain(&mut self, order: u8) {
        let mut taken = Vec::new();
        loop {
            let Some(&len) = self.lengths().first() else {
                break;
            };
            let start = self.model.take(len);
            assert_eq!(self.heap.take(len), start, "drain: take({len})");
            taken.push(start);
            self.counts.checks += 1;
        }
        assert_eq!((self.heap.peek(1), self.heap.tail()), (0, 0), "drained");
        if order % 2 == 1 {
            taken.reverse();
        }
        for start in taken {
            self.free(start);
            self.counts.checks += 1;
        }
        self.check();
    }

    fn size(&self, input: &mut Input) -> Option<u32> {
        let mode = input.byte()?;
        let arg = input.byte()?;
        let lengths = self.lengths();
        Some(match mode % 8 {
            0 => 1 + arg as u32 % 8,
            1 => 1 + arg as u32 % 64,
            2 => 60 + arg as u32 % 10,
            3 => 1 + input.u16()? as u32,
            4 | 5 if !lengths.is_empty() => {
                let len = lengths[arg as usize % lengths.len()];
                match mode / 8 % 3 {
                    0 => len,
                    1 => len + 1,
                    _ => (len - 1).max(1),
                }
            }
            6 => (self.model.tail() as i64 + (arg as i8) as i64).max(1) as u32,
            _ => 1 + input.u32()? % ((1 << 28) - 1),
        })
    }

    fn step(&mut self, input: &mut Input) -> Option<()> {
        match input.byte()? % 12 {
            0..=4 => {
                let blocks = self.size(input)?;
                self.take(blocks);
            }
            5 => {
                let blocks = self.size(input)?;
                assert_eq!(self.heap.peek(blocks), self.model.peek(blocks));
            }
            6..=8 => {
                let live = self.model.model.live();
                let pick = input.u16()? as usize;
                if !live.is_empty() {
                    self.free(live[pick % live.len()]);
                }
            }
            9 => {
                let block = match input.byte()? % 3 {
                    0 => input.u16()? as u32,
                    1 => self.model.cap() + input.byte()? as u32,
                    _ => input.u32()?,
                };
                self.free(block);
            }
            10 => {
                let arg = input.byte()? as u32;
                let cap = self.model.cap();
                let next = match arg % 3 {
                    0 => cap + 1 + arg,
                    1 => cap + PAGE * (1 + arg % 8),
                    _ => cap.saturating_sub(arg), // not above: must fail
                };
                self.grow(next.min(MAX_CAP));
            }
            _ => {
                let top = self.model.cap() - self.model.tail();
                let cap = match input.byte()? % 2 {
                    0 => top + input.u16()? as u32 % (self.model.tail() + 1),
                    _ => input.u32()?,
                };
                self.shrink(cap);
            }
        }
        self.counts.operations += 1;
        self.check();
        Some(())
    }
}

/// Runs one input through the big core and its model; panics at the first
/// disagreement.
pub fn run(data: &[u8]) -> Counts {
    let mut input = Input(data);
    let first = input.byte().unwrap_or(0);
    let cap = match first % 4 {
        0 => PAGE,
        1 => 2 + input.byte().unwrap_or(0) as u32 % 64,
        _ => 2 + input.u16().unwrap_or(0) as u32,
    };
    let mut run = BigRun {
        heap: Heap::new(Vec::new()),
        model: BigModel::default(),
        counts: Counts::default(),
    };
    run.grow(cap);
    run.check();
    while run.step(&mut input).is_some() {}
    run.drain(first / 4);
    INPUTS.fetch_add(1, Relaxed);
    OPERATIONS.fetch_add(run.counts.operations, Relaxed);
    CHECKS.fetch_add(run.counts.checks, Relaxed);
    run.counts
}
