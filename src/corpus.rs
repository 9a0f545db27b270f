//! Corpus check (in progress).
