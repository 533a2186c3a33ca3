//! Fuzzing harness for the core: turns fuzzer bytes into a sequence of heap
//! operations (`take`, `peek`, `free`, `grow`, `shrink`, and for the
//! facade's later additions `resize`, `flip`, `span`, `stat`, `aligned`,
//! `claim` and `first`), runs each through
//! [`lewd_core::Heap`] and through the reference [`Model`], and panics at the
//! first disagreement.
//!
//! Only the core's public API is used, so the invariants are checked from
//! outside, after every operation:
//!
//! - every result (`take`, `peek`, `free`, `grow`, `shrink`, `resize`,
//!   `flip`, `span`, `aligned`, `claim`, `first`) is the model's;
//! - `capacity()`, `tail()` and the four `stat`s are the model's;
//! - **probes**: `peek(n)` is the model's best fit for `n` = 1, each length
//!   of a free span (up to 24 of them), one less, one more, and one past the
//!   longest (which must be 0). These reach every small bin and treap path
//!   that holds a span, so a stale or missing index entry shows at once.
//!
//! and, whenever the input asks for it and at the end of every input:
//!
//! - **drain**: taking every free span by its exact length, shortest first,
//!   must return exactly the model's free spans in (length, address) order,
//!   after which nothing is free (`peek(1) == 0`, `tail() == 0`): the index
//!   holds exactly the free spans, each merged to its full length (no two
//!   free spans adjacent). Freeing them all again, in an order the input
//!   picks, must restore the heap, which the probes then check.
//!
//! Sizes are chosen the way bugs like them: tiny, around the small-bin /
//! treap boundary (64 blocks), exactly a free span's length or one off, the
//! free tail's length, and huge. Capacities stay below [`MAX_CAP`] so that a
//! run stays fast; the core's arithmetic near 2^28 blocks is covered by its
//! own tests and by `tests/reliability/large.test.ts`.
//!
//! Set `LEWD_FUZZ_TRACE=1` to print every operation (to replay a crash).

pub mod big;

pub use lewd_core::reference::{Model, Span};
use lewd_core::Heap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;

/// The fuzzer never grows the heap past this many blocks (16 MiB managed,
/// 8 MiB of records).
pub const MAX_CAP: u32 = 1 << 20;

/// The facade grows and trims in 64 KiB pages of 4096 blocks.
const PAGE: u32 = 4096;

/// Operations run (the input's own, not the checks'), over all runs in this
/// process.
pub static OPERATIONS: AtomicU64 = AtomicU64::new(0);
/// Check calls (probes, drain takes and frees) over all runs.
pub static CHECKS: AtomicU64 = AtomicU64::new(0);
/// Inputs run.
pub static INPUTS: AtomicU64 = AtomicU64::new(0);

fn tracing() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("LEWD_FUZZ_TRACE").is_some_and(|v| v != "0"))
}

/// Reads the fuzzer's bytes front to back; `None` ends the run.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&byte, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(byte)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.byte()?, self.byte()?]))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes([
            self.byte()?,
            self.byte()?,
            self.byte()?,
            self.byte()?,
        ]))
    }
}

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub operations: u64,
    pub checks: u64,
}

struct Run {
    heap: Heap<Vec<u32>>,
    model: Model,
    /// The model's free spans as `(len, start)`, sorted; refreshed by `check`.
    fits: Vec<(u32, u32)>,
    counts: Counts,
}

impl Run {
    fn new(cap: u32) -> Self {
        let mut run = Run {
            heap: Heap::new(Vec::new()),
            model: Model::default(),
            fits: Vec::new(),
            counts: Counts::default(),
        };
        run.grow(cap);
        run
    }

    fn trace(&self, what: std::fmt::Arguments) {
        if tracing() {
            // The model's tail: the heap's cannot be read before the first grow.
            eprintln!(
                "lewd_fuzz: {what} (cap {}, tail {})",
                self.model.cap(),
                self.model.tail()
            );
        }
    }

    fn take(&mut self, blocks: u32) {
        self.trace(format_args!("take({blocks})"));
        let got = self.heap.take(blocks);
        assert_eq!(got, self.model.take(blocks), "take({blocks})");
    }

    fn peek(&mut self, blocks: u32) {
        self.trace(format_args!("peek({blocks})"));
        assert_eq!(
            self.heap.peek(blocks),
            self.model.peek(blocks),
            "peek({blocks})"
        );
    }

    fn free(&mut self, block: u32) {
        self.trace(format_args!("free({block})"));
        let freed = self.heap.free(block);
        assert_eq!(freed, self.model.free(block), "free({block})");
    }

    fn resize(&mut self, block: u32, blocks: u32) {
        self.trace(format_args!("resize({block}, {blocks})"));
        let done = self.heap.resize(block, blocks);
        assert_eq!(
            done,
            self.model.resize(block, blocks),
            "resize({block}, {blocks})"
        );
        assert_eq!(
            self.heap.span(block),
            self.model.span(block),
            "span({block})"
        );
    }

