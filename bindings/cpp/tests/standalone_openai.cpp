// openai.hpp compiles first and alone in its translation unit.
#include <openai/openai.hpp>

openai::Response openai_cpp_standalone_check(const openai::Client &client) { return client.models().list(); }
