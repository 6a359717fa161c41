// The Swift layer over libopenai's C API (module COpenAI): a client, responses, errors in the
// official SDKs' classes, async/await over the C callback form, and AsyncSequence streams.
// The per-operation methods (client.chat.completions.create(body:), ...) are generated from
// bindings/operations.json into Operations.swift.
//
// NOTE: no Swift toolchain is available where this package is developed and tested; this file
// has never been compiled. See bindings/swift/README.md.

import COpenAI
import Foundation

// MARK: - Errors

/// A failed call, classified like the official SDKs' exceptions.
public struct OpenAIError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// An unusable argument; nothing was sent.
        case invalidArgument
        /// A bug in the library.
        case internalError
        /// A blocking call made on a thread that runs another async runtime.
        case wouldDeadlock
        /// APIConnectionError
        case connection
        /// APITimeoutError
        case timeout
        /// The call was cancelled (Task cancellation, or a stream its consumer stopped).
        case cancelled
        /// An error event in a stream.
        case stream
        /// APIResponseValidationError: a 2xx body that is not JSON.
        case invalidResponse
        /// A response (or one stream event) larger than the client's `max_response_size`.
        case responseTooLarge
        /// A WebSocket session's send queue is full (inside a handler, or while reconnecting).
        case queueFull
        /// InvalidWebhookSignatureError: a webhook request not signed by the secret, or outside
        /// the tolerance (`client.webhooks`). Do not trust its event.
        case invalidWebhookSignature
        /// APIStatusError without a class of its own (3xx, 402, 405, ...).
        case otherStatus
        case badRequest, authentication, permissionDenied, notFound, conflict
        case unprocessableEntity, rateLimit, internalServer
    }

    public let kind: Kind
    /// The library's code (openai_code) as an integer.
    public let code: Int
    /// The HTTP status, 0 when no HTTP response came.
    public let status: Int
    /// The official SDK's text ("Error code: 404 - ...") or what went wrong.
    public let message: String
    public let requestID: String?
    /// The API error's `type`, `param`, `code` and `message`.
    public let type: String?
    public let param: String?
    public let apiCode: String?
    public let apiMessage: String?
    /// The response body (the error document).
    public let body: Data

    public var description: String { message }

    static func kind(of code: Int, status: Int) -> Kind {
        switch code {
        case Int(OPENAI_INVALID_ARGUMENT.rawValue): return .invalidArgument
        case Int(OPENAI_WOULD_DEADLOCK.rawValue): return .wouldDeadlock
        case Int(OPENAI_CONNECTION.rawValue): return .connection
        case Int(OPENAI_TIMEOUT.rawValue): return .timeout
        case Int(OPENAI_CANCELLED.rawValue): return .cancelled
        case Int(OPENAI_STREAM_ERROR.rawValue): return .stream
        case Int(OPENAI_INVALID_RESPONSE.rawValue): return .invalidResponse
        case Int(OPENAI_RESPONSE_TOO_LARGE.rawValue): return .responseTooLarge
        case Int(OPENAI_QUEUE_FULL.rawValue): return .queueFull
        case Int(OPENAI_INVALID_WEBHOOK_SIGNATURE.rawValue): return .invalidWebhookSignature
        case Int(OPENAI_OTHER_STATUS.rawValue): return .otherStatus
        case Int(OPENAI_BAD_REQUEST.rawValue): return .badRequest
        case Int(OPENAI_AUTHENTICATION.rawValue): return .authentication
        case Int(OPENAI_PERMISSION_DENIED.rawValue): return .permissionDenied
        case Int(OPENAI_NOT_FOUND.rawValue): return .notFound
        case Int(OPENAI_CONFLICT.rawValue): return .conflict
        case Int(OPENAI_UNPROCESSABLE_ENTITY.rawValue): return .unprocessableEntity
        case Int(OPENAI_RATE_LIMIT.rawValue): return .rateLimit
        case Int(OPENAI_INTERNAL_SERVER.rawValue): return .internalServer
        default: return status >= 400 ? .otherStatus : .internalError
        }
    }

    /// The error of a failed call: `code`, then `message` (else the response's, else the
    /// thread's last error) and what `response` (may be nil) says.
    init(code: openai_code, message: UnsafePointer<CChar>?, response: OpaquePointer?) {
        let codeValue = Int(code.rawValue)
        let status = response.map { Int(openai_response_status($0)) } ?? 0
        self.code = codeValue
        self.status = status
        self.kind = OpenAIError.kind(of: codeValue, status: status)
        let text = message ?? response.flatMap { openai_response_error_message($0) } ?? openai_last_error()
        self.message = text.map { String(cString: $0) } ?? String(cString: openai_code_name(Int32(codeValue)))
        self.requestID = response.flatMap { openai_response_request_id($0) }.map { String(cString: $0) }
        self.type = response.flatMap { openai_response_api_error_type($0) }.map { String(cString: $0) }
        self.param = response.flatMap { openai_response_api_error_param($0) }.map { String(cString: $0) }
        self.apiCode = response.flatMap { openai_response_api_error_code($0) }.map { String(cString: $0) }
        self.apiMessage = response.flatMap { openai_response_api_error_message($0) }.map { String(cString: $0) }
        if let response = response {
            var len = 0
            if let bytes = openai_response_body(response, &len) {
                self.body = Data(bytes: bytes, count: len)
            } else {
                self.body = Data()
            }
        } else {
            self.body = Data()
        }
    }

    /// The thread's last error, for a call that returned `code` without a response.
    static func last(_ code: openai_code) -> OpenAIError {
        OpenAIError(code: code, message: nil, response: nil)
    }
}

