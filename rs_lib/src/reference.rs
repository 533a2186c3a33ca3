//! The reference model: the heap as a plain list of spans in address order,
//! with best fit by scanning. Small enough to be obviously right, and slow:
//! only the property tests (`model.rs`) and the fuzzer (`fuzz/`, through the
//! `reference` feature) use it.

/// One span of blocks, used or free.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u32,
    pub used: bool,
}

impl Span {
    pub fn end(&self) -> u32 {
        self.start + self.len
    }
}

/// The spans tiling `[0, cap)`; block 0 is a used span that is never freed.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub spans: Vec<Span>,
    /// The starts of the used spans that are strong (`flip`ped an odd
    /// number of times).
    pub strong: std::collections::BTreeSet<u32>,
}

impl Model {
    pub fn cap(&self) -> u32 {
        self.spans.last().map_or(0, Span::end)
    }

    /// Free blocks at the end (0 when the last span is used).
    pub fn tail(&self) -> u32 {
        self.spans.last().filter(|s| !s.used).map_or(0, |s| s.len)
    }

    /// The free spans as `(len, start)`, sorted: best fit for `n` blocks is
    /// the first entry with `len >= n`.
    pub fn free_by_fit(&self) -> Vec<(u32, u32)> {
        let mut free: Vec<(u32, u32)> = self
            .spans
            .iter()
            .filter(|s| !s.used)
            .map(|s| (s.len, s.start))
            .collect();
        free.sort_unstable();
        free
    }

    /// The used spans other than block 0, as start blocks.
    pub fn live(&self) -> Vec<u32> {
        self.spans
            .iter()
            .filter(|s| s.used && s.start != 0)
            .map(|s| s.start)
            .collect()
    }

    fn fit(&self, blocks: u32) -> Option<usize> {
        (0..self.spans.len())
            .filter(|&i| !self.spans[i].used && self.spans[i].len >= blocks)
            .min_by_key(|&i| (self.spans[i].len, self.spans[i].start))
    }

    pub fn peek(&self, blocks: u32) -> u32 {
        self.fit(blocks).map_or(0, |i| self.spans[i].start)
    }

    pub fn take(&mut self, blocks: u32) -> u32 {
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

    pub fn free(&mut self, block: u32) -> u32 {
        let Some(i) = self
            .spans
            .iter()
            .position(|s| s.start == block && s.used && block != 0)
        else {
            return 0;
        };
        self.spans[i].used = false;
        self.strong.remove(&block);
        let len = self.spans[i].len;
        self.merge();
        len
    }

    fn used_at(&self, block: u32) -> Option<usize> {
        self.spans
            .iter()
            .position(|s| s.start == block && s.used && block != 0)
    }

    /// The length of the used span at `block`, plus 2^30 if it is strong;
    /// of the free span that starts or ends there, plus 2^31; else 0.
    pub fn span(&self, block: u32) -> u32 {
        if let Some(i) = self.used_at(block) {
            return self.spans[i].len
                | if self.strong.contains(&block) {
                    1 << 30
                } else {
                    0
                };
        }
        self.spans
            .iter()
            .find(|s| !s.used && (s.start == block || s.end() - 1 == block))
            .map_or(0, |s| s.len | 1 << 31)
    }

    pub fn flip(&mut self, block: u32) -> bool {
        if self.used_at(block).is_none() {
            return false;
        }
        if !self.strong.remove(&block) {
            self.strong.insert(block);
        }
        true
    }

    /// In place: shorter frees the end; longer needs the free span after it.
    pub fn resize(&mut self, block: u32, blocks: u32) -> bool {
        let Some(i) = self.used_at(block) else {
            return false;
        };
        let len = self.spans[i].len;
        let after = self
            .spans
            .get(i + 1)
            .filter(|s| !s.used)
            .map_or(0, |s| s.len);
        if blocks > len + after {
            return false;
        }
        // Lay the span and its free neighbour out again as one used span and
        // whatever is left free.
        if after != 0 {
            self.spans.remove(i + 1);
        }
        self.spans[i].len = blocks;
        let rest = len + after - blocks;
        if rest != 0 {
            self.spans.insert(
                i + 1,
                Span {
                    start: block + blocks,
                    len: rest,
                    used: false,
                },
            );
        }
        self.merge();
        true
    }

    /// Best fit at a multiple of `align` blocks; reserved if `commit`.
    pub fn aligned(&mut self, blocks: u32, align: u32, commit: bool) -> u32 {
        let fit = self.free_by_fit().into_iter().find_map(|(len, start)| {
            let first = start.div_ceil(align) * align;
            (first - start + blocks <= len).then_some((start, first))
        });
        let Some((start, first)) = fit else { return 0 };
        if commit {
            self.claim(start, first, blocks);
        }
        first
    }

    /// The first free span of `blocks` or more from the span starting at
    /// `from` (from block 1 if none starts there), in address order.
    pub fn first(&self, blocks: u32, from: u32) -> u32 {
        let from = if from != 0 && self.spans.iter().any(|s| s.start == from) {
            from
        } else {
            1
        };
        self.spans
            .iter()
            .find(|s| s.start >= from && !s.used && s.len >= blocks)
            .map_or(0, |s| s.start)
    }

    /// Reserves `[at, at + blocks)` inside the free span that starts at `start`.
    pub fn claim(&mut self, start: u32, at: u32, blocks: u32) -> bool {
        let Some(i) = self.spans.iter().position(|s| s.start == start && !s.used) else {
            return false;
        };
        let span = self.spans[i];
        if blocks == 0 || at < start || at + blocks > span.end() {
            return false;
        }
        let mut parts = Vec::new();
        if at > start {
            parts.push(Span {
                start,
                len: at - start,
                used: false,
            });
        }
        parts.push(Span {
            start: at,
            len: blocks,
            used: true,
        });
        if span.end() > at + blocks {
            parts.push(Span {
                start: at + blocks,
                len: span.end() - at - blocks,
                used: false,
            });
        }
        self.spans.splice(i..=i, parts);
        true
    }

    /// As the core's `stat`: used blocks, used spans, free spans, longest
    /// free span (block 0 aside).
    pub fn stat(&self, which: u32) -> u32 {
        let live = self.spans.iter().filter(|s| s.used && s.start != 0);
        let free = self.spans.iter().filter(|s| !s.used);
        match which {
            0 => live.map(|s| s.len).sum(),
            1 => live.count() as u32,
            2 => free.count() as u32,
            _ => free.map(|s| s.len).max().unwrap_or(0),
        }
    }

    /// Joins adjacent free spans.
    fn merge(&mut self) {
        let mut merged: Vec<Span> = Vec::with_capacity(self.spans.len());
        for span in self.spans.drain(..) {
            match merged.last_mut() {
                Some(last) if !last.used && !span.used => last.len += span.len,
                _ => merged.push(span),
            }
        }
        self.spans = merged;
    }

    /// The core's contract: `cap` must be above the current capacity (and at
    /// least 2); the new blocks join the free tail.
    pub fn grow(&mut self, cap: u32) -> bool {
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
        self.merge();
        true
    }

    /// The core's contract: `cap` must keep every used span and release
    /// something.
    pub fn shrink(&mut self, cap: u32) -> bool {
        let top = self.cap() - self.tail();
        if self.tail() == 0 || cap < top || cap >= self.cap() {
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
