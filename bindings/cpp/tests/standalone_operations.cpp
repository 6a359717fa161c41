// operations.hpp compiles first and alone in its translation unit (it includes openai.hpp).
#include <openai/operations.hpp>

openai::Stream openai_cpp_standalone_operations_check(const openai::Client &client) {
    return client.chat().completions().create_stream("{}");
}
