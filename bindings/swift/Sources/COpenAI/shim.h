/* The header of the COpenAI module: libopenai's installed header, found on the include path
 * (`pkg-config --cflags openai`, which SwiftPM passes for Package.swift's `pkgConfig: "openai"`;
 * for an uninstalled build, `-Xcc -I<repository>/include`). */
#include <openai.h>