// MARK: - Responses

/// The response of one call: status, headers, body bytes, request id. Owns its C handle.
public final class Response: @unchecked Sendable {
    /// The C handle (openai_response *), valid while this object lives.
    public let handle: OpaquePointer

    init(taking handle: OpaquePointer) { self.handle = handle }
    deinit { openai_response_free(handle) }

    public var code: Int { Int(openai_response_code(handle).rawValue) }
    public var isOK: Bool { openai_response_code(handle) == OPENAI_OK }
    /// The HTTP status, 0 when no HTTP response came.
    public var status: Int { Int(openai_response_status(handle)) }
    /// The body bytes.
    public var body: Data {
        var len = 0
        guard let bytes = openai_response_body(handle, &len) else { return Data() }
        return Data(bytes: bytes, count: len)
    }
    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The first header named `name` (any case).
    public func header(_ name: String) -> String? {
        openai_response_header(handle, name).map { String(cString: $0) }
    }
    /// Every header, in received order, names in lower case.
    public var headers: [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        for index in 0..<openai_response_header_count(handle) {
            var name: UnsafePointer<CChar>? = nil
            var value: UnsafePointer<CChar>? = nil
            if openai_response_header_at(handle, index, &name, &value) == OPENAI_OK, let n = name, let v = value {
                out.append((name: String(cString: n), value: String(cString: v)))
            }
        }
        return out
    }
    public var requestID: String? { openai_response_request_id(handle).map { String(cString: $0) } }
    public var retries: Int { Int(openai_response_retries(handle)) }
    /// Why the call failed, or nil.
    public var errorMessage: String? { openai_response_error_message(handle).map { String(cString: $0) } }
    /// The string at a JSON Pointer ("/choices/0/message/content") in the body.
    public func jsonString(_ pointer: String) -> String? {
        openai_response_json_string(handle, pointer).map { String(cString: $0) }
    }
    /// The value at a JSON Pointer in the body, as compact JSON text.
    public func jsonValue(_ pointer: String) -> String? {
        openai_response_json_value(handle, pointer).map { String(cString: $0) }
    }
    /// Decodes the body.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: body)
    }
    /// The error this response carries, if any.
    public var error: OpenAIError? {
        isOK ? nil : OpenAIError(code: openai_response_code(handle), message: nil, response: handle)
    }
}

