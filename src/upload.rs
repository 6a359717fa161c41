//! Files sent in multipart forms: from a path, streamed from disk while sending (never read
//! whole into memory), or from memory; and the form itself, encoded anew for every attempt so a
//! retry re-sends each file (a path is reopened).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::{stream, Stream, StreamExt};
use serde_json::Value;

use crate::request::{flatten, invalid, InvalidArgument};

/// Called with (bytes sent, total bytes) as a file goes out.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// The size of the pieces a file is read and sent in, and the granularity of progress reports.
const PIECE: usize = 64 << 10;

#[derive(Debug, Clone)]
enum Source {
    Path(PathBuf),
    /// `len` bytes of a file from `offset` (a part of a chunked upload).
    PathRange { path: PathBuf, offset: u64, len: u64 },
    Memory(Bytes),
}

/// One file to upload.
pub struct Upload {
    source: Source,
    filename: String,
    content_type: String,
    progress: Mutex<Option<Progress>>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload").field("source", &self.source).field("filename", &self.filename).finish()
    }
}

impl Upload {
    /// A file on disk. It must exist and be readable now; it is opened again when sent.
    pub fn from_path(path: &Path, filename: Option<&str>, content_type: Option<&str>) -> Result<Upload, InvalidArgument> {
        open_checked(path)?;
        let filename = match filename {
            Some(name) => name.to_string(),
            None => path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into()),
        };
        Ok(Upload::new(Source::Path(path.to_path_buf()), filename, content_type))
    }

    /// `len` bytes of the file at `path` from `offset`, read from disk while sent. The file must
    /// hold them now; it is opened again, and checked again, when sent.
    pub fn from_path_range(path: &Path, offset: u64, len: u64, filename: &str, content_type: Option<&str>) -> Result<Upload, InvalidArgument> {
        check_range(path, open_checked(path)?.1, offset, len)?;
        Ok(Upload::new(Source::PathRange { path: path.to_path_buf(), offset, len }, filename.to_string(), content_type))
    }

    /// Bytes in memory.
    pub fn from_memory(data: Bytes, filename: Option<&str>, content_type: Option<&str>) -> Upload {
        // "upload", as the official SDK names an unnamed file.
        Upload::new(Source::Memory(data), filename.unwrap_or("upload").to_string(), content_type)
    }

    fn new(source: Source, filename: String, content_type: Option<&str>) -> Upload {
        let content_type = content_type.map_or_else(|| guess_content_type(&filename).to_string(), str::to_string);
        Upload { source, filename, content_type, progress: Mutex::new(None) }
    }

    pub fn filename(&self) -> &str {
        &self.filename
    }

    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    pub fn set_progress(&self, progress: Option<Progress>) {
        *self.progress.lock().unwrap_or_else(|e| e.into_inner()) = progress;
    }

    /// The file as a stream of pieces with its length, opened now.
    async fn open(&self) -> Result<(impl Stream<Item = std::io::Result<Bytes>> + Send + 'static, u64), InvalidArgument> {
        let progress = self.progress.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let (pieces, total): (futures_util::stream::BoxStream<'static, std::io::Result<Bytes>>, u64) = match &self.source {
            Source::Path(path) => {
                let (file, total) = open_checked(path)?;
                let file = tokio::fs::File::from_std(file);
                (tokio_util::io::ReaderStream::with_capacity(file, PIECE).boxed(), total)
            }
            Source::PathRange { path, offset, len } => {
                let (mut file, size) = open_checked(path)?;
                check_range(path, size, *offset, *len)?;
                std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(*offset))
                    .or_else(|e| invalid(format!("file \"{}\" cannot be read: {e}", path.display())))?;
                let part = tokio::io::AsyncReadExt::take(tokio::fs::File::from_std(file), *len);
                (tokio_util::io::ReaderStream::with_capacity(part, PIECE).boxed(), *len)
            }
            Source::Memory(data) => {
                let data = data.clone();
                let total = data.len() as u64;
                let pieces = (0..data.len()).step_by(PIECE).map(move |at| Ok(data.slice(at..(at + PIECE).min(data.len()))));
                (stream::iter(pieces.collect::<Vec<_>>()).boxed(), total)
            }
        };
        let mut sent = 0u64;
        let counted = pieces.inspect(move |piece| {
            if let (Ok(piece), Some(progress)) = (piece, &progress) {
                sent += piece.len() as u64;
                progress(sent, total);
            }
        });
        Ok((counted, total))
    }
}

