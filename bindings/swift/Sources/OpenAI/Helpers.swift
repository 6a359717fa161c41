// The official SDKs' helpers in the Swift layer, thin over libopenai's (openai.h): a large file
// through the Uploads API (`client.uploads.uploadFileChunked`), waiting for an object's terminal
// status (`poll` and `createAndPoll`), and webhook signatures (`client.webhooks`). Written by
// hand: these C functions are not operations of bindings/operations.json.
//
// NOTE: no Swift toolchain is available where this package is developed and tested; this file
// has never been compiled. See bindings/swift/README.md.

import COpenAI
import Foundation

// MARK: - Chunked uploads

extension Resources.Uploads {
    /// Uploads a large file through the Uploads API, as the official SDK's
    /// `uploads.upload_file_chunked`: `uploads.create`, then the file's parts sent several at a
    /// time, each streamed from its range of the file at `path` (never read whole into memory),
    /// then `uploads.complete` with the part ids in the file's order. Returns the completed Upload
    /// (`jsonString("/file/id")` is the file, ready to use); throws the first failure (a part
    /// that fails for good cancels the Upload).
    ///
    /// `create` is the body of `uploads.create` (`purpose` and `mime_type` required; `filename`
    /// and `bytes` default to the file's). `options` (nil for the defaults): `part_size` (1 to
    /// 64 MiB, default 64 MiB), `parallel` (1 to 16, default 4), `md5`. `progress` hears (bytes
    /// sent, file size) on a library thread, one report at a time; a retried part counts again
    /// from its start. Task cancellation stops the upload at once, and the library cancels the
    /// Upload in the background. C: `openai_uploads_upload_file_chunked_async`.
    public func uploadFileChunked(path: String, create: String, options: String? = nil,
                                  progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) async throws -> Response {
        let client = self.client
        let box = progress.map { ProgressBox($0) }
        let progressUserdata = box.map { Unmanaged.passUnretained($0).toOpaque() }
        return try await client.perform(keep: box.map { [$0] } ?? []) { callback, userdata in
            openai_uploads_upload_file_chunked_async(client.handle, path, create, options,
                                                     box == nil ? nil : progressCallback, progressUserdata,
                                                     callback, userdata)
        }
    }
}

/// A progress handler, kept alive by the call (`perform(keep:)`) until it completes.
private final class ProgressBox {
    let report: @Sendable (UInt64, UInt64) -> Void
    init(_ report: @escaping @Sendable (UInt64, UInt64) -> Void) { self.report = report }
}

/// The C progress callback: runs on a library thread, one report at a time.
private let progressCallback: openai_progress_callback = { done, total, userdata in
    guard let userdata = userdata else { return }
    Unmanaged<ProgressBox>.fromOpaque(userdata).takeUnretainedValue().report(done, total)
}

// MARK: - Polling

// Each waits for an object's terminal status, as the official SDKs' `poll` and
// `create_and_poll`: it is retrieved while its status is pending, as often as the server's
// `openai-poll-after-ms` header says (else every second). `options` (nil for the defaults):
// `interval_ms`, the wait between two retrievals, and `timeout_ms`, how long the whole wait may
// take (then an error of kind `.timeout`). Returns the object in its terminal status (a failed
// one too: read its `status`); throws a failed retrieval's error. Task cancellation stops the
// wait at once.

extension Resources.BetaThreadsRuns {
    /// Waits for a run to reach a terminal status (`requires_action`, `cancelled`, `completed`,
    /// `failed`, `expired`, `incomplete`). C: `openai_beta_threads_runs_poll_async`.
    public func poll(threadID: String, runID: String, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform { callback, userdata in
            openai_beta_threads_runs_poll_async(client.handle, threadID, runID, options, callback, userdata)
        }
    }

    /// Creates a run (`body`) and waits for it to reach a terminal status, as the SDKs'
    /// `runs.create_and_poll`. C: `openai_beta_threads_runs_create_and_poll_async`.
    public func createAndPoll(threadID: String, body: String, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform { callback, userdata in
            openai_beta_threads_runs_create_and_poll_async(client.handle, threadID, body, options, callback, userdata)
        }
    }
}

extension Resources.VectorStoresFiles {
    /// Waits for a file of a vector store to be processed (`completed`, `failed` or
    /// `cancelled`). C: `openai_vector_stores_files_poll_async`.
    public func poll(vectorStoreID: String, fileID: String, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform { callback, userdata in
            openai_vector_stores_files_poll_async(client.handle, vectorStoreID, fileID, options, callback, userdata)
        }
    }

    /// Attaches a file to a vector store (`{"file_id": ...}`) and waits until it is processed.
    /// C: `openai_vector_stores_files_create_and_poll_async`.
    public func createAndPoll(vectorStoreID: String, body: String, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform { callback, userdata in
            openai_vector_stores_files_create_and_poll_async(client.handle, vectorStoreID, body, options, callback, userdata)
        }
    }
}

extension Resources.VectorStoresFileBatches {
    /// Waits for a file batch of a vector store to finish (`completed`, `failed` or
    /// `cancelled`). C: `openai_vector_stores_file_batches_poll_async`.
    public func poll(vectorStoreID: String, batchID: String, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform { callback, userdata in
            openai_vector_stores_file_batches_poll_async(client.handle, vectorStoreID, batchID, options, callback, userdata)
        }
    }

