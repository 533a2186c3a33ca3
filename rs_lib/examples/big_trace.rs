//! Replays the traces of bench/scenarios/big.ts against the big core natively
//! (over a `Vec`), for instruction and cache counts under valgrind:
//!
//! ```text
//! cargo build --release --example big_trace
//! valgrind --tool=callgrind target/release/examples/big_trace churn
//! valgrind --tool=cachegrind target/release/examples/big_trace ops 1000000
//! ```
//!
//! `churn`: the churn trace (10 000 live allocations of 16–1 024 B, 50 000
//! ops, each frees a random one and takes a replacement, growing by half when
//! nothing fits). `ops LIVE`: the bench's shape (2 × LIVE spans of 1–16
//! blocks, every other one freed), then 10 000 takes and their frees.
//! The random numbers are the bench's (mulberry32, the same seeds). A third
//! argument `default` runs `ops` and `ones` on the default core instead.

use lewd_core::big::Heap;
use std::hint::black_box;

/// The three operations the traces need, of either core.
trait Core {
    fn take(&mut self, blocks: u32) -> u32;
    fn free(&mut self, block: u32) -> u32;
    fn grow(&mut self, cap: u32) -> bool;
}

impl Core for Heap<Vec<u32>> {
    fn take(&mut self, blocks: u32) -> u32 {
        Heap::take(self, blocks)
    }
    fn free(&mut self, block: u32) -> u32 {
        Heap::free(self, block)
    }
    fn grow(&mut self, cap: u32) -> bool {
        Heap::grow(self, cap)
    }
}

impl Core for lewd_core::Heap<Vec<u32>> {
    fn take(&mut self, blocks: u32) -> u32 {
        lewd_core::Heap::take(self, blocks)
    }
    fn free(&mut self, block: u32) -> u32 {
        lewd_core::Heap::free(self, block)
    }
    fn grow(&mut self, cap: u32) -> bool {
        lewd_core::Heap::grow(self, cap)
    }
}

/// mulberry32, as bench/lib/harness.ts.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x6D2B_79F5);
        let a = self.0;
        let mut t = (a ^ (a >> 15)).wrapping_mul(1 | a);
        t = t.wrapping_add((t ^ (t >> 7)).wrapping_mul(61 | t)) ^ t;
        (t ^ (t >> 14)) as f64 / 4_294_967_296.0
    }

    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() * (hi - lo + 1) as f64) as u32
    }
}

fn churn() {
    const LIVE: usize = 10_000;
    const OPS: usize = 50_000;
    let mut random = Rng(2);
    let fill: Vec<u32> = (0..LIVE).map(|_| random.between(16, 1024)).collect();
    let slot_of: Vec<usize> = (0..OPS)
        .map(|_| random.between(0, LIVE as u32 - 1) as usize)
        .collect();
    let sizes: Vec<u32> = (0..OPS).map(|_| random.between(16, 1024)).collect();
    let mut heap = Heap::new(Vec::new());
    let mut cap = 4096;
    heap.grow(cap);
    let mut take = |heap: &mut Heap<Vec<u32>>, size: u32| {
        let blocks = size.div_ceil(16);
        loop {
            let block = heap.take(blocks);
            if block != 0 {
                return block;
            }
            cap += (cap >> 1).max(blocks);
            heap.grow(cap);
        }
    };
    let mut slots: Vec<u32> = fill.iter().map(|&size| take(&mut heap, size)).collect();
    for (&slot, &size) in slot_of.iter().zip(&sizes) {
        black_box(heap.free(slots[slot]));
        slots[slot] = take(&mut heap, size);
    }
    for &block in &slots {
        black_box(heap.free(block));
    }
}

fn ops(heap: &mut impl Core, live: u32, most: u32) {
    const OPS: usize = 10_000;
    let mut random = Rng(4);
    let sizes: Vec<u32> = (0..OPS).map(|_| random.between(1, most)).collect();
    heap.grow((2 * live + OPS as u32) * 16 + 4096);
    let starts: Vec<u32> = (0..2 * live)
        .map(|_| heap.take(random.between(1, most)))
        .collect();
    for &start in starts.iter().skip(1).step_by(2) {
        heap.free(start);
    }
    timed(heap, &sizes);
}

/// The timed part of `ops`, apart for `--toggle-collect=*timed*`.
#[inline(never)]
fn timed(heap: &mut impl Core, sizes: &[u32]) {
    let taken: Vec<u32> = sizes.iter().map(|&n| heap.take(n)).collect();
    for &start in &taken {
        black_box(heap.free(start));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let live = args.get(2).map_or(1_000_000, |n| n.parse().unwrap());
    let most = if args[1] == "ones" { 1 } else { 16 };
    match args.get(1).map(String::as_str) {
        Some("churn") => churn(),
        Some("ops" | "ones") if args.get(3).is_some_and(|a| a == "default") => {
            ops(&mut lewd_core::Heap::new(Vec::new()), live, most)
        }
        Some("ops" | "ones") => ops(&mut Heap::new(Vec::new()), live, most),
        _ => eprintln!("usage: big_trace churn | ops LIVE"),
    }
}
