//! The store as a catalog for plan-time resolution: the columns of its events and data model
//! tables, read from the manifest (no data is read).

use super::{Store, DM_FIXED, EVENT_FIXED};

impl Store {
    /// The union of the columns of a table's chunks, the fixed ones first, in first-seen order.
    fn table_columns(
        &self,
        kind: &str,
        table: Option<&str>,
        fixed: &[&str],
    ) -> Option<Vec<String>> {
        let chunks: Vec<_> = self
            .manifest
            .chunks
            .iter()
            .filter(|c| c.kind == kind && table.is_none_or(|t| c.table == t))
            .collect();
        if chunks.is_empty() {
            return None;
        }
        let mut out: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        for c in chunks {
            for (n, _) in &c.columns {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
        }
        Some(out)
    }
}

impl crate::plan::resolve::Catalog for Store {
    fn event_columns(&self) -> Option<Vec<String>> {
        self.table_columns("events", None, EVENT_FIXED)
    }

    fn datamodel_columns(&self, dataset: &str) -> Option<Vec<String>> {
        let table = match dataset.contains('.') {
            true => dataset.to_string(),
            false => self.root_dataset(dataset)?,
        };
        self.table_columns("datamodel", Some(&table), DM_FIXED)
    }
}
