//! `wasi:filesystem`: preopened directories and the descriptors opened under them, on cap-std.
//!
//! **Sandbox.** A guest names files only by paths relative to a directory descriptor, and
//! every such path is resolved by cap-std inside that directory: no path is ever joined with
//! a host path or handed to the ambient filesystem. A path that is absolute, or whose `..`
//! steps or symbolic links lead outside the directory, fails with `not-permitted` (cap-std
//! reports the attempt as `PermissionDenied` without an OS error number). Hard links cannot
//! smuggle a file in either: `link-at` resolves its source in the sandbox and does not
//! follow a final symbolic link.
//!
//! **Permissions.** A preopen carries [`DirPerms`] for itself and every directory opened
//! under it, and [`FilePerms`] bounding the files opened under it; a descriptor's file
//! permissions are those bounds narrowed to the `read`/`write` flags it was opened with.
//! Without [`DirPerms::MUTATE`] nothing is created, removed, renamed or linked; a file
//! opened without `write` is not written. Refusals are `not-permitted`, as in wasmtime.
//!
//! Every failure is the WIT `error-code` (from the OS error number when there is one, else
//! from the [`std::io::ErrorKind`]); only a host bug (a handle that is not in the table, a
//! value not of the WIT type) traps.

use std::hash::{Hash, Hasher};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cap_fs_ext::{
    DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, OpenOptionsSyncExt,
};
use cap_std::fs::{Dir, File, FileExt, FileType, FileTypeExt, Metadata, MetadataExt, OpenOptions};
use fs_set_times::{SetTimes, SystemTimeSpec};
use weft_runtime::typed::{Bytes, ComponentList, Fill, ResultPayload};
use weft_runtime::{Linker, Resource, ResourceType, Val};

use crate::io::{
    dtor, ErrorEntry, InputEntry, InputStream, IoCause, OutputEntry, OutputStream, StreamError,
    READ_MAX,
};
use crate::table::TableError;
use crate::{WasiCtx, WasiTypes, WasiView};

const TYPES: &str = "wasi:filesystem/types@0.2.12";
const PREOPENS: &str = "wasi:filesystem/preopens@0.2.12";

/// A set of permission bits: `empty()`, `all()`, `contains`, `|`.
macro_rules! perms {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $flag:ident = $bit:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name(u8);

        impl $name {
            $($(#[$fdoc])* pub const $flag: $name = $name($bit);)*

            /// No permission.
            pub const fn empty() -> $name {
                $name(0)
            }
            /// Every permission.
            pub const fn all() -> $name {
                $name(0 $(| $bit)*)
            }
            /// Whether every permission of `other` is in `self`.
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }
        }

        impl std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, other: $name) -> $name {
                $name(self.0 | other.0)
            }
        }
    };
}

perms! {
    /// What a guest may do with a preopened directory and every directory opened under it.
    DirPerms {
        /// List entries, stat, read links, open files and directories.
        READ = 1,
        /// Create, remove, rename and link entries, set their times.
        MUTATE = 2,
    }
}

perms! {
    /// The most a guest may do with the files opened under a preopened directory.
    FilePerms {
        /// Read files.
        READ = 1,
        /// Write, truncate and resize files, set their times.
        WRITE = 2,
    }
}

/// A directory the guest sees from the start (`wasi:filesystem/preopens`).
pub(crate) struct Preopen {
    dir: Arc<Dir>,
    perms: DirPerms,
    file_perms: FilePerms,
    guest_path: String,
}

/// Opens `host_path` (the one use of ambient authority here) as the guest's `guest_path`.
pub(crate) fn preopen(
    host_path: &Path,
    guest_path: String,
    perms: DirPerms,
    file_perms: FilePerms,
) -> io::Result<Preopen> {
    let dir = Dir::open_ambient_dir(host_path, cap_std::ambient_authority())?;
    Ok(Preopen {
        dir: Arc::new(dir),
        perms,
        file_perms,
        guest_path,
    })
}

error_codes! {
    /// `wasi:filesystem/types.error-code`.
    Access = "access",
    WouldBlock = "would-block",
    Already = "already",
    BadDescriptor = "bad-descriptor",
    Busy = "busy",
    Deadlock = "deadlock",
    Quota = "quota",
    Exist = "exist",
    FileTooLarge = "file-too-large",
    IllegalByteSequence = "illegal-byte-sequence",
    InProgress = "in-progress",
    Interrupted = "interrupted",
    Invalid = "invalid",
    Io = "io",
    IsDirectory = "is-directory",
    Loop = "loop",
    TooManyLinks = "too-many-links",
    MessageSize = "message-size",
    NameTooLong = "name-too-long",
    NoDevice = "no-device",
    NoEntry = "no-entry",
    NoLock = "no-lock",
    InsufficientMemory = "insufficient-memory",
    InsufficientSpace = "insufficient-space",
    NotDirectory = "not-directory",
    NotEmpty = "not-empty",
    NotRecoverable = "not-recoverable",
    Unsupported = "unsupported",
    NoTty = "no-tty",
    NoSuchDevice = "no-such-device",
    Overflow = "overflow",
    NotPermitted = "not-permitted",
    Pipe = "pipe",
    ReadOnly = "read-only",
    InvalidSeek = "invalid-seek",
    TextFileBusy = "text-file-busy",
    CrossDevice = "cross-device",
}