    fn aligned(&mut self, blocks: u32, align: u32, commit: bool) {
        self.trace(format_args!("aligned({blocks}, {align}, {commit})"));
        let got = self.heap.aligned(blocks, align, commit);
        assert_eq!(
            got,
            self.model.aligned(blocks, align, commit),
            "aligned({blocks}, {align}, {commit})"
        );
    }

    fn first(&mut self, blocks: u32, from: u32) {
        self.trace(format_args!("first({blocks}, {from})"));
        assert_eq!(
            self.heap.first(blocks, from),
            self.model.first(blocks, from),
            "first({blocks}, {from})"
        );
    }

    fn claim(&mut self, start: u32, at: u32, blocks: u32) {
        self.trace(format_args!("claim({start}, {at}, {blocks})"));
        let claimed = self.heap.claim(start, at, blocks);
        assert_eq!(
            claimed,
            self.model.claim(start, at, blocks),
            "claim({start}, {at}, {blocks})"
        );
    }

    fn flip(&mut self, block: u32) {
        self.trace(format_args!("flip({block})"));
        let flipped = self.heap.flip(block);
        assert_eq!(flipped, self.model.flip(block), "flip({block})");
        assert_eq!(
            self.heap.span(block),
            self.model.span(block),
            "span({block})"
        );
    }

    fn grow(&mut self, cap: u32) {
        self.trace(format_args!("grow({cap})"));
        let grown = self.heap.grow(cap);
        assert_eq!(grown, self.model.grow(cap), "grow({cap})");
    }

    fn shrink(&mut self, cap: u32) {
        self.trace(format_args!("shrink({cap})"));
        let shrunk = self.heap.shrink(cap);
        assert_eq!(shrunk, self.model.shrink(cap), "shrink({cap})");
    }

