//! Object bytes on disk. Bodies are streamed into a temp file (hashed as
//! they pass), fsynced, then renamed into `objects/` before the metadata
//! that names them is committed; reads stream ranges of a version's files
//! into a bounded channel from a blocking thread. Files live under
//! `{data_dir}/s3/`, or a private temp dir with `--in-memory`.

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

pub struct Files {
    root: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

/// A body written to a temp file, not yet part of the store.
#[derive(Debug)]
pub struct Staged {
    pub id: String,
    pub len: u64,
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

    fn object_path(&self, id: &str) -> PathBuf {
        let shard = id.get(..2).unwrap_or("00");
        self.root.join("objects").join(shard).join(id)
    }

    fn tmp_path(&self, id: &str) -> PathBuf {
        self.root.join("tmp").join(id)
    }

    /// Streams `body` into a temp file, feeding `digest`; fails past `limit`
    /// bytes. The file is fsynced; `commit` makes it permanent.
    pub async fn write(&self, body: &mut BodyStream, digest: &mut BodyDigest, limit: u64) -> Result<Staged, AwsError> {
        let id = new_id();
        let path = self.tmp_path(&id);
        // A blocking thread writes (and finally fsyncs) while this task
        // hashes the next chunks, so hashing and disk work overlap.
        let (tx, rx) = mpsc::channel::<Vec<Bytes>>(WRITE_AHEAD);
        let writer = tokio::task::spawn_blocking({
            let path = path.clone();
            move || write_file(&path, rx)
        });
        let fed = async {
            let (mut pending, mut pending_len) = (Vec::new(), 0);
            while let Some(chunk) = body.chunk().await {
                let chunk = chunk?;
                digest.update(&chunk);
                if digest.len > limit {
                    return Err(AwsError::bad_request(
                        "EntityTooLarge",
                        "Your proposed upload exceeds the maximum allowed size",
                    ));
                }
                pending_len += chunk.len();
                pending.push(chunk);
                if pending_len >= WRITE_CHUNK {
                    pending_len = 0;
                    if tx.send(std::mem::take(&mut pending)).await.is_err() {
                        break; // the writer failed; its error is reported below
                    }
                }
            }
            if !pending.is_empty() {
                let _ = tx.send(pending).await;
            }
            Ok(())
        }
        .await;
        drop(tx);
        let written = writer.await.map_err(internal).and_then(|r| r.map_err(internal));
        let result = fed.and(written);
        match result {
            Ok(()) => Ok(Staged { id, len: digest.len }),
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                Err(e)
            }
        }
    }

    /// Copies `len` bytes from `start` of a version's files into a new
    /// staged file, feeding `digest`.
    pub async fn copy(
        &self,
        segments: &[Segment],
        start: u64,
        len: u64,
        digest: &mut BodyDigest,
    ) -> Result<Staged, AwsError> {
        let files = self.open(segments)?;
        let rx = read_range(files, start, len);
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
        let staged = self.write(&mut body, digest, u64::MAX).await;
        let _ = forward.await;
        let staged = staged?;
        if staged.len != len {
            self.discard(&staged).await;
            return Err(internal("object data is shorter than its record"));
        }
        Ok(staged)
    }

    /// Moves a staged file into place.
    pub async fn commit(&self, staged: &Staged) -> Result<(), AwsError> {
        let dest = self.object_path(&staged.id);
        if let Some(parent) = dest.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(internal)?;
        }
        tokio::fs::rename(self.tmp_path(&staged.id), &dest).await.map_err(internal)
    }

    pub async fn discard(&self, staged: &Staged) {
        let _ = tokio::fs::remove_file(self.tmp_path(&staged.id)).await;
    }

    /// Removes committed files whose metadata is gone.
    pub async fn remove(&self, ids: Vec<String>) {
        for id in ids {
            let _ = tokio::fs::remove_file(self.object_path(&id)).await;
        }
    }

    /// Opens a version's files (before answering, so a missing file is an
    /// error and not a truncated body).
    pub fn open(&self, segments: &[Segment]) -> Result<Vec<(File, u64)>, AwsError> {
        segments.iter().map(|s| File::open(self.object_path(&s.file)).map(|f| (f, s.len)).map_err(internal)).collect()
    }
}

/// Streams `len` bytes from offset `start` of the concatenated files.
pub fn read_range(files: Vec<(File, u64)>, start: u64, len: u64) -> mpsc::Receiver<Bytes> {
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    tokio::task::spawn_blocking(move || {
        let mut skip = start;
        let mut left = len;
        for (mut file, size) in files {
            if left == 0 {
                break;
            }
            if skip >= size {
                skip -= size;
                continue;
            }
            if file.seek(SeekFrom::Start(skip)).is_err() {
                return;
            }
            let mut remaining_here = (size - skip).min(left);
            skip = 0;
            while remaining_here > 0 {
                let want = (remaining_here as usize).min(READ_CHUNK);
                let mut buf = vec![0u8; want];
                let mut filled = 0;
                while filled < want {
                    match file.read(&mut buf[filled..]) {
                        Ok(0) => return,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(_) => return,
                    }
                }
                if tx.blocking_send(Bytes::from(buf)).is_err() {
                    return; // the client went away
                }
                remaining_here -= want as u64;
                left -= want as u64;
            }
        }
    });
    rx
}

/// A random file name (hex), also used for upload ids' randomness.
pub fn new_id() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

/// Writes every chunk from `rx` into a new file at `path`, then fsyncs it.
fn write_file(path: &Path, mut rx: mpsc::Receiver<Vec<Bytes>>) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = File::create(path)?;
    while let Some(chunks) = rx.blocking_recv() {
        for chunk in chunks {
            file.write_all(&chunk)?;
        }
    }
    file.sync_all()
}