impl ErrorCode {
    /// The code of an I/O error: by its OS error number when it has one, else by its kind.
    /// cap-std's sandbox escapes are `PermissionDenied` without a number: `not-permitted`.
    pub(crate) fn of(cause: IoCause) -> ErrorCode {
        if let Some(code) = cause.raw_os_error.and_then(from_errno) {
            return code;
        }
        use io::ErrorKind as K;
        match cause.kind {
            K::NotFound => ErrorCode::NoEntry,
            K::PermissionDenied => ErrorCode::NotPermitted,
            K::AlreadyExists => ErrorCode::Exist,
            K::WouldBlock => ErrorCode::WouldBlock,
            K::InvalidInput | K::InvalidData => ErrorCode::Invalid,
            K::Interrupted => ErrorCode::Interrupted,
            K::Unsupported => ErrorCode::Unsupported,
            K::OutOfMemory => ErrorCode::InsufficientMemory,
            K::BrokenPipe => ErrorCode::Pipe,
            K::NotADirectory => ErrorCode::NotDirectory,
            K::IsADirectory => ErrorCode::IsDirectory,
            K::DirectoryNotEmpty => ErrorCode::NotEmpty,
            K::ReadOnlyFilesystem => ErrorCode::ReadOnly,
            K::StorageFull => ErrorCode::InsufficientSpace,
            K::FileTooLarge => ErrorCode::FileTooLarge,
            K::ResourceBusy => ErrorCode::Busy,
            K::ExecutableFileBusy => ErrorCode::TextFileBusy,
            K::Deadlock => ErrorCode::Deadlock,
            K::CrossesDevices => ErrorCode::CrossDevice,
            K::TooManyLinks => ErrorCode::TooManyLinks,
            K::InvalidFilename => ErrorCode::Invalid,
            K::NotSeekable => ErrorCode::InvalidSeek,
            K::QuotaExceeded => ErrorCode::Quota,
            _ => ErrorCode::Io,
        }
    }
}

/// The code of OS error number `raw`, when there is one for it.
fn from_errno(raw: i32) -> Option<ErrorCode> {
    use rustix::io::Errno as E;
    use ErrorCode as C;
    let e = E::from_raw_os_error(raw);
    // `EWOULDBLOCK`, `EDEADLOCK` and `EOPNOTSUPP` equal `EAGAIN`, `EDEADLK` and `ENOTSUP` on
    // Linux; the comparisons below cover them without unreachable match arms.
    let table = [
        (E::ACCESS, C::Access),
        (E::AGAIN, C::WouldBlock),
        (E::WOULDBLOCK, C::WouldBlock),
        (E::ALREADY, C::Already),
        (E::BADF, C::BadDescriptor),
        (E::BUSY, C::Busy),
        (E::DEADLK, C::Deadlock),
        (E::DQUOT, C::Quota),
        (E::EXIST, C::Exist),
        (E::FBIG, C::FileTooLarge),
        (E::ILSEQ, C::IllegalByteSequence),
        (E::INPROGRESS, C::InProgress),
        (E::INTR, C::Interrupted),
        (E::INVAL, C::Invalid),
        (E::IO, C::Io),
        (E::ISDIR, C::IsDirectory),
        (E::LOOP, C::Loop),
        (E::MLINK, C::TooManyLinks),
        (E::MSGSIZE, C::MessageSize),
        (E::NAMETOOLONG, C::NameTooLong),
        (E::NODEV, C::NoDevice),
        (E::NOENT, C::NoEntry),
        (E::NOLCK, C::NoLock),
        (E::NOMEM, C::InsufficientMemory),
        (E::NOSPC, C::InsufficientSpace),
        (E::NOTDIR, C::NotDirectory),
        (E::NOTEMPTY, C::NotEmpty),
        (E::NOTRECOVERABLE, C::NotRecoverable),
        (E::NOTSUP, C::Unsupported),
        (E::OPNOTSUPP, C::Unsupported),
        (E::NOSYS, C::Unsupported),
        (E::NOTTY, C::NoTty),
        (E::NXIO, C::NoSuchDevice),
        (E::OVERFLOW, C::Overflow),
        (E::PERM, C::NotPermitted),
        (E::PIPE, C::Pipe),
        (E::ROFS, C::ReadOnly),
        (E::SPIPE, C::InvalidSeek),
        (E::TXTBSY, C::TextFileBusy),
        (E::XDEV, C::CrossDevice),
    ];
    table.iter().find(|(errno, _)| *errno == e).map(|(_, c)| *c)
}

/// Why a filesystem function failed: an error code for the guest, or a trap (host bugs).
enum FsError {
    Code(ErrorCode),
    Trap(String),
}

impl From<ErrorCode> for FsError {
    fn from(c: ErrorCode) -> FsError {
        FsError::Code(c)
    }
}

impl From<io::Error> for FsError {
    fn from(e: io::Error) -> FsError {
        FsError::Code(ErrorCode::of(IoCause::of(&e)))
    }
}

impl From<TableError> for FsError {
    fn from(e: TableError) -> FsError {
        FsError::Trap(e.to_string())
    }
}

type FsResult<T> = Result<T, FsError>;

fn trap<T>(msg: impl Into<String>) -> FsResult<T> {
    Err(FsError::Trap(msg.into()))
}

/// A function's outcome as the WIT `result<R, error-code>` (or a trap).
fn finish<R>(r: FsResult<R>) -> Result<Result<R, Val>, String> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(FsError::Code(c)) => Ok(Err(c.val())),
        Err(FsError::Trap(msg)) => Err(msg),
    }
}

/// `descriptor-flags`, in the WIT's order: the bit of flag `i` is `1 << i`.
const DESCRIPTOR_FLAGS: [&str; 6] = [
    "read",
    "write",
    "file-integrity-sync",
    "data-integrity-sync",
    "requested-write-sync",
    "mutate-directory",
];
const READ: u8 = 1;
const WRITE: u8 = 2;
const FILE_INTEGRITY_SYNC: u8 = 4;
const DATA_INTEGRITY_SYNC: u8 = 8;
const REQUESTED_WRITE_SYNC: u8 = 16;
const MUTATE_DIRECTORY: u8 = 32;

/// A `wasi:filesystem/types.descriptor` in the table.
pub(crate) enum Descriptor {
    File(FileDesc),
    Dir(DirDesc),
}

pub(crate) struct FileDesc {
    file: File,
    /// What the descriptor allows: what it was opened for, as far as its preopen grants.
    perms: FilePerms,
    /// What its preopen grants.
    granted: FilePerms,
    /// The `descriptor-flags` it was opened with (bits of [`DESCRIPTOR_FLAGS`]).
    flags: u8,
}

pub(crate) struct DirDesc {
    dir: Arc<Dir>,
    perms: DirPerms,
    file_perms: FilePerms,
    flags: u8,
}

impl DirDesc {
    fn require(&self, perms: DirPerms) -> FsResult<()> {
        match self.perms.contains(perms) {
            true => Ok(()),
            false => Err(ErrorCode::NotPermitted.into()),
        }
    }

