// doctest's runner for the engine suite; every other file in this folder is one module's checks.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
