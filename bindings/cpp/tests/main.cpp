// The test program's entry point: GoogleTest, with the mock server started around the tests, then
// openai::shutdown() (every handle is gone by then), which throws, failing the program, if the
// library cannot stop; the valgrind run checks that nothing is left behind.
#include "harness.hpp"

int main(int argc, char **argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new openai_test::MockEnvironment);
    const int failed = RUN_ALL_TESTS();
    openai::shutdown();
    return failed;
}