    /// `stat-at` and `metadata-hash-at`: the metadata of `path`, or of what it names when
    /// `path_flags` say to follow a symbolic link.
    fn metadata_at(&self, path_flags: &Val, path: &str) -> FsResult<Metadata> {
        self.require(DirPerms::READ)?;
        let path = relative(path)?;
        Ok(match follow(path_flags)? {
            true => self.dir.metadata(path)?,
            false => self.dir.symlink_metadata(path)?,
        })
    }
}

impl FileDesc {
    /// Whether the descriptor allows `perms`: `not-permitted` when its preopen does not grant
    /// them; `not_opened` (what the system says of such a descriptor, e.g. `bad-descriptor`
    /// for a read of a file opened for writing only) when it was not opened for them.
    fn require(&self, perms: FilePerms, not_opened: ErrorCode) -> FsResult<()> {
        if !self.granted.contains(perms) {
            return Err(ErrorCode::NotPermitted.into());
        }
        match self.perms.contains(perms) {
            true => Ok(()),
            false => Err(not_opened.into()),
        }
    }
}

impl Descriptor {
    fn metadata(&self) -> io::Result<Metadata> {
        match self {
            Descriptor::File(f) => f.file.metadata(),
            Descriptor::Dir(d) => d.dir.dir_metadata(),
        }
    }
}

fn descriptor(ctx: &WasiCtx, r: Resource) -> FsResult<&Descriptor> {
    Ok(ctx.table.get::<Descriptor>(r.rep)?)
}

/// The descriptor `r`, which must be a directory (`not-directory` otherwise).
fn dir(ctx: &WasiCtx, r: Resource) -> FsResult<&DirDesc> {
    match descriptor(ctx, r)? {
        Descriptor::Dir(d) => Ok(d),
        Descriptor::File(_) => Err(ErrorCode::NotDirectory.into()),
    }
}

/// The descriptor `r`, which must be a file (`bad-descriptor` otherwise, as in wasmtime).
fn file(ctx: &WasiCtx, r: Resource) -> FsResult<&FileDesc> {
    match descriptor(ctx, r)? {
        Descriptor::File(f) => Ok(f),
        Descriptor::Dir(_) => Err(ErrorCode::BadDescriptor.into()),
    }
}

/// A `wasi:filesystem/types.directory-entry-stream` in the table.
pub(crate) struct DirEntryStream(cap_std::fs::ReadDir);

/// A stream over an open file: reading or writing from a position that advances, or
/// appending at the end.
struct FileStream {
    file: Arc<File>,
    /// Where the next read or write starts, and the file's size when last looked at; shared
    /// with the reads written in place ([`FileFill`]), which set them right when the file
    /// turns out shorter.
    cursor: Arc<Cursor>,
    append: bool,
}

/// A [`FileStream`]'s position, the file size it last saw, and whether its reads may be
/// written in place. Only the stream's own calls use them, one at a time: the atomics are for
/// sharing, not for concurrency.
struct Cursor {
    position: AtomicU64,
    known_end: AtomicU64,
    /// Cleared for good when a read in place came up short: the file held less than its size
    /// said (it shrank meanwhile, or it is one whose size is not its content, like a sysfs
    /// attribute), or `pread` failed. From then on every read is an ordinary one, which
    /// reports the end as `closed` and an error as the error.
    in_place: AtomicBool,
}

impl FileStream {
    fn new(file: File, position: u64, append: bool) -> FileStream {
        FileStream {
            file: Arc::new(file),
            cursor: Arc::new(Cursor {
                position: AtomicU64::new(position),
                known_end: AtomicU64::new(0),
                in_place: AtomicBool::new(true),
            }),
            append,
        }
    }

    fn position(&self) -> u64 {
        self.cursor.position.load(Relaxed)
    }
}

impl InputStream for FileStream {
    fn read(&mut self, len: usize) -> Result<Vec<u8>, StreamError> {
        let len = len.min(READ_MAX);
        if len == 0 {
            return Ok(Vec::new());
        }
        let position = self.position();
        let buf = read_at(&self.file, len, position)?;
        if buf.is_empty() {
            return Err(StreamError::Closed);
        }
        self.cursor
            .position
            .store(position + buf.len() as u64, Relaxed);
        Ok(buf)
    }

    /// A read of bytes the file is known to hold (its size is looked at again only when a
    /// read goes past the size last seen) is written in place; at the end, or past the size,
    /// or after a read in place came up short, the ordinary read says what there is.
    fn read_in_place(&mut self, len: usize) -> Option<Result<Bytes, StreamError>> {
        if !self.cursor.in_place.load(Relaxed) {
            return None;
        }
        let len = len.min(READ_MAX) as u64;
        let position = self.position();
        let mut end = self.cursor.known_end.load(Relaxed);
        if position.saturating_add(len) > end {
            end = match self.file.metadata() {
                Ok(m) => m.len(),
                Err(e) => return Some(Err(e.into())),
            };
            self.cursor.known_end.store(end, Relaxed);
        }
        let n = end.saturating_sub(position).min(len);
        if n == 0 {
            return None;
        }
        // The position moves when the bytes are read (`FileFill::fill`).
        let fill = FileFill {
            file: self.file.clone(),
            cursor: self.cursor.clone(),
            offset: position,
        };
        Some(Ok(Bytes::in_place(n as usize, Box::new(fill))))
    }
}

/// Reads a [`FileStream`]'s bytes into the guest's block.
struct FileFill {
    file: Arc<File>,
    cursor: Arc<Cursor>,
    offset: u64,
}

impl Fill for FileFill {
    fn fill(&self, dest: &mut [u8]) -> usize {
        let mut done = 0;
        while done < dest.len() {
            match rustix::io::pread(&*self.file, &mut dest[done..], self.offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(rustix::io::Errno::INTR) => continue,
                // The next read, an ordinary one, meets the error again and reports it.
                Err(_) => break,
            }
        }
        self.cursor
            .position
            .store(self.offset + done as u64, Relaxed);
        if done < dest.len() {
            // The list is shorter than the block the guest allocated for it (the guest frees
            // a block by its pointer, or with the list's length as its size: then it loses
            // the rest). It happens once per stream at most: reads are ordinary from now on.
            self.cursor.in_place.store(false, Relaxed);
        }
        done
    }
}