// MARK: - Uploads

/// A file to send in a multipart operation. Async calls keep it alive until they complete.
public final class Upload: @unchecked Sendable {
    /// The C handle (openai_upload *).
    public let handle: OpaquePointer

    /// The file at `path`, read while it is sent. `filename`: the name the server sees (nil: the
    /// path's last component); `contentType` (nil: guessed from the name).
    public init(path: String, filename: String? = nil, contentType: String? = nil) throws {
        guard let upload = openai_upload_from_path(path, filename, contentType) else {
            throw OpenAIError.last(OPENAI_INVALID_ARGUMENT)
        }
        handle = upload
    }

    /// `data`, copied.
    public init(data: Data, filename: String? = nil, contentType: String? = nil) throws {
        let upload: OpaquePointer? = data.withUnsafeBytes { raw in
            openai_upload_from_memory(raw.baseAddress, raw.count, filename, contentType)
        }
        guard let made = upload else { throw OpenAIError.last(OPENAI_INVALID_ARGUMENT) }
        handle = made
    }

    deinit { openai_upload_free(handle) }
}

// MARK: - Stream events

/// One event of a stream or of a WebSocket session, copied out of it.
public struct Event: Sendable {
    /// The `event:` name ("thread.message.delta"); "" for unnamed events (chat chunks); a
    /// session event's `type` ("response.output_text.delta").
    public let name: String
    /// The data (its `data:` lines joined with "\n"); a session event's JSON.
    public let data: Data
    /// The last `id:` the stream sent up to this event.
    public let id: String?
    /// The PCM bytes of a Realtime audio delta (`response.output_audio.delta`), decoded from
    /// base64 by the library; nil for any other event.
    public let audio: Data?

    /// The data as UTF-8 text.
    public var text: String { String(decoding: data, as: UTF8.self) }

    /// Decodes the data.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: data)
    }

    init(copying event: OpaquePointer) {
        name = openai_event_name(event).map { String(cString: $0) } ?? ""
        var len = 0
        if let bytes = openai_event_data(event, &len) {
            data = Data(bytes: bytes, count: len)
        } else {
            data = Data()
        }
        id = openai_event_id(event).map { String(cString: $0) }
        var audioLen = 0
        if let pcm = openai_event_audio(event, &audioLen) {
            audio = Data(bytes: pcm, count: audioLen)
        } else {
            audio = nil
        }
    }
}

/// The events of a stream: `for try await event in stream`. Stopping the iteration (or
/// cancelling its task) closes the connection.
public typealias EventStream = AsyncThrowingStream<Event, Error>

// MARK: - Client

/// A client: options, credentials and a connection pool. Safe to use from many tasks at once.
public final class Client: @unchecked Sendable {
    /// The C handle (openai_client *).
    public let handle: OpaquePointer

    /// A client with options given as a JSON object (see openai_client_new in openai.h); nil:
    /// everything from the environment (OPENAI_API_KEY, OPENAI_BASE_URL, ...).
    public init(optionsJSON: String?) throws {
        var out: OpaquePointer? = nil
        let code = openai_client_new(optionsJSON, &out)
        guard code == OPENAI_OK, let client = out else { throw OpenAIError.last(code) }
        handle = client
    }

    /// A client with the common options; those left nil come from the environment or default
    /// (`try Client()`: everything from the environment).
    public convenience init(apiKey: String? = nil, baseURL: String? = nil, organization: String? = nil,
                            project: String? = nil, timeout: Double? = nil, maxRetries: Int? = nil) throws {
        var options: [String: Any] = [:]
        if let v = apiKey { options["api_key"] = v }
        if let v = baseURL { options["base_url"] = v }
        if let v = organization { options["organization"] = v }
        if let v = project { options["project"] = v }
        if let v = timeout { options["timeout"] = v }
        if let v = maxRetries { options["max_retries"] = v }
        let json = try JSONSerialization.data(withJSONObject: options)
        try self.init(optionsJSON: String(decoding: json, as: UTF8.self))
    }

