// WebSocket sessions of the Swift layer: the Realtime API (`client.realtime.connect(query:)`)
// and the Responses API over a persistent WebSocket (`client.responses.connect()`), as an
// AsyncSequence of the server's events:
//
//     let session = try client.realtime.connect(query: #"{"model":"gpt-realtime"}"#)
//     try session.send(#"{"type":"response.create","response":{"output_modalities":["text"]}}"#)
//     for try await event in session {
//         if event.name == "response.output_text.delta" { print(event.text) }
//         if event.name == "response.done" { try session.close() }
//     }
//
// NOTE: no Swift toolchain is available where this package is developed and tested; this file
// has never been compiled. See bindings/swift/README.md.

import COpenAI
import Foundation

/// What a reconnection handler is told about the next attempt, and how it changes the next
/// connection. Valid only during the handler's call.
public final class Reconnect {
    /// This attempt's number, from 1 up to `maxAttempts`.
    public let attempt: Int
    public let maxAttempts: Int
    /// How long the session waits before connecting again, in milliseconds.
    public let delayMilliseconds: UInt64
    /// The close code that ended the connection (1006: it dropped without a close frame).
    public let closeCode: Int
    private let next: OpaquePointer

    init(next: OpaquePointer, attempt: UInt32, maxAttempts: UInt32, delayMilliseconds: UInt64, closeCode: Int32) {
        self.next = next
        self.attempt = Int(attempt)
        self.maxAttempts = Int(maxAttempts)
        self.delayMilliseconds = delayMilliseconds
        self.closeCode = Int(closeCode)
    }

    /// The query of the next connection, as a JSON object's text.
    public var query: String { openai_reconnect_query(next).map { String(cString: $0) } ?? "{}" }

    /// Replaces the query of the next connection (and later ones) with a JSON object.
    public func setQuery(_ queryJSON: String) throws {
        let code = openai_reconnect_set_query(next, queryJSON)
        guard code == OPENAI_OK else { throw OpenAIError.last(code) }
    }

    /// Sets (or, with nil, removes) a handshake header of the next connection (and later ones).
    public func setHeader(_ name: String, _ value: String?) throws {
        let code = openai_reconnect_set_header(next, name, value)
        guard code == OPENAI_OK else { throw OpenAIError.last(code) }
    }
}

/// The options of a session: the JSON object of `openai_realtime_options_new` (`max_retries`,
/// `initial_delay`, `max_delay`, `idle_timeout`, `ping_interval`, `headers`, `client_secret`,
/// the queue sizes) and a reconnection handler, which turns reconnection on as in the official
/// SDK. The handler runs on a library thread and returns whether to connect again.
public struct RealtimeOptions: Sendable {
    public var json: String
    public var onReconnect: (@Sendable (Reconnect) -> Bool)?

    public init(json: String = "{}", onReconnect: (@Sendable (Reconnect) -> Bool)? = nil) {
        self.json = json
        self.onReconnect = onReconnect
    }
}

/// A WebSocket session and the AsyncSequence of its server events: `for try await event in
/// session` ends when the session closes cleanly and throws the `OpenAIError` that ended it
/// otherwise (a refused upgrade, a dropped connection, ...). `error` events of the API come as
/// events. `send` and `appendAudio` may be called from any task or thread. Memory stays bounded
/// when the consumer is slow: at most `bufferedEvents` events wait here, then the library's
/// bounded queue, then the connection. Releasing the session drops its connection; `close()`
/// first sends a proper close frame. Iterate it once.
public final class RealtimeSession: AsyncSequence, @unchecked Sendable {
    public typealias Element = Event

    /// The C handle (openai_realtime *), valid while this object lives.
    public let handle: OpaquePointer
    fileprivate let box: SessionBox

    /// Events waiting for the consumer before the session stops reading.
    public static let bufferedEvents = 64

    init(client: Client, query: String?, options: RealtimeOptions, responses: Bool) throws {
        var made: OpaquePointer? = nil
        var code = openai_realtime_options_new(options.json, &made)
        guard code == OPENAI_OK, let cOptions = made else { throw OpenAIError.last(code) }
        defer { openai_realtime_options_free(cOptions) }
        var madeContinuation: EventStream.Continuation? = nil
        let events = EventStream { madeContinuation = $0 }
        guard let continuation = madeContinuation else { throw OpenAIError.last(OPENAI_INTERNAL) }
        let box = SessionBox(events: events, continuation: continuation, onReconnect: options.onReconnect)
        // The C side holds one retain of the box, given back after openai_realtime_free.
        let userdata = Unmanaged.passRetained(box).toOpaque()
        code = openai_realtime_options_set_callback(cOptions, sessionCallback, userdata)
        if code == OPENAI_OK, options.onReconnect != nil {
            code = openai_realtime_options_set_reconnect(cOptions, reconnectCallback, userdata)
        }
        guard code == OPENAI_OK else {
            Unmanaged<SessionBox>.fromOpaque(userdata).release()
            throw OpenAIError.last(code)
        }
        let started: OpaquePointer? = responses
            ? openai_responses_connect_async(client.handle, query, cOptions)
            : openai_realtime_connect_async(client.handle, query, cOptions)
        guard let session = started else {
            Unmanaged<SessionBox>.fromOpaque(userdata).release()
            throw OpenAIError.last(OPENAI_INTERNAL)
        }
        handle = session
        self.box = box
        continuation.onTermination = { @Sendable _ in
            // The sequence ended, or its consumer stopped: the callback takes no more events (it
            // ends the session at the next one) and one waiting for room returns.
            box.terminate()
        }
    }