    /// Creates a file batch of a vector store (`{"file_ids": [...]}`) and waits for it to
    /// finish. C: `openai_vector_stores_file_batches_create_and_poll_async`.
    public func createAndPoll(vectorStoreID: String, body: String, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform { callback, userdata in
            openai_vector_stores_file_batches_create_and_poll_async(client.handle, vectorStoreID, body, options, callback, userdata)
        }
    }
}

extension Resources.Batches {
    /// Waits for a batch to end (`completed`, `failed`, `expired` or `cancelled`).
    /// C: `openai_batches_poll_async`.
    public func poll(batchID: String, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform { callback, userdata in
            openai_batches_poll_async(client.handle, batchID, options, callback, userdata)
        }
    }
}

extension Resources.Responses {
    /// Waits for a background response (`"background": true`) to end (`completed`, `failed`,
    /// `cancelled` or `incomplete`). C: `openai_responses_poll_async`.
    public func poll(responseID: String, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform { callback, userdata in
            openai_responses_poll_async(client.handle, responseID, options, callback, userdata)
        }
    }
}

extension Resources.Videos {
    /// Waits for a video to be rendered (`completed` or `failed`). C: `openai_videos_poll_async`.
    public func poll(videoID: String, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform { callback, userdata in
            openai_videos_poll_async(client.handle, videoID, options, callback, userdata)
        }
    }

    /// Creates a video (`fields` the form's fields, `inputReference` an optional image) and waits
    /// until it is rendered. C: `openai_videos_create_and_poll_async`.
    public func createAndPoll(fields: String? = nil, inputReference: Upload? = nil, options: String? = nil) async throws -> Response {
        let client = self.client
        return try await client.perform(keep: ([inputReference] as [Upload?]).compactMap { $0 }) { callback, userdata in
            openai_videos_create_and_poll_async(client.handle, fields, inputReference?.handle, options, callback, userdata)
        }
    }
}

// MARK: - Webhooks

extension Client {
    /// Webhook signatures, as the official SDKs' `client.webhooks`.
    public var webhooks: Webhooks { Webhooks() }
}

/// Checks that webhook requests came from OpenAI (`client.webhooks`, or a `Webhooks()` of its
/// own: it needs no client and sends nothing). Safe from any thread or task.
///
/// `payload` is the request's body exactly as received; `headers` its headers (any may be given;
/// `webhook-id`, `webhook-timestamp` and `webhook-signature` are needed; names are compared
/// without case). `secret` is the endpoint's signing secret as the dashboard shows it (`whsec_`
/// and the key in base64; a secret without the prefix is used as it is), nil for the environment
/// variable `OPENAI_WEBHOOK_SECRET`. `tolerance` is how far the `webhook-timestamp` may lie from
/// now, either way, in seconds (rounded up; nil: the SDKs' 300).
public struct Webhooks: Sendable {
    public init() {}

    /// Throws an error of kind `.invalidWebhookSignature` unless the request is signed by the
    /// secret (the HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<payload>` one of the
    /// header's `v1,<base64>` signatures) within the tolerance (its `message` says why); of kind
    /// `.invalidArgument` for no secret, or one that is not base64 after `whsec_`.
    /// C: `openai_webhooks_verify_signature`.
    public func verifySignature(payload: Data, headers: [String: String], secret: String? = nil,
                                tolerance: Double? = nil) throws {
        let code: openai_code = withHeaders(headers) { names, values, count in
            payload.withUnsafeBytes { raw in
                openai_webhooks_verify_signature(raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count,
                                                 names, values, count, secret, Webhooks.seconds(tolerance))
            }
        }
        if code != OPENAI_OK { throw OpenAIError.last(code) }
    }

    /// Verifies the request as `verifySignature` does (and throws as it does), then returns its
    /// event, as the SDKs' `webhooks.unwrap`: its `name` is the event's `type`
    /// (`response.completed`, `batch.failed`, ...), its `data` the payload and its `id` the
    /// `webhook-id` (a delivery may come twice: the id tells). Throws `.invalidArgument` for a
    /// genuine payload that is not a JSON object. C: `openai_webhooks_unwrap`.
    public func unwrap(payload: Data, headers: [String: String], secret: String? = nil,
                       tolerance: Double? = nil) throws -> Event {
        var out: OpaquePointer? = nil
        let code: openai_code = withHeaders(headers) { names, values, count in
            payload.withUnsafeBytes { raw in
                openai_webhooks_unwrap(raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count,
                                       names, values, count, secret, Webhooks.seconds(tolerance), &out)
            }
        }
        guard code == OPENAI_OK, let event = out else {
            openai_event_free(out)
            throw OpenAIError.last(code == OPENAI_OK ? OPENAI_INTERNAL : code)
        }
        defer { openai_event_free(event) }
        return Event(copying: event)
    }

    /// The tolerance as the C API's seconds: -1 (the default) for nil.
    static func seconds(_ tolerance: Double?) -> Int64 {
        guard let tolerance = tolerance else { return -1 }
        return Int64(max(0, tolerance).rounded(.up))
    }

    /// Runs `body` with the headers as C arrays of names and values (copies, freed afterwards).
    private func withHeaders(_ headers: [String: String],
                             _ body: ([UnsafePointer<CChar>?], [UnsafePointer<CChar>?], Int) -> openai_code) -> openai_code {
        let names = headers.map { strdup($0.key) }
        let values = headers.map { strdup($0.value) }
        defer {
            names.forEach { free($0) }
            values.forEach { free($0) }
        }
        return body(names.map { UnsafePointer($0) }, values.map { UnsafePointer($0) }, headers.count)
    }
}