    private init(taking handle: OpaquePointer) { self.handle = handle }

    deinit { openai_client_free(handle) }

    /// A client with some options replaced (a JSON object), sharing the connection pool.
    public func withOptions(_ optionsJSON: String) throws -> Client {
        var out: OpaquePointer? = nil
        let code = openai_client_with_options(handle, optionsJSON, &out)
        guard code == OPENAI_OK, let client = out else { throw OpenAIError.last(code) }
        return Client(taking: client)
    }

    /// Calls any endpoint: `method` ("GET", "POST", ...), `path` relative to the base URL
    /// ("/responses"), a JSON object of query parameters and a JSON body.
    public func request(method: String, path: String, query: String? = nil, body: String? = nil) async throws -> Response {
        try await perform { callback, userdata in
            openai_request_async(self.handle, method, path, query, body, callback, userdata)
        }
    }

    /// Calls any streaming endpoint (the body must ask for a stream itself).
    public func stream(method: String, path: String, query: String? = nil, body: String? = nil) -> EventStream {
        startStream { callback, userdata in
            openai_request_stream_async(self.handle, method, path, query, body, callback, userdata)
        }
    }

    /// Every page of any cursor list endpoint. Blocking: see `Pager`.
    public func pages(path: String, query: String? = nil) throws -> Pager {
        try makePager { out in openai_request_pages(self.handle, path, query, out) }
    }

    // MARK: Plumbing shared with the generated operations

    /// Runs an async C call: `start(callback, userdata)` calls its `_async` function and returns
    /// the future. Task cancellation cancels the call. `keep` lives until the call completes.
    func perform(keep: [AnyObject] = [],
                 _ start: @escaping (openai_callback, UnsafeMutableRawPointer) -> OpaquePointer?) async throws -> Response {
        let future = FutureHandle()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, Error>) in
                let box = CallBox(continuation: continuation, keep: keep)
                let userdata = Unmanaged.passRetained(box).toOpaque()
                future.attach(start(completionCallback, userdata))
            }
        } onCancel: {
            future.cancel()
        }
    }

    /// Starts a C stream whose events go to the returned sequence: `start(callback, userdata)`
    /// calls its `_stream_async` function.
    func startStream(keep: [AnyObject] = [],
                     _ start: (openai_event_callback, UnsafeMutableRawPointer) -> OpaquePointer?) -> EventStream {
        var box: StreamBox? = nil
        let stream = EventStream { continuation in
            box = StreamBox(continuation: continuation, keep: keep)
        }
        guard let made = box else { return stream }
        made.continuation.onTermination = { @Sendable _ in made.terminate() }
        let userdata = Unmanaged.passRetained(made).toOpaque()
        made.attach(start(eventCallback, userdata))
        return stream
    }

    func makePager(_ create: (UnsafeMutablePointer<OpaquePointer?>) -> openai_code) throws -> Pager {
        var out: OpaquePointer? = nil
        let code = create(&out)
        guard code == OPENAI_OK, let pager = out else {
            openai_pager_free(out)
            throw OpenAIError.last(code)
        }
        return Pager(taking: pager)
    }

    /// A blocking call's response, or its error.
    func checked(_ code: openai_code, _ out: OpaquePointer?) throws -> Response {
        guard let handle = out else { throw OpenAIError.last(code) }
        let response = Response(taking: handle)
        if let error = response.error { throw error }
        return response
    }
}

// MARK: - Pages

/// The pages of a cursor list. `next()` BLOCKS the calling thread while it fetches a page (the C
/// API has no async form of it): call it off the cooperative pool, e.g. from a dedicated Thread.
public final class Pager: @unchecked Sendable {
    public let handle: OpaquePointer
    init(taking handle: OpaquePointer) { self.handle = handle }
    deinit { openai_pager_free(handle) }

