#include <iostream>
#include <openai/openai.hpp>

int main() try {
    openai::Client client;  // OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment
    auto body = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]})";
    std::cout << client.chat().completions().create(body).json_string("/choices/0/message/content").value_or("") << "\n";
    for (const openai::Event &event : client.chat().completions().create_stream(body))
        std::cout << event.json_string("/choices/0/delta/content").value_or("");
    std::cout << std::endl;
} catch (const openai::Error &e) {
    std::cerr << openai::code_name(e.code()) << ": " << e.what() << "\n";
    return 1;
}