impl OutputStream for FileStream {
    fn write(&mut self, bytes: &[u8]) -> Result<(), StreamError> {
        let position = match self.append {
            true => self.file.metadata()?.len(),
            false => self.position(),
        };
        self.file.write_all_at(bytes, position)?;
        self.cursor
            .position
            .store(position + bytes.len() as u64, Relaxed);
        Ok(())
    }
    fn flush(&mut self) -> Result<(), StreamError> {
        // Writes go straight to the file; there is no buffer to send on.
        Ok(())
    }
}

/// `pread`, again when a signal interrupted it.
/// Reads at most `len` bytes of `file` at `offset` (one `pread`, retried when interrupted)
/// into a new vector, which is not zeroed first: the kernel writes into its spare capacity.
fn read_at(file: &File, len: usize, offset: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(len);
    if len == 0 {
        return Ok(buf);
    }
    loop {
        match rustix::io::pread(file, rustix::buffer::spare_capacity(&mut buf), offset) {
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
            Ok(_) => return Ok(buf),
        }
    }
}

fn descriptor_type(t: FileType) -> &'static str {
    if t.is_dir() {
        "directory"
    } else if t.is_file() {
        "regular-file"
    } else if t.is_symlink() {
        "symbolic-link"
    } else if t.is_block_device() {
        "block-device"
    } else if t.is_char_device() {
        "character-device"
    } else if t.is_fifo() {
        "fifo"
    } else if t.is_socket() {
        "socket"
    } else {
        "unknown"
    }
}

/// A `datetime` (seconds and nanoseconds since the epoch), when the time is not before it.
fn datetime(seconds: i64, nanoseconds: i64) -> Val {
    let (Ok(s), Ok(ns)) = (u64::try_from(seconds), u32::try_from(nanoseconds)) else {
        return Val::Option(None);
    };
    Val::Option(Some(Box::new(Val::Record(vec![
        ("seconds".into(), Val::U64(s)),
        ("nanoseconds".into(), Val::U32(ns)),
    ]))))
}

fn stat(m: &Metadata) -> Val {
    Val::Record(vec![
        (
            "type".into(),
            Val::Enum(descriptor_type(m.file_type()).into()),
        ),
        ("link-count".into(), Val::U64(m.nlink())),
        ("size".into(), Val::U64(m.len())),
        (
            "data-access-timestamp".into(),
            datetime(m.atime(), m.atime_nsec()),
        ),
        (
            "data-modification-timestamp".into(),
            datetime(m.mtime(), m.mtime_nsec()),
        ),
        (
            "status-change-timestamp".into(),
            datetime(m.ctime(), m.ctime_nsec()),
        ),
    ])
}

/// `metadata-hash-value`: a hash of the device and inode numbers (which the guest should not
/// see as such), the same for the same object for as long as the host runs.
fn metadata_hash(m: &Metadata) -> Val {
    let half = |salt: u64| {
        let mut h = std::hash::DefaultHasher::new();
        (salt, m.dev(), m.ino()).hash(&mut h);
        h.finish()
    };
    Val::Record(vec![
        ("lower".into(), Val::U64(half(0))),
        ("upper".into(), Val::U64(half(1))),
    ])
}

/// The names set in a `flags` value.
fn flag_names(v: &Val) -> FsResult<&[String]> {
    match v {
        Val::Flags(names) => Ok(names),
        other => trap(format!("expected a flags value, found {other:?}")),
    }
}

fn has(names: &[String], name: &str) -> bool {
    names.iter().any(|n| n == name)
}

/// Whether `path-flags` has `symlink-follow`.
fn follow(path_flags: &Val) -> FsResult<bool> {
    Ok(has(flag_names(path_flags)?, "symlink-follow"))
}

/// `descriptor-flags` as bits of [`DESCRIPTOR_FLAGS`].
fn descriptor_flag_bits(v: &Val) -> FsResult<u8> {
    let names = flag_names(v)?;
    Ok(DESCRIPTOR_FLAGS
        .iter()
        .enumerate()
        .filter(|(_, f)| has(names, f))
        .fold(0, |bits, (i, _)| bits | (1 << i)))
}

/// A `new-timestamp`: `None` for `no-change`.
fn new_timestamp(v: Val) -> FsResult<Option<SystemTimeSpec>> {
    let Val::Variant(case, payload) = v else {
        return trap(format!("expected a `new-timestamp`, found {v:?}"));
    };
    match (case.as_str(), payload) {
        ("no-change", _) => Ok(None),
        ("now", _) => Ok(Some(SystemTimeSpec::SymbolicNow)),
        ("timestamp", Some(t)) => {
            let (seconds, nanoseconds) = match *t {
                Val::Record(fields) => {
                    let field = |name: &str| fields.iter().find(|(n, _)| n == name);
                    match (field("seconds"), field("nanoseconds")) {
                        (Some((_, Val::U64(s))), Some((_, Val::U32(ns)))) => (*s, *ns),
                        _ => return trap("a `datetime` without its fields"),
                    }
                }
                other => return trap(format!("expected a `datetime`, found {other:?}")),
            };
            if nanoseconds >= 1_000_000_000 {
                return Err(ErrorCode::Invalid.into());
            }
            SystemTime::UNIX_EPOCH
                .checked_add(Duration::new(seconds, nanoseconds))
                .map(|t| Some(SystemTimeSpec::Absolute(t)))
                .ok_or(ErrorCode::Overflow.into())
        }
        (other, _) => trap(format!("`{other}` is not a `new-timestamp`")),
    }
}

/// A path as the guest gave it; cap-std resolves it inside the directory.
fn relative(path: &str) -> FsResult<&Path> {
    if path.contains('\0') {
        return Err(ErrorCode::Invalid.into());
    }
    Ok(Path::new(path))
}