/// Opens a file for reading and returns it with its length, or says clearly why it cannot be.
fn open_checked(path: &Path) -> Result<(std::fs::File, u64), InvalidArgument> {
    let shown = path.display();
    let file = std::fs::File::open(path).or_else(|e| invalid(format!("file \"{shown}\" cannot be read: {e}")))?;
    let metadata = file.metadata().or_else(|e| invalid(format!("file \"{shown}\" cannot be read: {e}")))?;
    if !metadata.is_file() {
        return invalid(format!("\"{shown}\" is not a regular file"));
    }
    Ok((file, metadata.len()))
}

/// Refuses a range the file no longer holds (it shrank since the upload began): the part would
/// be shorter than the length its request declares.
fn check_range(path: &Path, size: u64, offset: u64, len: u64) -> Result<(), InvalidArgument> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => invalid(format!("file \"{}\" holds {size} bytes, not the {len} from byte {offset} that were to be sent (did it change?)", path.display())),
    }
}

/// The content type of a file name's extension as the official SDK sends it: its HTTP client
/// asks Python's `mimetypes`, which on Linux reads /etc/mime.types; this is that answer on Debian
/// (the platform of the SDK's recorded requests) for every type the API accepts (audio, images,
/// video, documents, code, JSONL), and `application/octet-stream` where it has none.
pub fn guess_content_type(filename: &str) -> &'static str {
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "aac" => "audio/aac",
        "avi" => "video/x-msvideo",
        "bmp" => "image/bmp",
        "c" => "text/x-csrc",
        "cpp" => "text/x-c++src",
        "css" => "text/css",
        "csv" => "text/csv",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "flac" => "audio/flac",
        "gif" => "image/gif",
        "heic" => "image/heic",
        "htm" | "html" => "text/html",
        "java" => "text/x-java",
        "jpeg" | "jpg" => "image/jpeg",
        "js" => "text/javascript",
        "json" => "application/json",
        "m4a" => "audio/mp4",
        "md" => "text/markdown",
        "mkv" => "video/x-matroska",
        "mov" => "video/quicktime",
        "mp3" | "mpga" => "audio/mpeg",
        "mp4" => "video/mp4",
        "mpeg" | "mpg" => "video/mpeg",
        "oga" | "ogg" | "opus" => "audio/ogg",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "py" => "text/x-python",
        "rb" => "application/x-ruby",
        "rs" => "application/rls-services+xml",
        "rtf" => "application/rtf",
        "sh" => "text/x-sh",
        "srt" | "txt" => "text/plain",
        "svg" => "image/svg+xml",
        "tar" => "application/x-tar",
        "tex" => "text/x-tex",
        "tif" | "tiff" => "image/tiff",
        "ts" => "text/vnd.trolltech.linguist",
        "vtt" => "text/vtt",
        "wav" => "audio/x-wav",
        "webm" => "video/webm",
        "webp" => "image/webp",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xml" => "application/xml",
        "zip" => "application/zip",
        // jsonl, go, cs, php, yaml and the rest: no type, as in the SDK.
        _ => "application/octet-stream",
    }
}

