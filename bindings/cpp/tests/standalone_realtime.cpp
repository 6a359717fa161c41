// realtime.hpp compiles first and alone in its translation unit (it includes openai.hpp).
#include <openai/realtime.hpp>

openai::RealtimeSession openai_cpp_standalone_realtime_check(const openai::Client &client) {
    return client.realtime().connect(R"({"model":"gpt-realtime"})");
}