/// `open-at`: the new descriptor.
fn open_at(
    d: &DirDesc,
    path_flags: &Val,
    path: &str,
    open_flags: &Val,
    flags: &Val,
) -> FsResult<Descriptor> {
    let follow = follow(path_flags)?;
    let path = relative(path)?;
    let oflags = flag_names(open_flags)?;
    let (create, directory, exclusive, truncate) = (
        has(oflags, "create"),
        has(oflags, "directory"),
        has(oflags, "exclusive"),
        has(oflags, "truncate"),
    );
    let bits = descriptor_flag_bits(flags)?;
    d.require(DirPerms::READ)?;
    if create || bits & MUTATE_DIRECTORY != 0 {
        d.require(DirPerms::MUTATE)?;
    }
    if (bits & WRITE != 0 || truncate) && !d.file_perms.contains(FilePerms::WRITE) {
        return Err(ErrorCode::NotPermitted.into());
    }
    if directory {
        if create || exclusive || truncate {
            return Err(ErrorCode::Invalid.into());
        }
        // The path is resolved first, so a missing path, a file or a symlink out of the
        // preopen gets its own error, as an `open(2)` with `O_DIRECTORY | O_RDWR` would give
        // (and wasmtime does); only a directory is `is-directory`: it cannot be written.
        let dir = match follow {
            true => d.dir.open_dir(path)?,
            // A symbolic link not followed is `loop`, as `O_NOFOLLOW` makes it (cap-std
            // reports it as not a directory).
            false => match d.dir.open_dir_nofollow(path) {
                Ok(dir) => dir,
                Err(_) if d.dir.symlink_metadata(path).is_ok_and(|m| m.is_symlink()) => {
                    return Err(ErrorCode::Loop.into())
                }
                Err(e) => return Err(e.into()),
            },
        };
        if bits & WRITE != 0 {
            return Err(ErrorCode::IsDirectory.into());
        }
        return Ok(subdir(d, dir, bits));
    }
    let mut opts = OpenOptions::new();
    opts.maybe_dir(true);
    opts.follow(match follow {
        true => FollowSymlinks::Yes,
        false => FollowSymlinks::No,
    });
    if create {
        match exclusive {
            true => opts.create_new(true),
            false => opts.create(true),
        };
        opts.write(true);
    }
    if truncate {
        opts.truncate(true).write(true);
    }
    if bits & WRITE != 0 {
        opts.write(true);
    }
    // Opened neither for reading nor writing, a file is opened for reading (the OS needs one
    // of them); the descriptor's permissions still allow no reads.
    if bits & READ != 0 || bits & WRITE == 0 {
        opts.read(true);
    }
    opts.sync(bits & FILE_INTEGRITY_SYNC != 0)
        .dsync(bits & DATA_INTEGRITY_SYNC != 0)
        .rsync(bits & REQUESTED_WRITE_SYNC != 0);
    let file = d.dir.open_with(path, &opts)?;
    if file.metadata()?.is_dir() {
        return Ok(subdir(d, Dir::from_std_file(file.into_std()), bits));
    }
    if bits & READ != 0 && !d.file_perms.contains(FilePerms::READ) {
        return Err(ErrorCode::NotPermitted.into());
    }
    let mut perms = FilePerms::empty();
    if bits & READ != 0 && d.file_perms.contains(FilePerms::READ) {
        perms = perms | FilePerms::READ;
    }
    if bits & WRITE != 0 && d.file_perms.contains(FilePerms::WRITE) {
        perms = perms | FilePerms::WRITE;
    }
    Ok(Descriptor::File(FileDesc {
        file,
        perms,
        granted: d.file_perms,
        flags: bits & !MUTATE_DIRECTORY,
    }))
}

/// A directory opened under `parent`: it has the parent's permissions.
fn subdir(parent: &DirDesc, dir: Dir, bits: u8) -> Descriptor {
    Descriptor::Dir(DirDesc {
        dir: Arc::new(dir),
        perms: parent.perms,
        file_perms: parent.file_perms,
        flags: bits & (READ | MUTATE_DIRECTORY),
    })
}

/// The resource types of `wasi:filesystem/types`: `descriptor`, `directory-entry-stream`.
pub(crate) fn resource_types<T: WasiView>(l: &mut Linker<T>) -> (ResourceType, ResourceType) {
    (
        l.resource(TYPES, "descriptor", Some(dtor::<T, Descriptor>())),
        l.resource(
            TYPES,
            "directory-entry-stream",
            Some(dtor::<T, DirEntryStream>()),
        ),
    )
}

/// Registers `[method]descriptor.<name>`; its error becomes the guest's `error-code`.
fn method<T, P, R>(
    l: &mut Linker<T>,
    name: &str,
    f: impl Fn(&mut WasiCtx, P) -> FsResult<R> + Send + Sync + 'static,
) where
    T: WasiView,
    P: ComponentList + 'static,
    R: ResultPayload + Send + 'static,
{
    l.instance_func_wrap(
        TYPES,
        &format!("[method]descriptor.{name}"),
        move |t: &mut T, params: P| finish(f(t.wasi(), params)),
    );
}

