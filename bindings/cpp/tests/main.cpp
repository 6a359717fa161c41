// The test program's entry point: GoogleTest, with the mock server started around the tests.
#include "harness.hpp"

int main(int argc, char **argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new openai_test::MockEnvironment);
    return RUN_ALL_TESTS();
}
