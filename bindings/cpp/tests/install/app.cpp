// A user's program built from outside the repository against the installed C++ package
// (bindings/cpp/test-install.sh builds it with find_package(openai), with pkg-config and with
// add_subdirectory, then runs each against the mock server and compares what it prints).
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <openai/openai.hpp>

int main() try {
    if (openai::library_version() != openai::header_version()) {
        std::cerr << "library " << openai::library_version() << ", header " << openai::header_version() << "\n";
        return 1;
    }
    openai::Client client(openai::ClientOptions().max_retries(0));  // key and base URL from the environment
    const std::string body = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]})";

    std::cout << "reply: " << client.chat().completions().create(body).json_string("/choices/0/message/content").value_or("")
              << "\n";

    std::string streamed;
    for (const openai::Event &event : client.chat().completions().create_stream(body))
        streamed += event.json_string("/choices/0/delta/content").value_or("");
    std::cout << "streamed: " << streamed << "\n";

    openai::Queue queue;
    for (std::uint64_t i = 0; i < 3; i++) queue.add(client.models().retrieve_async("model-" + std::to_string(i)), i);
    std::vector<std::string> ids(3);
    while (std::optional<openai::ResponseFuture> done = queue.next())
        ids.at(done->tag()) = done->get().json_string("/id").value_or("");
    std::cout << "queued: " << ids[0] << " " << ids[1] << " " << ids[2] << "\n";

    std::cout << "files:";
    for (const openai::Item &file : client.files().list_pages(R"({"limit":3})").items())
        std::cout << " " << file.id().value_or("?");
    std::cout << "\n";

    try {
        client.models().retrieve("missing-model");
    } catch (const openai::NotFoundError &e) {
        std::cout << "error: " << e.status_code() << " " << e.api_code().value_or("") << "\n";
    }

    openai::RealtimeSession session = client.realtime().connect(R"({"model":"gpt-realtime"})");
    std::cout << "realtime: " << session.next().value().name() << " ";
    session.send(R"({"type":"response.create","response":{"output_modalities":["text"]}})");
    for (const openai::Event &event : session) {
        if (event.name() == "response.output_text.delta") std::cout << event.json_string("/delta").value_or("");
        if (event.name() == "response.done") session.close();
    }
    std::cout << " closed " << session.close_code() << "\n";
    return 0;
} catch (const openai::Error &e) {
    std::cerr << openai::code_name(e.code()) << ": " << e.what() << "\n";
    return 1;
}