/// Registers `wasi:filesystem/types` and `wasi:filesystem/preopens`.
pub(crate) fn add<T: WasiView>(l: &mut Linker<T>, types: &Arc<WasiTypes>) {
    let ty = types.clone();
    l.instance_func_wrap(PREOPENS, "get-directories", move |t: &mut T, (): ()| {
        let ctx = t.wasi();
        let mut out = Vec::with_capacity(ctx.preopens.len());
        for i in 0..ctx.preopens.len() {
            let p = &ctx.preopens[i];
            let (entry, guest_path) = (
                Descriptor::Dir(DirDesc {
                    dir: p.dir.clone(),
                    perms: p.perms,
                    file_perms: p.file_perms,
                    flags: READ
                        | match p.perms.contains(DirPerms::MUTATE) {
                            true => MUTATE_DIRECTORY,
                            false => 0,
                        },
                }),
                p.guest_path.clone(),
            );
            let rep = ctx.table.push(entry)?;
            out.push((
                Resource {
                    ty: ty.descriptor,
                    rep,
                    own: true,
                },
                guest_path,
            ));
        }
        Ok(out)
    });

    l.instance_func_wrap(
        TYPES,
        "filesystem-error-code",
        |t: &mut T, (e,): (Resource,)| {
            let entry = t.wasi().table.get::<ErrorEntry>(e.rep)?;
            Ok(entry.1.map(|c| ErrorCode::of(c).val()))
        },
    );

    // Streams.
    for (name, append) in [("write-via-stream", false), ("append-via-stream", true)] {
        let ty = types.clone();
        let f = move |ctx: &mut WasiCtx, (fd, offset): (Resource, u64)| {
            let f = file(ctx, fd)?;
            if !f.perms.contains(FilePerms::WRITE) {
                return Err(ErrorCode::BadDescriptor.into());
            }
            let stream = FileStream::new(f.file.try_clone()?, offset, append);
            let rep = ctx.table.push(OutputEntry(Box::new(stream)))?;
            Ok(Resource {
                ty: ty.output_stream,
                rep,
                own: true,
            })
        };
        if append {
            // `append-via-stream` takes no offset.
            method(l, name, move |ctx, (fd,): (Resource,)| f(ctx, (fd, 0)));
        } else {
            method(l, name, f);
        }
    }
    let ty = types.clone();
    method(
        l,
        "read-via-stream",
        move |ctx, (fd, offset): (Resource, u64)| {
            let f = file(ctx, fd)?;
            if !f.perms.contains(FilePerms::READ) {
                return Err(ErrorCode::BadDescriptor.into());
            }
            let stream = FileStream::new(f.file.try_clone()?, offset, false);
            let rep = ctx.table.push(InputEntry(Box::new(stream)))?;
            Ok(Resource {
                ty: ty.input_stream,
                rep,
                own: true,
            })
        },
    );

    // Files.
    method(
        l,
        "advise",
        |ctx, (fd, offset, len, advice): (Resource, u64, u64, Val)| {
            let f = file(ctx, fd)?;
            let Val::Enum(advice) = advice else {
                return trap(format!("expected an `advice`, found {advice:?}"));
            };
            advise(&f.file, offset, len, &advice)
        },
    );
    method(l, "read", |ctx, (fd, len, offset): (Resource, u64, u64)| {
        let f = file(ctx, fd)?;
        f.require(FilePerms::READ, ErrorCode::BadDescriptor)?;
        let want = usize::try_from(len).unwrap_or(usize::MAX).min(READ_MAX);
        let buf = read_at(&f.file, want, offset)?;
        let end = buf.is_empty() && len > 0;
        Ok((buf, end))
    });
    method(
        l,
        "write",
        |ctx, (fd, bytes, offset): (Resource, Vec<u8>, u64)| {
            let f = file(ctx, fd)?;
            f.require(FilePerms::WRITE, ErrorCode::BadDescriptor)?;
            Ok(f.file.write_at(&bytes, offset)? as u64)
        },
    );
    method(l, "set-size", |ctx, (fd, size): (Resource, u64)| {
        let f = file(ctx, fd)?;
        // `ftruncate` of a file not open for writing is `EINVAL` on Linux.
        f.require(FilePerms::WRITE, ErrorCode::Invalid)?;
        Ok(f.file.set_len(size)?)
    });

    // Any descriptor.
    method(l, "sync-data", |ctx, (fd,): (Resource,)| {
        match descriptor(ctx, fd)? {
            Descriptor::File(f) => f.file.sync_data()?,
            Descriptor::Dir(d) => rustix::fs::fdatasync(&*d.dir)?,
        }
        Ok(())
    });
    method(l, "sync", |ctx, (fd,): (Resource,)| {
        match descriptor(ctx, fd)? {
            Descriptor::File(f) => f.file.sync_all()?,
            Descriptor::Dir(d) => rustix::fs::fsync(&*d.dir)?,
        }
        Ok(())
    });
    method(l, "get-flags", |ctx, (fd,): (Resource,)| {
        let bits = match descriptor(ctx, fd)? {
            Descriptor::File(f) => f.flags,
            Descriptor::Dir(d) => d.flags,
        };
        let names = DESCRIPTOR_FLAGS
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, n)| n.to_string())
            .collect();
        Ok(Val::Flags(names))
    });
    method(l, "get-type", |ctx, (fd,): (Resource,)| {
        let ty = match descriptor(ctx, fd)? {
            Descriptor::File(f) => descriptor_type(f.file.metadata()?.file_type()),
            Descriptor::Dir(_) => "directory",
        };
        Ok(Val::Enum(ty.into()))
    });
    method(
        l,
        "set-times",
        |ctx, (fd, atime, mtime): (Resource, Val, Val)| {
            let (atime, mtime) = (new_timestamp(atime)?, new_timestamp(mtime)?);
            match descriptor(ctx, fd)? {
                Descriptor::File(f) => {
                    // The system lets a file's owner set its times through any descriptor.
                    if !f.granted.contains(FilePerms::WRITE) {
                        return Err(ErrorCode::NotPermitted.into());
                    }
                    SetTimes::set_times(&f.file, atime, mtime)?;
                }
                Descriptor::Dir(d) => {
                    d.require(DirPerms::MUTATE)?;
                    SetTimes::set_times(&*d.dir, atime, mtime)?;
                }
            }
            Ok(())
        },
    );
    method(l, "stat", |ctx, (fd,): (Resource,)| {
        Ok(stat(&descriptor(ctx, fd)?.metadata()?))
    });
    method(l, "metadata-hash", |ctx, (fd,): (Resource,)| {
        Ok(metadata_hash(&descriptor(ctx, fd)?.metadata()?))
    });
    l.instance_func_wrap(
        TYPES,
        "[method]descriptor.is-same-object",
        |t: &mut T, (a, b): (Resource, Resource)| {
            let ctx = t.wasi();
            let (a, b) = (
                ctx.table.get::<Descriptor>(a.rep)?,
                ctx.table.get::<Descriptor>(b.rep)?,
            );
            // Objects whose metadata cannot be read are not known to be the same.
            Ok(match (a.metadata(), b.metadata()) {
                (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
                _ => false,
            })
        },
    );

    // Directories.
    let ty = types.clone();
    method(l, "read-directory", move |ctx, (fd,): (Resource,)| {
        let d = dir(ctx, fd)?;
        d.require(DirPerms::READ)?;
        let entries = d.dir.entries()?;
        let rep = ctx.table.push(DirEntryStream(entries))?;
        Ok(Resource {
            ty: ty.directory_entry_stream,
            rep,
            own: true,
        })
    });
    l.instance_func_wrap(
        TYPES,
        "[method]directory-entry-stream.read-directory-entry",
        |t: &mut T, (s,): (Resource,)| {
            let stream = t.wasi().table.get_mut::<DirEntryStream>(s.rep);
            finish(stream.map_err(FsError::from).and_then(next_entry))
        },
    );
    method(
        l,
        "create-directory-at",
        |ctx, (fd, path): (Resource, String)| {
            let d = dir(ctx, fd)?;
            d.require(DirPerms::MUTATE)?;
            Ok(d.dir.create_dir(relative(&path)?)?)
        },
    );
    method(
        l,
        "stat-at",
        |ctx, (fd, path_flags, path): (Resource, Val, String)| {
            Ok(stat(&dir(ctx, fd)?.metadata_at(&path_flags, &path)?))
        },
    );
    method(
        l,
        "metadata-hash-at",
        |ctx, (fd, path_flags, path): (Resource, Val, String)| {
            Ok(metadata_hash(
                &dir(ctx, fd)?.metadata_at(&path_flags, &path)?,
            ))
        },
    );
    method(
        l,
        "set-times-at",
        |ctx, (fd, path_flags, path, atime, mtime): (Resource, Val, String, Val, Val)| {
            let d = dir(ctx, fd)?;
            d.require(DirPerms::MUTATE)?;
            let path = relative(&path)?;
            let spec = |t: Option<SystemTimeSpec>| t.map(cap_fs_ext::SystemTimeSpec::from_std);
            let (atime, mtime) = (spec(new_timestamp(atime)?), spec(new_timestamp(mtime)?));
            match follow(&path_flags)? {
                true => DirExt::set_times(&*d.dir, path, atime, mtime)?,
                false => d.dir.set_symlink_times(path, atime, mtime)?,
            }
            Ok(())
        },
    );
    method(
        l,
        "link-at",
        |ctx, (fd, old_flags, old_path, new_fd, new_path): (Resource, Val, String, Resource, String)| {
            let old = dir(ctx, fd)?;
            let new = dir(ctx, new_fd)?;
            old.require(DirPerms::READ)?;
            new.require(DirPerms::MUTATE)?;
            // cap-std links the final component itself, never what a symbolic link names;
            // as in wasmtime, asking to follow it is invalid.
            if follow(&old_flags)? {
                return Err(ErrorCode::Invalid.into());
            }
            Ok(old
                .dir
                .hard_link(relative(&old_path)?, &new.dir, relative(&new_path)?)?)
        },
    );
    let ty = types.clone();
    method(
        l,
        "open-at",
        move |ctx, (fd, path_flags, path, open_flags, flags): (Resource, Val, String, Val, Val)| {
            let d = dir(ctx, fd)?;
            let opened = open_at(d, &path_flags, &path, &open_flags, &flags)?;
            let rep = ctx.table.push(opened)?;
            Ok(Resource {
                ty: ty.descriptor,
                rep,
                own: true,
            })
        },
    );
    method(l, "readlink-at", |ctx, (fd, path): (Resource, String)| {
        let d = dir(ctx, fd)?;
        d.require(DirPerms::READ)?;
        // cap-std refuses to read a link to an absolute path: the guest learns nothing of
        // the host's tree through it.
        let target = d.dir.read_link(relative(&path)?)?;
        target
            .into_os_string()
            .into_string()
            .map_err(|_| ErrorCode::IllegalByteSequence.into())
    });
    method(
        l,
        "remove-directory-at",
        |ctx, (fd, path): (Resource, String)| {
            let d = dir(ctx, fd)?;
            d.require(DirPerms::MUTATE)?;
            Ok(d.dir.remove_dir(relative(&path)?)?)
        },
    );
    method(
        l,
        "rename-at",
        |ctx, (fd, old_path, new_fd, new_path): (Resource, String, Resource, String)| {
            let old = dir(ctx, fd)?;
            let new = dir(ctx, new_fd)?;
            old.require(DirPerms::MUTATE)?;
            new.require(DirPerms::MUTATE)?;
            Ok(old
                .dir
                .rename(relative(&old_path)?, &new.dir, relative(&new_path)?)?)
        },
    );
    method(
        l,
        "symlink-at",
        |ctx, (fd, target, link): (Resource, String, String)| {
            let d = dir(ctx, fd)?;
            d.require(DirPerms::MUTATE)?;
            // A link to an absolute path could never be followed in the sandbox.
            if target.starts_with('/') {
                return Err(ErrorCode::NotPermitted.into());
            }
            Ok(d.dir.symlink(relative(&target)?, relative(&link)?)?)
        },
    );
    method(
        l,
        "unlink-file-at",
        |ctx, (fd, path): (Resource, String)| {
            let d = dir(ctx, fd)?;
            d.require(DirPerms::MUTATE)?;
            Ok(d.dir.remove_file_or_symlink(relative(&path)?)?)
        },
    );
}

