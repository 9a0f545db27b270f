//! The store as a catalog for plan-time resolution: the columns of its events and data model
//! tables, read from the manifest (no data is read).

use super::{Store, DM_FIXED, EVENT_FIXED};

impl Store {
    /// A table's columns (the manifest's schema), the fixed ones first.
    fn table_columns(
        &self,
        kind: &str,
        table: Option<&str>,
        fixed: &[&str],
    ) -> Option<Vec<String>> {
        if !self
            .manifest
            .tables
            .iter()
            .any(|t| t.kind == kind && table.is_none_or(|n| t.table == n))
        {
            return None;
        }
        let mut out: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        out.extend(
            self.manifest
                .schema(kind, table)
                .into_iter()
                .map(|(n, _)| n),
        );
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
