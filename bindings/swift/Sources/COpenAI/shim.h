/* The header of the COpenAI module: the repository's generated C header, by a path relative to
 * this file (bindings/swift/Sources/COpenAI -> include/openai.h). */
#include "../../../../include/openai.h"
