//! Places in a data folder's files: compact enough to keep on every record.

/// Index of a file in the data folder's list of files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct FileId(pub(crate) u32);

/// A place in a data file, compact enough to keep on every record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub(crate) file: FileId,
    pub(crate) line: u32,
    pub(crate) col: u32,
    pub(crate) len: u32,
}

impl Loc {
    pub(crate) fn new(file: FileId, line: u32, col: u32, len: u32) -> Self {
        Loc {
            file,
            line,
            col,
            len: len.max(1),
        }
    }

    /// The 1-based line.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The 1-based column, in characters.
    pub fn column(&self) -> u32 {
        self.col
    }
}
