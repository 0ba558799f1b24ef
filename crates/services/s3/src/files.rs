//! Object bytes. Bodies are streamed into a temp file (hashed as they
//! pass), fsynced, then renamed into `objects/` before the metadata that
//! names them is committed; bodies of at most `INLINE_MAX` bytes may
//! instead stay in memory and be stored inline in their version record.
//! Reads stream ranges of a version's segments into a bounded channel
//! (files from a blocking thread). Files live under `{data_dir}/s3/`, or a
//! private temp dir with `--in-memory`.

use bytes::Bytes;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use stratus_core::{AwsError, BodyStream};
use tokio::sync::mpsc;

use crate::checksums::BodyDigest;
use crate::error::internal;
use crate::model::Segment;

/// Bytes (at least) handed to the writing thread at a time.
const WRITE_CHUNK: usize = 1024 * 1024;
/// Chunks buffered between the request and the writing thread.
const WRITE_AHEAD: usize = 4;
/// Bytes read per chunk when streaming a file out.
const READ_CHUNK: usize = 256 * 1024;
/// Chunks buffered between the reading thread and the response.
const READ_AHEAD: usize = 8;
/// The largest body kept inline in its version record instead of a file.
pub const INLINE_MAX: u64 = 64 * 1024;

pub struct Files {
    root: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

/// A body written to a temp file (or held for inline storage), not yet
/// part of the store.
#[derive(Debug)]
pub struct Staged {
    pub id: String,
    pub len: u64,
    pub inline: Option<Bytes>,
}

impl Staged {
    /// The segment naming these bytes in a version record.
    pub fn segment(&self) -> Segment {
        let inline = self.inline.is_some();
        Segment { file: self.id.clone(), len: self.len, inline, data: self.inline.clone(), etag: None, checksum: None }
    }
}

/// Where a segment's bytes are read from.
pub enum Source {
    File(File, u64),
    Inline(Bytes),
}

impl Source {
    fn len(&self) -> u64 {
        match self {
            Source::File(_, len) => *len,
            Source::Inline(b) => b.len() as u64,
        }
    }
}

impl Files {
    /// Files under `data_dir/s3`, or a private temp dir when there is none
    /// (or it cannot be made).
    pub fn new(data_dir: Option<&Path>) -> Files {
        if let Some(dir) = data_dir {
            let root = dir.join("s3");
            if std::fs::create_dir_all(root.join("tmp")).is_ok()
                && std::fs::create_dir_all(root.join("objects")).is_ok()
            {
                // Leftovers of uploads interrupted by a crash.
                if let Ok(entries) = std::fs::read_dir(root.join("tmp")) {
                    for e in entries.flatten() {
                        let _ = std::fs::remove_file(e.path());
                    }
                }
                return Files { root, _tmp: None };
            }
            tracing::warn!("cannot create {}; S3 keeps object bytes in a temp dir", root.display());
        }
        let tmp = tempfile::Builder::new().prefix("stratus-s3-").tempdir().ok();
        let root =
            tmp.as_ref().map(|t| t.path().to_path_buf()).unwrap_or_else(|| std::env::temp_dir().join("stratus-s3"));
        let _ = std::fs::create_dir_all(root.join("tmp"));
        let _ = std::fs::create_dir_all(root.join("objects"));
        Files { root, _tmp: tmp }
    }

    /// The directory holding `tmp/` and `objects/`.
    #[cfg(test)]
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn object_path(&self, id: &str) -> PathBuf {
        let shard = id.get(..2).unwrap_or("00");
        self.root.join("objects").join(shard).join(id)
    }

    fn tmp_path(&self, id: &str) -> PathBuf {
        self.root.join("tmp").join(id)
    }

