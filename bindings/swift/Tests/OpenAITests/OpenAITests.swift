// XCTest cases for a machine with a Swift toolchain, against the mock server (bindings/swift/test.sh
// runs `swift test` with OPENAI_BASE_URL set when `swift` is on PATH). NOTE: never compiled or run
// where they were written; see README.md.
import XCTest
@testable import OpenAI

private let chat = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}"#
private let reply = "Hello! How can I help you today?"

private struct Chunk: Decodable {
    struct Choice: Decodable {
        struct Delta: Decodable { let content: String? }
        let delta: Delta
    }
    let choices: [Choice]
}

final class OpenAITests: XCTestCase {
    private func client() throws -> Client {
        guard ProcessInfo.processInfo.environment["OPENAI_BASE_URL"] != nil else {
            throw XCTSkip("needs the mock server: run bindings/swift/test.sh")
        }
        return try Client(maxRetries: 0)
    }

    func testOperationTable() {
        let names = Set(operationTable.map(\.name))
        XCTAssertEqual(names.count, operationTable.count)
        XCTAssertTrue(names.contains("chat.completions.create"))
        XCTAssertTrue(names.contains("responses.create"))
        XCTAssertTrue(names.contains("vector_stores.files.list"))
    }

    func testResourceTree() async throws {
        let client = try client()
        let created = try await client.responses.create(body: #"{"model":"gpt-4o-mini","input":"Hi"}"#)
        XCTAssertEqual(created.status, 200)
        XCTAssertEqual(created.jsonString("/object"), "response")
        let files = try await client.vectorStores.files.list(vectorStoreID: "vs_abc123")
        XCTAssertEqual(files.jsonString("/object"), "list")
    }

    func testResponseTooLarge() async throws {
        let base = ProcessInfo.processInfo.environment["OPENAI_BASE_URL"] ?? ""
        let small = try Client(optionsJSON: #"{"max_retries":0,"max_response_size":16,"base_url":""# + base + #""}"#)
        do {
            _ = try await small.chat.completions.create(body: chat)
            XCTFail("no error")
        } catch let error as OpenAIError {
            XCTAssertEqual(error.kind, .responseTooLarge)
        }
    }

    func testChatCompletion() async throws {
        let response = try await client().chat.completions.create(body: chat)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.jsonString("/choices/0/message/content"), reply)
        XCTAssertNotNil(response.requestID)
    }

    func testChatStream() async throws {
        var text = ""
        for try await event in try client().chat.completions.createStream(body: chat) {
            text += try event.decode(Chunk.self).choices.first?.delta.content ?? ""
        }
        XCTAssertEqual(text, reply)
    }

    func testRunEvents() async throws {
        var names: [String] = []
        let events = try client().beta.threads.runs.createAndStream(threadID: "thread_abc123",
                                                                     body: #"{"assistant_id":"asst_abc123"}"#)
        for try await event in events { names.append(event.name) }
        XCTAssertEqual(names.first, "thread.run.created")
        XCTAssertEqual(names.last, "thread.run.completed")
    }

    func testStoppingAStreamEarly() async throws {
        var seen = 0
        for try await _ in try client().chat.completions.createStream(body: chat) {
            seen += 1
            if seen == 2 { break }
        }
        XCTAssertEqual(seen, 2)
    }

    func testNotFoundError() async throws {
        let client = try client()
        do {
            _ = try await client.models.retrieve(model: "missing-model")
            XCTFail("no error")
        } catch let error as OpenAIError {
            XCTAssertEqual(error.kind, .notFound)
            XCTAssertEqual(error.status, 404)
            XCTAssertEqual(error.apiCode, "model_not_found")
            XCTAssertNotNil(error.requestID)
        }
    }

    func testUploadAndPages() async throws {
        let client = try client()
        let file = try Upload(data: Data("{\"a\":1}\n".utf8), filename: "train.jsonl")
        let uploaded = try await client.files.upload(fields: #"{"purpose":"fine-tune"}"#, file: file)
        XCTAssertEqual(uploaded.jsonString("/filename"), "train.jsonl")
        let pager = try client.files.listPages(query: #"{"limit":3}"#)
        var pages = 0
        while try pager.next() != nil { pages += 1 }
        XCTAssertEqual(pages, 3)
    }

    private struct Delta: Decodable { let delta: String }

    func testRealtimeTextTurnThenAProperClose() async throws {
        let session = try client().realtime.connect(query: #"{"model":"gpt-realtime"}"#)
        try session.send(#"{"type":"response.create","response":{"output_modalities":["text"]}}"#)
        var names: [String] = []
        var text = ""
        for try await event in session {
            names.append(event.name)
            if event.name == "response.output_text.delta" { text += try event.decode(Delta.self).delta }
            if event.name == "response.done" { try session.close(reason: "done") }
        }
        XCTAssertEqual(names.first, "session.created")
        XCTAssertEqual(names.last, "response.done")
        XCTAssertEqual(text, reply)
        XCTAssertEqual(session.closeCode, 1000)
    }

    func testRealtimeAudioInAndOut() async throws {
        let session = try client().realtime.connect(query: #"{"model":"gpt-realtime","mock_audio_echo":"true"}"#)
        let pcm = Data((0..<9600).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try session.appendAudio(pcm)
        var echoed = Data()
        for try await event in session {
            if let audio = event.audio { echoed += audio }
            if echoed.count >= pcm.count { break }
        }
        XCTAssertEqual(echoed, pcm)
    }

    func testRealtimeRefusedUpgrade() async throws {
        let base = ProcessInfo.processInfo.environment["OPENAI_BASE_URL"] ?? ""
        let bad = try Client(apiKey: "sk-invalid-swift", baseURL: base, maxRetries: 0)
        let session = try bad.realtime.connect(query: #"{"model":"gpt-realtime"}"#)
        do {
            for try await _ in session {}
            XCTFail("no error")
        } catch let error as OpenAIError {
            XCTAssertEqual(error.kind, .authentication)
            XCTAssertEqual(error.status, 401)
        }
    }

    func testResponsesOverAWebSocket() async throws {
        let session = try client().responses.connect()
        try session.send(#"{"type":"response.create","model":"gpt-4o-mini","input":"Hi"}"#)
        var text = ""
        for try await event in session {
            if event.name == "response.output_text.delta" { text += try event.decode(Delta.self).delta }
            if event.name == "response.completed" { try session.close() }
        }
        XCTAssertEqual(text, reply)
    }

    func testCancellation() async throws {
        let client = try client()
        let base = ProcessInfo.processInfo.environment["OPENAI_BASE_URL"] ?? ""
        let control = try Client(apiKey: "control", baseURL: String(base.dropLast(3)), maxRetries: 0)  // without "/v1"
        _ = try await control.request(method: "POST", path: "/__mock/script", body: #"{"delay_ms":5000,"body_json":{}}"#)
        let task = Task { try await client.models.list() }
        try await Task.sleep(nanoseconds: 50_000_000)
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("not cancelled")
        } catch let error as OpenAIError {
            XCTAssertEqual(error.kind, .cancelled)
        }
    }

    // MARK: Helpers (Sources/OpenAI/Helpers.swift)

    func testUploadFileChunked() async throws {
        let client = try client()
        let path = NSTemporaryDirectory() + "openai-swift-chunked.jsonl"
        try Data(String(repeating: "a", count: 2500).utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let last = ProgressRecord()
        let upload = try await client.uploads.uploadFileChunked(
            path: path, create: #"{"purpose":"batch","mime_type":"text/jsonl"}"#, options: #"{"part_size":1000}"#,
            progress: { sent, total in last.set(sent, total) })
        XCTAssertEqual(upload.jsonString("/status"), "completed")
        XCTAssertEqual(upload.jsonValue("/file/bytes"), "2500")
        XCTAssertEqual(last.get().0, 2500)
    }

    func testCreateAndPoll() async throws {
        let client = try client()
        let file = try await client.vectorStores.files.createAndPoll(vectorStoreID: "vs_swift", body: #"{"file_id":"file-swift"}"#)
        XCTAssertEqual(file.jsonString("/status"), "completed")
        let batch = try await client.batches.create(body: #"{"input_file_id":"file-in","endpoint":"/v1/chat/completions","completion_window":"24h"}"#)
        let done = try await client.batches.poll(batchID: batch.jsonString("/id") ?? "", options: #"{"interval_ms":5}"#)
        XCTAssertEqual(done.jsonString("/status"), "completed")
    }

    func testWebhooks() throws {
        // Signed with the test secret at 1750287018 (tests/common/webhooks.rs): a century of
        // tolerance accepts it, the default 300 s does not.
        let secret = "whsec_dGVzdC13ZWJob29rLWtleS0wMTIzNDU2Nzg5"
        let payload = Data(#"{"id":"evt_685343a1381c819085d44c354e1b330e","type":"response.completed","created_at":1750287018,"data":{"id":"resp_abc123"}}"#.utf8)
        let headers = ["webhook-id": "wh_685342e6c53c8190a1be43f081506c52", "webhook-timestamp": "1750287018",
                       "webhook-signature": "v1,fFjAVoOPIJp5BDNMBhyG1L4puz8Njq8xvzdjQ/kr/sQ="]
        let century = 100.0 * 366 * 24 * 3600
        try Webhooks().verifySignature(payload: payload, headers: headers, secret: secret, tolerance: century)
        let event = try Webhooks().unwrap(payload: payload, headers: headers, secret: secret, tolerance: century)
        XCTAssertEqual(event.name, "response.completed")
        XCTAssertEqual(event.id, "wh_685342e6c53c8190a1be43f081506c52")
        var tampered = payload
        tampered[tampered.count - 4] = UInt8(ascii: "9")
        XCTAssertThrowsError(try Webhooks().verifySignature(payload: tampered, headers: headers, secret: secret, tolerance: century)) {
            XCTAssertEqual(($0 as? OpenAIError)?.kind, .invalidWebhookSignature)
            XCTAssertEqual(($0 as? OpenAIError)?.message, "The given webhook signature does not match the expected signature")
        }
        XCTAssertThrowsError(try Webhooks().verifySignature(payload: payload, headers: headers, secret: secret)) {
            XCTAssertEqual(($0 as? OpenAIError)?.message, "Webhook timestamp is too old")
        }
    }
}

/// The last progress report of an upload, written from a library thread.
private final class ProgressRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var last: (UInt64, UInt64) = (0, 0)
    func set(_ sent: UInt64, _ total: UInt64) {
        lock.lock()
        last = (sent, total)
        lock.unlock()
    }
    func get() -> (UInt64, UInt64) {
        lock.lock()
        defer { lock.unlock() }
        return last
    }
}
