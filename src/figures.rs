//! The figures the guide quotes, checked against the run that measures them: a test that
//! measures something names the page, the table row and the column where the guide quotes
//! it, and fails when the page and the measurement disagree by more than 2% (a new compiler
//! moves a count by a few instructions; a stale page is off by more).

/// How far a quoted figure may be from the measurement, in thousandths.
pub const TOLERANCE_PERMILLE: u64 = 20;

/// One quoted figure: the page (`docs/firmware.md`), the first cell of its table row, the
/// column counted from 1 after that cell, and what this run measured. A ratio such as
/// `1.24x` is compared as thousandths (`1240`).
pub struct Quoted<'a> {
    /// The page, from the repository's root.
    pub page: &'a str,
    /// The row's first cell, exactly as written.
    pub row: &'a str,
    /// The column after the row's label, from 1.
    pub column: usize,
    /// The measurement.
    pub measured: u64,
}

/// The numbers in one table cell: `9,848 bytes` is `[9848]`, `30,711 / 30,711` is
/// `[30711, 30711]`, `1.24x` is `[1240]` (thousandths).
fn numbers(cell: &str) -> Vec<u64> {
    let mut found = Vec::new();
    let mut digits = String::new();
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || (c == ',' && !digits.is_empty()) {
            digits.push(c);
        } else if c == '.' && !digits.is_empty() {
            // A ratio: the whole part and up to three decimals, as thousandths.
            let mut decimals = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                decimals.push(*d);
                chars.next();
            }
            while decimals.len() < 3 {
                decimals.push('0');
            }
            digits.retain(|d| d != ',');
            found.push(format!("{digits}{}", &decimals[..3]).parse().unwrap_or(0));
            digits.clear();
        } else {
            digits.retain(|d| d != ',');
            if let Ok(n) = digits.parse() {
                found.push(n);
            }
            digits.clear();
        }
    }
    digits.retain(|d| d != ',');
    if let Ok(n) = digits.parse() {
        found.push(n);
    }
    found
}

/// The cell at `column` after the label of the table row labelled `row` on `page`.
fn cell(page_text: &str, row: &str, column: usize) -> Option<String> {
    page_text.lines().find_map(|line| {
        let cells: Vec<&str> = line.trim().strip_prefix('|')?.split('|').collect();
        if cells.first()?.trim() != row {
            return None;
        }
        cells.get(column).map(|c| c.trim().to_owned())
    })
}

/// Checks every quoted figure, and panics listing each one the page gets wrong.
///
/// # Panics
/// When a page, a row or a figure is missing, or a figure is off by more than
/// [`TOLERANCE_PERMILLE`].
pub fn check(quoted: &[Quoted<'_>]) {
    let root = crate::root();
    let mut wrong = Vec::new();
    for q in quoted {
        let text = std::fs::read_to_string(root.join(q.page))
            .unwrap_or_else(|e| panic!("{}: {e}", q.page));
        let Some(cell) = cell(&text, q.row, q.column) else {
            wrong.push(format!(
                "{}: no row {:?} with column {}",
                q.page, q.row, q.column
            ));
            continue;
        };
        let close = |n: &u64| n.abs_diff(q.measured) * 1000 <= q.measured * TOLERANCE_PERMILLE;
        if !numbers(&cell).iter().any(close) {
            wrong.push(format!(
                "{}: {:?} says {cell:?}, this run measured {}",
                q.page, q.row, q.measured
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "the guide quotes figures this run does not measure (update the pages):\n{}",
        wrong.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_the_pages_write_them() {
        assert_eq!(numbers("9,848 bytes"), [9848]);
        assert_eq!(numbers("30,711 / 30,711"), [30711, 30711]);
        assert_eq!(numbers("1.24x"), [1240]);
        assert_eq!(numbers("33,920 (1.24x)"), [33920, 1240]);
        assert_eq!(numbers(""), Vec::<u64>::new());
        let page = "| a | 1 | 2 |\n|---|---|---|\n| `b` c | 10,996 bytes | 9,848 bytes |\n";
        assert_eq!(cell(page, "`b` c", 2).as_deref(), Some("9,848 bytes"));
        assert_eq!(cell(page, "b", 1), None);
    }
}