/// The next entry of a directory, without `.` and `..`.
fn next_entry(stream: &mut DirEntryStream) -> FsResult<Option<Val>> {
    for entry in stream.0.by_ref() {
        let entry = entry?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|_| ErrorCode::IllegalByteSequence)?;
        if name == "." || name == ".." {
            continue;
        }
        let ty = descriptor_type(entry.file_type()?);
        return Ok(Some(Val::Record(vec![
            ("type".into(), Val::Enum(ty.into())),
            ("name".into(), Val::String(name)),
        ])));
    }
    Ok(None)
}

/// `advise`: `posix_fadvise` where the OS has it; elsewhere advice is only advice.
fn advise(file: &File, offset: u64, len: u64, advice: &str) -> FsResult<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::Advice;
        let advice = match advice {
            "normal" => Advice::Normal,
            "sequential" => Advice::Sequential,
            "random" => Advice::Random,
            "will-need" => Advice::WillNeed,
            "dont-need" => Advice::DontNeed,
            "no-reuse" => Advice::NoReuse,
            other => return trap(format!("`{other}` is not an `advice`")),
        };
        rustix::fs::fadvise(file, offset, std::num::NonZeroU64::new(len), advice)?;
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = (file, offset, len, advice);
    Ok(())
}

impl From<rustix::io::Errno> for FsError {
    fn from(e: rustix::io::Errno) -> FsError {
        FsError::Code(from_errno(e.raw_os_error()).unwrap_or(ErrorCode::Io))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(e: io::Error) -> &'static str {
        ErrorCode::of(IoCause::of(&e)).name()
    }