    deinit {
        box.terminate()
        openai_realtime_free(handle)  // waits for a callback running on another thread
        Unmanaged.passUnretained(box).release()
    }

    public func makeAsyncIterator() -> Iterator { Iterator(inner: box.events.makeAsyncIterator(), session: self) }

    /// The iterator: each event taken makes room for the next one. It keeps its session alive.
    public struct Iterator: AsyncIteratorProtocol {
        var inner: EventStream.AsyncIterator
        let session: RealtimeSession

        public mutating func next() async throws -> Event? {
            let event = try await inner.next()
            if event != nil { session.box.room.signal() }
            return event
        }
    }

    /// Sends one client event, a JSON object (`{"type":"response.create"}`), as one text frame.
    public func send(_ eventJSON: String) throws {
        try check(openai_realtime_send(handle, eventJSON))
    }

    /// Appends raw PCM16 audio (16-bit little-endian samples, 24 kHz mono by default) to the
    /// input audio buffer; the library base64-encodes it. `pcm.count` must be even.
    public func appendAudio(_ pcm: Data) throws {
        let code: openai_code = pcm.withUnsafeBytes { raw in openai_realtime_append_audio(handle, raw.baseAddress, raw.count) }
        try check(code)
    }

    /// Closes the session properly: a close frame with `code` (1000, or 3000 to 4999) and
    /// `reason` goes out after the events already queued; the iteration ends cleanly once the
    /// server answers.
    public func close(code: Int32 = 1000, reason: String? = nil) throws {
        let result = openai_realtime_close(handle, code, reason)
        if result == OPENAI_INVALID_ARGUMENT { throw OpenAIError.last(result) }
    }

    /// Ends the session at once, without a close frame (the iteration throws `.cancelled`).
    public func cancel() { openai_realtime_cancel(handle) }

    /// The close code that ended the last connection (0 while it goes on).
    public var closeCode: Int { Int(openai_realtime_close_code(handle)) }
    /// The reason that came with it.
    public var closeReason: String? { openai_realtime_close_reason(handle).map { String(cString: $0) } }

    private func check(_ code: openai_code) throws {
        if code == OPENAI_OK { return }
        if code == OPENAI_INVALID_ARGUMENT || code == OPENAI_QUEUE_FULL { throw OpenAIError.last(code) }
        throw OpenAIError(code: code, message: openai_realtime_error_message(handle), response: nil)
    }
}

/// What a session's callbacks need.
final class SessionBox: @unchecked Sendable {
    let events: EventStream
    let continuation: EventStream.Continuation
    let onReconnect: (@Sendable (Reconnect) -> Bool)?
    /// Room for events the consumer has not taken yet: the callback waits for it (on the
    /// session's own thread), which holds the session's reading back.
    let room = DispatchSemaphore(value: RealtimeSession.bufferedEvents)
    private let lock = NSLock()
    private var terminated = false

    init(events: EventStream, continuation: EventStream.Continuation, onReconnect: (@Sendable (Reconnect) -> Bool)?) {
        self.events = events
        self.continuation = continuation
        self.onReconnect = onReconnect
    }

    var isTerminated: Bool {
        lock.lock()
        defer { lock.unlock() }
        return terminated
    }

    /// No event is wanted any more: a callback waiting for room returns.
    func terminate() {
        lock.lock()
        let first = !terminated
        terminated = true
        lock.unlock()
        if first { room.signal() }
    }
}

/// The C event callback: copies each event into the sequence, waiting for room, then ends it.
private let sessionCallback: openai_realtime_callback = { session, event, userdata in
    guard let userdata = userdata else { return false }
    let box = Unmanaged<SessionBox>.fromOpaque(userdata).takeUnretainedValue()
    if let event = event {
        if box.isTerminated { return false }
        box.room.wait()
        if box.isTerminated { return false }
        box.continuation.yield(Event(copying: event))
        return true
    }
    let code = openai_realtime_code(session)
    if code == OPENAI_OK {
        box.continuation.finish()
    } else {
        let response = openai_realtime_response(session)
        let refused = response.map { openai_response_status($0) >= 300 } ?? false
        box.continuation.finish(throwing: OpenAIError(code: code, message: openai_realtime_error_message(session),
                                                      response: refused ? response : nil))
    }
    return false
}

/// The C reconnection callback: asks the handler.
private let reconnectCallback: openai_reconnect_callback = { _, attempt, maxAttempts, delayMs, closeCode, next, userdata in
    guard let userdata = userdata, let next = next else { return false }
    let box = Unmanaged<SessionBox>.fromOpaque(userdata).takeUnretainedValue()
    guard let handler = box.onReconnect else { return false }
    return handler(Reconnect(next: next, attempt: attempt, maxAttempts: maxAttempts, delayMilliseconds: delayMs,
                             closeCode: closeCode))
}