    /// A request size, in blocks (always ≥ 1, the core's contract).
    fn size(&self, input: &mut Input) -> Option<u32> {
        let mode = input.byte()?;
        let arg = input.byte()?;
        Some(match mode % 8 {
            0 => 1 + arg as u32 % 8,
            1 => 1 + arg as u32 % 64,
            2 => 60 + arg as u32 % 10,
            3 => 1 + input.u16()? as u32,
            4 | 5 if !self.fits.is_empty() => {
                let (len, _) = self.fits[arg as usize % self.fits.len()];
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

    /// Reads and runs one operation; `None` when the input is used up.
    fn step(&mut self, input: &mut Input) -> Option<()> {
        let op = input.byte()?;
        match op % 21 {
            0..=4 | 13..=14 => {
                let blocks = self.size(input)?;
                self.take(blocks);
            }
            5 => {
                let blocks = self.size(input)?;
                self.peek(blocks);
            }
            6..=8 => {
                let live = self.model.live();
                let pick = input.u16()? as usize;
                if live.is_empty() {
                    return Some(());
                }
                self.free(live[pick % live.len()]);
            }
            9 => {
                let mode = input.byte()?;
                let pick = input.u16()? as u32;
                let spans = &self.model.spans;
                let span = spans[pick as usize % spans.len()];
                let block = match mode % 4 {
                    // Inside a span (a used span's inner blocks, or any block
                    // of a free one): never a used start, so nothing is freed.
                    0 | 1 if span.len > 1 => span.start + 1 + pick % (span.len - 1),
                    0 | 1 => span.start,
                    2 => self.model.cap() + pick,
                    _ => input.u32()?,
                };
                self.free(block);
            }
            10 => {
                let mode = input.byte()?;
                let arg = input.byte()? as u32;
                let cap = self.model.cap();
                let next = match mode % 4 {
                    0 => cap + 1 + arg,
                    1 => cap + PAGE * (1 + arg % 8),
                    2 => cap.saturating_sub(arg), // not above: must fail
                    _ => (cap / PAGE + 1 + arg % 4) * PAGE,
                };
                self.grow(next.min(MAX_CAP));
            }
            11 => {
                let mode = input.byte()?;
                let top = self.model.cap() - self.model.tail();
                let cap = match mode % 3 {
                    0 => top + input.u16()? as u32 % (self.model.tail() + 1),
                    // What trim() asks for: the used part rounded up to pages.
                    1 => top.div_ceil(PAGE).max(1) * PAGE,
                    _ => input.u32()?,
                };
                self.shrink(cap);
            }
            12 => {
                let order = input.byte()?;
                self.drain(order);
            }
            15 => {
                let live = self.model.live();
                let pick = input.u16()? as usize;
                let blocks = self.size(input)?;
                if live.is_empty() {
                    return Some(());
                }
                self.resize(live[pick % live.len()], blocks);
            }
            16 => {
                let live = self.model.live();
                let pick = input.u16()? as u32;
                // Mostly live starts; sometimes any block, which must fail
                // unless it is one.
                let block = match (live.is_empty(), pick % 4) {
                    (false, 0..=2) => live[pick as usize % live.len()],
                    _ => pick % (self.model.cap() + 2),
                };
                self.flip(block);
            }
            17 => {
                let shift = input.byte()? as u32 % 13;
                let commit = input.byte()? % 4 != 0;
                let blocks = self.size(input)?;
                self.aligned(blocks, 1 << shift, commit);
            }
            18 => {
                // Mostly a range inside a free span; sometimes anything.
                let mode = input.byte()?;
                let (offset, len) = (input.u16()? as u32, input.u16()? as u32);
                let free: Vec<Span> = self
                    .model
                    .spans
                    .iter()
                    .filter(|s| !s.used)
                    .copied()
                    .collect();
                let (start, at, blocks) = match free.get(offset as usize % free.len().max(1)) {
                    Some(span) if mode % 4 != 0 => {
                        let at = span.start + offset % span.len;
                        (span.start, at, 1 + len % (span.end() - at))
                    }
                    _ => (
                        offset % (self.model.cap() + 2),
                        len % (self.model.cap() + 2),
                        len % 64,
                    ),
                };
                self.claim(start, at, blocks);
            }
            19 => {
                // From a live span's start mostly; sometimes any block.
                let live = self.model.live();
                let pick = input.u16()? as u32;
                let blocks = self.size(input)?;
                let from = match (live.is_empty(), pick % 4) {
                    (false, 0..=2) => live[pick as usize % live.len()],
                    _ => pick % (self.model.cap() + 2),
                };
                self.first(blocks, from);
            }
            _ => {
                let blocks = self.size(input)?;
                self.peek(blocks);
                self.take(blocks);
            }
        }
        self.counts.operations += 1;
        self.check();
        Some(())
    }

    /// The cheap checks, after every operation.
    fn check(&mut self) {
        assert_eq!(self.heap.capacity(), self.model.cap(), "capacity");
        assert_eq!(self.heap.tail(), self.model.tail(), "tail");
        for which in 0..4 {
            assert_eq!(
                self.heap.stat(which),
                self.model.stat(which),
                "stat({which})"
            );
        }
        self.fits = self.model.free_by_fit();
        let mut lengths: Vec<u32> = self.fits.iter().map(|&(len, _)| len).collect();
        lengths.dedup();
        let step = lengths.len().div_ceil(24).max(1);
        let longest = lengths.last().copied().unwrap_or(0);
        let mut probes = vec![1, longest + 1];
        for &len in lengths.iter().step_by(step).chain(lengths.last()) {
            probes.extend([len - 1, len, len + 1]);
        }
        for blocks in probes.into_iter().filter(|&n| n >= 1) {
            let at = self.fits.partition_point(|&(len, _)| len < blocks);
            let want = self.fits.get(at).map_or(0, |&(_, start)| start);
            assert_eq!(
                self.heap.peek(blocks),
                want,
                "probe peek({blocks}) against the model"
            );
            self.counts.checks += 1;
        }
    }

    /// Takes every free span by its exact length (which proves the index
    /// holds exactly the model's free spans), then frees them again in the
    /// order `order` picks.
    fn drain(&mut self, order: u8) {
        self.trace(format_args!("drain({order})"));
        let free = self.model.free_by_fit();
        let mut taken = Vec::with_capacity(free.len());
        for &(len, start) in &free {
            assert_eq!(
                self.heap.take(len),
                start,
                "drain: take({len}) must take the free span at {start}"
            );
            taken.push(start);
        }
        assert_eq!(
            self.heap.peek(1),
            0,
            "drain: a free span is left in the index"
        );
        assert_eq!(self.heap.tail(), 0, "drain: the tail is still free");
        match order % 3 {
            0 => {}
            1 => taken.reverse(),
            _ => taken.sort_unstable_by_key(|&start| (start % 2, start)),
        }
        for &start in &taken {
            assert!(
                self.heap.free(start) != 0,
                "drain: free({start}) of a drained span"
            );
        }
        self.counts.checks += 2 * taken.len() as u64 + 2;
    }
}

/// Runs the operations encoded in `data`; panics at the first disagreement
/// between the core and the model.
pub fn run(data: &[u8]) -> Counts {
    let mut input = Input(data);
    let first = input.byte().unwrap_or(0);
    // The facade starts at one page; smaller starts reach more edges.
    let cap = match first % 4 {
        0 => PAGE,
        1 => 2 + input.byte().unwrap_or(0) as u32 % 64,
        _ => 2 + input.u16().unwrap_or(0) as u32,
    };
    let mut run = Run::new(cap);
    run.check();
    while run.step(&mut input).is_some() {}
    run.drain(first / 4);
    run.check();
    INPUTS.fetch_add(1, Relaxed);
    OPERATIONS.fetch_add(run.counts.operations, Relaxed);
    CHECKS.fetch_add(run.counts.checks, Relaxed);
    run.counts
}

/// One line for logs: the process's totals so far.
pub fn report() -> String {
    format!(
        "lewd_fuzz: inputs={} operations={} checks={}",
        INPUTS.load(Relaxed),
        OPERATIONS.load(Relaxed),
        CHECKS.load(Relaxed)
    )
}