    /// Streams `body` into a temp file, feeding `digest`; fails past `limit`
    /// bytes. With `may_inline`, a body of at most `INLINE_MAX` bytes is kept
    /// in memory instead. The file is fsynced; `commit` makes it permanent.
    pub async fn write(
        &self,
        body: &mut BodyStream,
        digest: &mut BodyDigest,
        limit: u64,
        may_inline: bool,
    ) -> Result<Staged, AwsError> {
        let id = new_id();
        let path = self.tmp_path(&id);
        // A blocking thread writes (and finally fsyncs) while this task
        // receives the next chunks; it starts once the body is known not to
        // stay inline. Bodies past the first batch are hashed on a thread of
        // their own too (MD5 alone runs at ~550 MB/s, so it must overlap
        // with receiving and writing); smaller ones are hashed here.
        let mut writer: Option<Writer> = None;
        let mut hasher: Option<Hasher> = None;
        let (mut pending, mut pending_len, mut received) = (Vec::new(), 0, 0u64);
        let fed = async {
            while let Some(chunk) = body.chunk().await {
                let chunk = chunk?;
                received += chunk.len() as u64;
                if received > limit {
                    return Err(AwsError::bad_request(
                        "EntityTooLarge",
                        "Your proposed upload exceeds the maximum allowed size",
                    ));
                }
                pending_len += chunk.len();
                pending.push(chunk);
                if writer.is_none() && (!may_inline || received > INLINE_MAX) {
                    writer = Some(Writer::spawn(path.clone()));
                }
                if let Some(w) = &writer
                    && pending_len >= WRITE_CHUNK
                {
                    pending_len = 0;
                    let h =
                        hasher.get_or_insert_with(|| Hasher::spawn(std::mem::replace(digest, BodyDigest::new(&[]))));
                    h.feed(pending.clone()).await;
                    if !w.feed(std::mem::take(&mut pending)).await {
                        break; // the writer failed; its error is reported below
                    }
                }
            }
            match &hasher {
                Some(h) => h.feed(pending.clone()).await,
                None => pending.iter().for_each(|c| digest.update(c)),
            }
            if let Some(w) = &writer {
                w.feed(std::mem::take(&mut pending)).await;
            }
            Ok(())
        }
        .await;
        let Some(w) = writer else {
            fed?;
            let inline = match pending.len() {
                1 => pending.swap_remove(0),
                _ => Bytes::from(pending.concat()),
            };
            return Ok(Staged { id, len: digest.len, inline: Some(inline) });
        };
        // The file's last writes and fsync overlap with the hashing's tail.
        let (written, hashed) = match hasher {
            Some(h) => tokio::join!(w.finish(), h.finish()),
            None => (w.finish().await, Ok(std::mem::replace(digest, BodyDigest::new(&[])))),
        };
        match fed.and(written).and(hashed) {
            Ok(d) => {
                *digest = d;
                Ok(Staged { id, len: digest.len, inline: None })
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                Err(e)
            }
        }
    }

    /// Copies `len` bytes from `start` of a version's sources into a new
    /// staged body, feeding `digest`.
    pub async fn copy(
        &self,
        sources: Vec<Source>,
        start: u64,
        len: u64,
        digest: &mut BodyDigest,
        may_inline: bool,
    ) -> Result<Staged, AwsError> {
        let rx = read_range(sources, start, len);
        let (tx, body) = BodyStream::channel(1, Some(len));
        // Forward chunks as body frames so `write` can do the rest.
        let forward = tokio::spawn(async move {
            let mut rx = rx;
            while let Some(b) = rx.recv().await {
                if tx.send(Ok(stratus_core::BodyFrame::Data(b))).await.is_err() {
                    break;
                }
            }
        });
        let mut body = body;
        let staged = self.write(&mut body, digest, u64::MAX, may_inline).await;
        let _ = forward.await;
        let staged = staged?;
        if staged.len != len {
            self.discard(&staged).await;
            return Err(internal("object data is shorter than its record"));
        }
        Ok(staged)
    }

    /// Moves a staged file into place (inline bytes need nothing).
    pub async fn commit(&self, staged: &Staged) -> Result<(), AwsError> {
        if staged.inline.is_some() {
            return Ok(());
        }
        let dest = self.object_path(&staged.id);
        if let Some(parent) = dest.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(internal)?;
        }
        tokio::fs::rename(self.tmp_path(&staged.id), &dest).await.map_err(internal)
    }

    pub async fn discard(&self, staged: &Staged) {
        if staged.inline.is_some() {
            return;
        }
        let _ = tokio::fs::remove_file(self.tmp_path(&staged.id)).await;
    }

    /// Removes a committed body whose metadata was not written.
    pub async fn discard_committed(&self, staged: &Staged) {
        if staged.inline.is_none() {
            self.remove(vec![staged.id.clone()]).await;
        }
    }

    /// Removes committed files whose metadata is gone.
    pub async fn remove(&self, ids: Vec<String>) {
        for id in ids {
            let _ = tokio::fs::remove_file(self.object_path(&id)).await;
        }
    }

    /// Opens a segment's file (before answering, so a missing file is an
    /// error and not a truncated body).
    pub fn open(&self, segment: &Segment) -> Result<Source, AwsError> {
        File::open(self.object_path(&segment.file)).map(|f| Source::File(f, segment.len)).map_err(internal)
    }
}

