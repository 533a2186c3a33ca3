//! The reference model of the big core: the core's model (`crate::reference`)
//! with the big core's rule among free spans of equal length: for a length
//! below [`BINS`] blocks, the span that became free or changed extent last;
//! for a longer one, the lowest. Each free span carries the number of the
//! operation that gave it its extent (an extent no free span had before is
//! new: merging, carving, growing and cutting all make one).

use super::index::BINS;
use crate::reference::{Model, Span};
use std::collections::HashMap;

/// The heap as [`Model`] sees it, with the age of each free span's extent.
#[derive(Clone, Debug, Default)]
pub struct BigModel {
    pub model: Model,
    /// `(start, len)` of each free span → when it got that extent.
    stamps: HashMap<(u32, u32), u64>,
    clock: u64,
}

impl BigModel {
    pub fn spans(&self) -> &[Span] {
        &self.model.spans
    }

    pub fn cap(&self) -> u32 {
        self.model.cap()
    }

    pub fn tail(&self) -> u32 {
        self.model.tail()
    }

    /// Stamps the free spans whose extent is new, forgets the others.
    fn restamp(&mut self) {
        self.clock += 1;
        let mut stamps = HashMap::new();
        for span in self.model.spans.iter().filter(|s| !s.used) {
            let key = (span.start, span.len);
            stamps.insert(key, self.stamps.get(&key).copied().unwrap_or(self.clock));
        }
        self.stamps = stamps;
    }

    /// The start of the free span where `blocks` go, if one fits.
    fn fit(&self, blocks: u32) -> Option<u32> {
        let free = self
            .model
            .spans
            .iter()
            .filter(|s| !s.used && s.len >= blocks);
        let len = free.clone().map(|s| s.len).min()?;
        let equal = free.filter(|s| s.len == len);
        if len < BINS {
            equal
                .max_by_key(|s| self.stamps[&(s.start, s.len)])
                .map(|s| s.start)
        } else {
            equal.map(|s| s.start).min()
        }
    }

    pub fn peek(&self, blocks: u32) -> u32 {
        self.fit(blocks).unwrap_or(0)
    }

    pub fn take(&mut self, blocks: u32) -> u32 {
        let Some(start) = self.fit(blocks) else {
            return 0;
        };
        assert!(self.model.claim(start, start, blocks));
        self.restamp();
        start
    }

    pub fn free(&mut self, block: u32) -> u32 {
        let len = self.model.free(block);
        self.restamp();
        len
    }

    pub fn grow(&mut self, cap: u32) -> bool {
        let grown = self.model.grow(cap);
        self.restamp();
        grown
    }

    pub fn shrink(&mut self, cap: u32) -> bool {
        let cut = self.model.shrink(cap);
        self.restamp();
        cut
    }
}
