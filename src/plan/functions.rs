//! Placeholder until the function table lands.

/// Check an eval function call.
pub fn check_eval_call(_name: &str, _n: usize) -> Result<(), String> {
    Ok(())
}

/// Check a stats function name.
pub fn check_stats_call(_name: &str) -> Result<(), String> {
    Ok(())
}