/// A value for a `name="..."` or `filename="..."` parameter of a part's Content-Disposition,
/// escaped as the official SDK's HTTP client escapes it (the HTML5 form encoding): `"` as `%22`,
/// control characters but ESC as `%XX`, and `\` as `\\` when `escape_backslash` (the multipart
/// encoder escapes a filename's backslashes itself). No byte of a caller's string can then end
/// the header line or the quoted value.
fn form_parameter(value: &str, escape_backslash: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\\' if escape_backslash => out.push_str("\\\\"),
            '\u{1b}' => out.push(c),
            c if (c as u32) < 0x20 => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A multipart form: fields from a JSON object, then the files.
#[derive(Clone, Debug)]
pub struct Form {
    fields: Vec<(String, String)>,
    /// (part name, file): `image`, or `image[]` for each of several.
    files: Vec<(String, Arc<Upload>)>,
}

impl Form {
    /// `fields_json` is a JSON object (or nothing), encoded as the official SDK does.
    pub fn new(fields_json: Option<&str>, files: Vec<(String, Arc<Upload>)>) -> Result<Form, InvalidArgument> {
        let fields = match fields_json.map(serde_json::from_str::<Value>) {
            None => Vec::new(),
            Some(Ok(Value::Object(map))) => flatten(&map),
            Some(Ok(_)) => return invalid("fields_json must be a JSON object"),
            Some(Err(e)) => return invalid(format!("fields_json is not valid JSON: {e}")),
        };
        Ok(Form { fields, files })
    }

    /// The fields as they will be sent, for tests.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The part names of the files, in order, for tests.
    pub fn file_names(&self) -> Vec<&str> {
        self.files.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// Adds the `stream=true` field that asks a multipart operation for its event stream,
    /// unless the caller's fields say so already; another `stream` value is refused.
    pub fn set_stream_field(&mut self) -> Result<(), InvalidArgument> {
        match self.fields.iter().find(|(name, _)| name == "stream") {
            Some((_, value)) if value == "true" => Ok(()),
            Some((_, value)) => invalid(format!("fields_json has \"stream\": {value}; a streaming call needs true or no value")),
            None => {
                self.fields.push(("stream".into(), "true".into()));
                Ok(())
            }
        }
    }

    /// The form for one attempt: files are opened (again) now, so a file that went missing
    /// is an invalid argument before anything is sent.
    pub(crate) async fn encode(&self) -> Result<reqwest::multipart::Form, InvalidArgument> {
        // Names are escaped here, as the SDK escapes them, rather than percent-encoded in
        // reqwest's `name*=` form.
        let mut form = reqwest::multipart::Form::new().percent_encode_noop();
        for (name, value) in &self.fields {
            form = form.text(form_parameter(name, true), value.clone());
        }
        for (name, upload) in &self.files {
            let (pieces, total) = upload.open().await?;
            let part = reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(pieces), total)
                .file_name(form_parameter(&upload.filename, false))
                .mime_str(&upload.content_type)
                .or_else(|e| invalid(format!("content type \"{}\" is not valid: {e}", upload.content_type)))?;
            form = form.part(name.clone(), part);
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_encoded_as_the_sdk_does() {
        let form = Form::new(
            Some(r#"{"model":"whisper-1","temperature":0.2,"n":2,"stream":false,"language":null,"timestamp_granularities":["word","segment"],"chunking_strategy":{"type":"auto"}}"#),
            Vec::new(),
        )
        .unwrap();
        let fields: Vec<(&str, &str)> = form.fields().iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(
            fields,
            [
                ("model", "whisper-1"),
                ("temperature", "0.2"),
                ("n", "2"),
                ("stream", "false"),
                ("timestamp_granularities[]", "word"),
                ("timestamp_granularities[]", "segment"),
                ("chunking_strategy[type]", "auto"),
            ]
        );
        assert!(Form::new(Some("[1]"), Vec::new()).is_err());
        assert!(Form::new(Some("{"), Vec::new()).is_err());
    }

    #[test]
    fn content_types_are_guessed_from_the_name() {
        assert_eq!(guess_content_type("speech.MP3"), "audio/mpeg");
        assert_eq!(guess_content_type("cat.png"), "image/png");
        assert_eq!(guess_content_type("train.jsonl"), "application/octet-stream");
        assert_eq!(guess_content_type("clip.mpeg"), "video/mpeg");
        assert_eq!(guess_content_type("clip.webm"), "video/webm");
        assert_eq!(guess_content_type("noextension"), "application/octet-stream");
        let upload = Upload::from_memory(Bytes::from_static(b"x"), Some("a.wav"), None);
        assert_eq!(upload.content_type(), "audio/x-wav");
        let upload = Upload::from_memory(Bytes::from_static(b"x"), None, Some("audio/x-custom"));
        assert_eq!((upload.filename(), upload.content_type()), ("upload", "audio/x-custom"));
    }

    #[test]
    fn form_parameters_cannot_start_a_header_line() {
        assert_eq!(form_parameter("a\r\nX-Evil: 1\".wav", false), "a%0D%0AX-Evil: 1%22.wav");
        assert_eq!(form_parameter("tab\there\u{1b}", false), "tab%09here\u{1b}");
        assert_eq!(form_parameter("back\\slash", true), "back\\\\slash");
        assert_eq!(form_parameter("back\\slash", false), "back\\slash");
        assert_eq!(form_parameter("naïve.mp3", false), "naïve.mp3");
    }

    #[test]
    fn a_missing_file_is_refused_clearly() {
        let e = Upload::from_path(Path::new("/nonexistent/audio.mp3"), None, None).unwrap_err();
        assert!(e.0.starts_with("file \"/nonexistent/audio.mp3\" cannot be read"), "{e}");
        let e = Upload::from_path(Path::new("/"), None, None).unwrap_err();
        assert!(e.0.contains("is not a regular file"), "{e}");
    }
}