    #[test]
    fn io_errors_are_error_codes() {
        use rustix::io::Errno as E;
        for (errno, name) in [
            (E::NOENT, "no-entry"),
            (E::EXIST, "exist"),
            (E::NOTDIR, "not-directory"),
            (E::ISDIR, "is-directory"),
            (E::NOTEMPTY, "not-empty"),
            (E::LOOP, "loop"),
            (E::ACCESS, "access"),
            (E::PERM, "not-permitted"),
            (E::XDEV, "cross-device"),
            (E::INVAL, "invalid"),
            (E::NAMETOOLONG, "name-too-long"),
            (E::ROFS, "read-only"),
            (E::NOSPC, "insufficient-space"),
            (E::AGAIN, "would-block"),
        ] {
            let e = io::Error::from_raw_os_error(errno.raw_os_error());
            assert_eq!(code(e), name);
        }
        // cap-std's refusal of a path that leads out of its directory.
        let escape = io::Error::new(
            io::ErrorKind::PermissionDenied,
            "a path led outside of the filesystem",
        );
        assert_eq!(code(escape), "not-permitted");
        assert_eq!(code(io::Error::from(io::ErrorKind::NotFound)), "no-entry");
        assert_eq!(code(io::Error::other("?")), "io");
    }

    /// A file stream's I/O error becomes a `wasi:io/error` that still knows its code.
    #[test]
    fn file_stream_errors_keep_their_code() {
        let path = std::env::temp_dir().join(format!("weft-wasi-stream-{}", std::process::id()));
        std::fs::write(&path, "abc").unwrap();
        let file = File::from_std(std::fs::File::open(&path).unwrap());
        let _ = std::fs::remove_file(&path);
        let mut stream = FileStream::new(file, 0, false);
        assert_eq!(InputStream::read(&mut stream, 2).unwrap(), b"ab");
        assert_eq!(InputStream::read(&mut stream, 9).unwrap(), b"c");
        assert_eq!(InputStream::read(&mut stream, 9), Err(StreamError::Closed));
        // Writing to a file opened for reading only: EBADF.
        match OutputStream::write(&mut stream, b"x") {
            Err(StreamError::Io(_, cause)) => {
                assert_eq!(ErrorCode::of(cause).name(), "bad-descriptor")
            }
            other => panic!("{other:?}"),
        }
        // An offset beyond what `pread` takes: EINVAL.
        stream.cursor.position.store(u64::MAX, Relaxed);
        match InputStream::read(&mut stream, 1) {
            Err(StreamError::Io(_, cause)) => assert_eq!(ErrorCode::of(cause).name(), "invalid"),
            other => panic!("{other:?}"),
        }
    }

    /// Reads written in place take their length from the file's size, fall back to an
    /// ordinary read at the end, see a file that grew, and give back what a file that shrank
    /// no longer holds.
    #[test]
    fn file_reads_in_place_follow_the_file() {
        let path = std::env::temp_dir().join(format!("weft-wasi-in-place-{}", std::process::id()));
        std::fs::write(&path, "abcdef").unwrap();
        let file = File::from_std(std::fs::File::open(&path).unwrap());
        let mut stream = FileStream::new(file, 1, false);
        // `into_vec` fills a block of the length the read gave, as the lowering does.
        let read = |stream: &mut FileStream, len| match stream.read_in_place(len) {
            Some(Ok(bytes)) => Some(bytes.into_vec()),
            Some(Err(e)) => panic!("{e:?}"),
            None => None,
        };
        assert_eq!(read(&mut stream, 2).as_deref(), Some(&b"bc"[..]));
        // Past the end: as much as there is.
        assert_eq!(read(&mut stream, 9).as_deref(), Some(&b"def"[..]));
        // At the end there is nothing known to be there: the ordinary read says it is closed.
        assert_eq!(read(&mut stream, 9), None);
        assert_eq!(InputStream::read(&mut stream, 9), Err(StreamError::Closed));
        // The file grows: the next read sees it.
        std::fs::write(&path, "abcdefgh").unwrap();
        assert_eq!(read(&mut stream, 9).as_deref(), Some(&b"gh"[..]));
        // The file shrinks between a read's length and its bytes: the list is shorter, and
        // the position and size are looked at again.
        std::fs::write(&path, "0123456789").unwrap();
        let mut stream = FileStream::new(
            File::from_std(std::fs::File::open(&path).unwrap()),
            2,
            false,
        );
        let bytes = stream.read_in_place(6).unwrap().unwrap();
        assert_eq!(bytes.len(), 6);
        std::fs::write(&path, "0123").unwrap();
        assert_eq!(bytes.into_vec(), b"23");
        assert_eq!(stream.position(), 4);
        // After a short read, reads are ordinary ones, even when the file grows again.
        std::fs::write(&path, "0123456").unwrap();
        assert_eq!(read(&mut stream, 9), None);
        assert_eq!(InputStream::read(&mut stream, 9).unwrap(), b"456");
        assert_eq!(InputStream::read(&mut stream, 9), Err(StreamError::Closed));
        let _ = std::fs::remove_file(&path);

        // A file whose size is not its content (a directory here: a size, and `pread` fails
        // with `EISDIR`) gives one short read, then the ordinary read reports the error.
        let dir = File::from_std(std::fs::File::open(std::env::temp_dir()).unwrap());
        let mut stream = FileStream::new(dir, 0, false);
        if let Some(bytes) = stream.read_in_place(9) {
            assert_eq!(bytes.unwrap().into_vec(), b"");
            assert_eq!(read(&mut stream, 9), None);
        }
        match InputStream::read(&mut stream, 9) {
            Err(StreamError::Io(_, cause)) => {
                assert_eq!(ErrorCode::of(cause).name(), "is-directory")
            }
            other => panic!("{other:?}"),
        }
    }
}