/// Streams `len` bytes from offset `start` of the concatenated segments.
pub fn read_range(sources: Vec<Source>, start: u64, len: u64) -> mpsc::Receiver<Bytes> {
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    if let [Source::Inline(b)] = sources.as_slice() {
        // One inline segment: the answer is a slice of it, no thread needed.
        let from = (start as usize).min(b.len());
        let to = (start + len).min(b.len() as u64) as usize;
        let _ = tx.try_send(b.slice(from..to));
        return rx;
    }
    tokio::task::spawn_blocking(move || {
        let mut skip = start;
        let mut left = len;
        for source in sources {
            if left == 0 {
                break;
            }
            let size = source.len();
            if skip >= size {
                skip -= size;
                continue;
            }
            let here = (size - skip).min(left);
            let sent = match source {
                Source::Inline(b) => tx.blocking_send(b.slice(skip as usize..(skip + here) as usize)).is_ok(),
                Source::File(file, _) => send_file(file, skip, here, &tx),
            };
            if !sent {
                return;
            }
            skip = 0;
            left -= here;
        }
    });
    rx
}

/// Sends `len` bytes of `file` from `skip` in chunks; false when the file
/// ended early or the client went away.
fn send_file(mut file: File, skip: u64, len: u64, tx: &mpsc::Sender<Bytes>) -> bool {
    if file.seek(SeekFrom::Start(skip)).is_err() {
        return false;
    }
    let mut remaining = len;
    while remaining > 0 {
        let want = (remaining as usize).min(READ_CHUNK);
        let mut buf = vec![0u8; want];
        let mut filled = 0;
        while filled < want {
            match file.read(&mut buf[filled..]) {
                Ok(0) => return false,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return false,
            }
        }
        if tx.blocking_send(Bytes::from(buf)).is_err() {
            return false;
        }
        remaining -= want as u64;
    }
    true
}

/// The blocking thread writing one staged file.
struct Writer {
    tx: mpsc::Sender<Vec<Bytes>>,
    thread: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Writer {
    fn spawn(path: PathBuf) -> Writer {
        let (tx, rx) = mpsc::channel::<Vec<Bytes>>(WRITE_AHEAD);
        Writer { tx, thread: tokio::task::spawn_blocking(move || write_file(&path, rx)) }
    }

    /// False when the writer has stopped (its error comes from `finish`).
    async fn feed(&self, chunks: Vec<Bytes>) -> bool {
        self.tx.send(chunks).await.is_ok()
    }

    async fn finish(self) -> Result<(), AwsError> {
        drop(self.tx);
        self.thread.await.map_err(internal).and_then(|r| r.map_err(internal))
    }
}

/// A body's digest computed on a blocking thread, fed batches of chunks.
struct Hasher {
    tx: mpsc::Sender<Vec<Bytes>>,
    thread: tokio::task::JoinHandle<BodyDigest>,
}

impl Hasher {
    fn spawn(mut digest: BodyDigest) -> Hasher {
        let (tx, mut rx) = mpsc::channel::<Vec<Bytes>>(WRITE_AHEAD);
        let thread = tokio::task::spawn_blocking(move || {
            while let Some(chunks) = rx.blocking_recv() {
                chunks.iter().for_each(|c| digest.update(c));
            }
            digest
        });
        Hasher { tx, thread }
    }

    async fn feed(&self, chunks: Vec<Bytes>) {
        let _ = self.tx.send(chunks).await;
    }

    async fn finish(self) -> Result<BodyDigest, AwsError> {
        drop(self.tx);
        self.thread.await.map_err(internal)
    }
}

/// A random file name (hex), also used for upload ids' randomness.
pub fn new_id() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

/// Writes every chunk from `rx` into a new file at `path`, then fsyncs it.
/// Writeback of each batch starts as soon as it is written, so the final
/// fsync waits for the last batches only, not the whole body.
fn write_file(path: &Path, mut rx: mpsc::Receiver<Vec<Bytes>>) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = File::create(path)?;
    let mut offset = 0u64;
    while let Some(chunks) = rx.blocking_recv() {
        let start = offset;
        for chunk in chunks {
            file.write_all(&chunk)?;
            offset += chunk.len() as u64;
        }
        start_writeback(&file, start, offset - start);
    }
    file.sync_all()
}

/// Asks the kernel to start writing a range of `file` to disk without
/// waiting for it (a hint: errors surface in the final fsync).
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else { return };
    // SAFETY: the descriptor is open for the whole call; the call reads no
    // memory of this process.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}
