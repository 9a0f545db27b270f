//! Writes a store chunk as Parquet, choosing each column's encoding.
//!
//! The chunk's low-cardinality string columns arrive dictionary-encoded (see
//! [`super::builder`]) and are written as Parquet dictionary pages as they are; the others
//! (`_raw`, `_time`, mostly distinct values) are written plain. polars' `ParquetWriter` would
//! instead estimate every column's cardinality, hashing every value, and group the values
//! again. `_raw` and `_time` get no min/max statistics (a chunk's smallest and largest `_raw`
//! would be copied into the file footer for nothing). The files are ordinary Parquet: the
//! Arrow schema they carry says String, and `scan_parquet` reads them as such.

use super::builder::Chunk;
use polars::prelude::*;
use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, Field as ArrowField};
use polars_parquet::write::{
    to_parquet_leaves, to_parquet_schema, Compressor, DynIter, DynStreamingIterator, Encoding,
    FallibleStreamingIterator, FileWriter, StatisticsOptions, Version, WriteOptions,
};
use std::io::Write;

/// Rows per Parquet row group (the unit of predicate push-down statistics).
pub const ROW_GROUP_ROWS: usize = 8192;

/// Columns whose values are (nearly) all distinct: no min/max statistics.
const DISTINCT: &[&str] = &["_raw", "_time"];

fn options(column: &str) -> WriteOptions {
    let statistics = if DISTINCT.contains(&column) {
        // Parquet wants statistics on every page once any column has them: keep the null count.
        StatisticsOptions {
            min_value: false,
            max_value: false,
            ..StatisticsOptions::default()
        }
    } else {
        StatisticsOptions::default()
    };
    WriteOptions {
        statistics,
        compression: polars_parquet::write::CompressionOptions::Lz4Raw,
        version: Version::V1,
        data_page_size: None,
    }
}

/// Writes `chunk` to `w` as one Parquet file; returns its size in bytes.
pub fn write<W: Write>(w: W, chunk: &Chunk) -> PolarsResult<u64> {
    let schema: ArrowSchema = chunk
        .columns
        .iter()
        .map(|(name, a)| {
            let dtype = match a.dtype() {
                ArrowDataType::Dictionary(_, values, _) => values.as_ref().clone(),
                d => d.clone(),
            };
            (
                name.as_str().into(),
                ArrowField::new(name.as_str().into(), dtype, true),
            )
        })
        .collect();
    let parquet_schema = to_parquet_schema(&schema)?;
    let mut writer =
        FileWriter::new_with_parquet_schema(w, schema, parquet_schema.clone(), options(""));
    let mut offset = 0;
    while offset < chunk.rows {
        let len = ROW_GROUP_ROWS.min(chunk.rows - offset);
        let mut columns = Vec::with_capacity(chunk.columns.len());
        for ((name, array), type_) in chunk.columns.iter().zip(parquet_schema.fields()) {
            let opts = options(name);
            // A dictionary array is written as dictionary pages; anything else plain.
            let encoding = if matches!(array.dtype(), ArrowDataType::Dictionary(..)) {
                Encoding::RleDictionary
            } else {
                Encoding::Plain
            };
            let encodings = vec![encoding; to_parquet_leaves(type_.clone()).len()];
            let part = array.sliced(offset, len);
            for pages in
                polars_parquet::write::array_to_columns(part, type_.clone(), opts, &encodings)?
            {
                let compressed = Compressor::new_from_vec(
                    pages.map(|p| {
                        p.map_err(|e| {
                            polars_parquet::parquet::error::ParquetError::FeatureNotSupported(
                                e.to_string(),
                            )
                        })
                    }),
                    opts.compression,
                    vec![],
                )
                .map_err(PolarsError::from);
                columns.push(Ok(DynStreamingIterator::new(compressed)));
            }
        }
        writer.write(len as u64, DynIter::new(columns.into_iter()))?;
        offset += len;
    }
    writer.end(None)
}