    /// The next page, nil after the last; throws a failed page's error.
    public func next() throws -> Response? {
        var out: OpaquePointer? = nil
        let code = openai_pager_next(handle, &out)
        guard let page = out else {
            if code != OPENAI_OK { throw OpenAIError.last(code) }
            return nil
        }
        let response = Response(taking: page)
        if let error = response.error { throw error }
        return response
    }
}

// MARK: - Callback plumbing

/// What an async call's callback needs: the continuation, and what must live until it runs.
private final class CallBox {
    let continuation: CheckedContinuation<Response, Error>
    let keep: [AnyObject]
    init(continuation: CheckedContinuation<Response, Error>, keep: [AnyObject]) {
        self.continuation = continuation
        self.keep = keep
    }
}

/// The C completion callback: runs exactly once per call, on a library thread, owning the
/// response; it takes back the retain passed as userdata.
private let completionCallback: openai_callback = { response, userdata in
    guard let userdata = userdata else { return }
    let box = Unmanaged<CallBox>.fromOpaque(userdata).takeRetainedValue()
    guard let handle = response else {
        box.continuation.resume(throwing: OpenAIError.last(OPENAI_INTERNAL))
        return
    }
    let result = Response(taking: handle)
    if let error = result.error {
        box.continuation.resume(throwing: error)
    } else {
        box.continuation.resume(returning: result)
    }
}

/// The C future of an async call: cancelled by Task cancellation (also when that comes before
/// the call started), freed with this object once the call has completed.
private final class FutureHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var future: OpaquePointer? = nil
    private var cancelled = false

    func attach(_ started: OpaquePointer?) {
        lock.lock()
        future = started
        let cancelNow = cancelled
        lock.unlock()
        if cancelNow { openai_future_cancel(started) }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let current = future
        lock.unlock()
        if let current = current { openai_future_cancel(current) }
    }

    deinit { openai_future_free(future) }
}

/// What a stream's callback needs. The C side holds one retain of it (passed as userdata), given
/// back right after openai_stream_free returns, after which the callback never runs again.
private final class StreamBox: @unchecked Sendable {
    let continuation: EventStream.Continuation
    let keep: [AnyObject]
    private let lock = NSLock()
    private var stream: OpaquePointer? = nil
    private var terminated = false

    init(continuation: EventStream.Continuation, keep: [AnyObject]) {
        self.continuation = continuation
        self.keep = keep
    }

    /// Receives the started stream; frees it at once if the sequence already terminated.
    func attach(_ started: OpaquePointer?) {
        lock.lock()
        if terminated {
            lock.unlock()
            close(started)
            return
        }
        stream = started
        lock.unlock()
    }

    /// The sequence ended (finished, or its consumer stopped): close the C stream.
    func terminate() {
        lock.lock()
        terminated = true
        let current = stream
        stream = nil
        lock.unlock()
        if let current = current { close(current) }
    }

    private func close(_ stream: OpaquePointer?) {
        openai_stream_free(stream)  // may run inside the stream's own callback: allowed
        Unmanaged.passUnretained(self).release()
    }
}

/// The C event callback: copies each event into the sequence, then ends it.
private let eventCallback: openai_event_callback = { stream, event, userdata in
    guard let userdata = userdata else { return false }
    let box = Unmanaged<StreamBox>.fromOpaque(userdata).takeUnretainedValue()
    if let event = event {
        if case .terminated = box.continuation.yield(Event(copying: event)) { return false }
        return true
    }
    let code = openai_stream_code(stream)
    if code == OPENAI_OK {
        box.continuation.finish()
    } else {
        box.continuation.finish(throwing: OpenAIError(code: code, message: openai_stream_error_message(stream),
                                                      response: openai_stream_response(stream)))
    }
    return false
}
