// Shared helpers for the engine's checks (these files are also the lessons' hidden checks).
#pragma once

#include <doctest/doctest.h>

#include "error.h"

// Error-path cases need exceptions, which the in-browser student build does not have: there they are reported as
// skipped (never as passed), and they run in the native and web-reference builds.
#define TT_NEEDS_EXCEPTIONS doctest::skip(!TT_HAS_EXCEPTIONS)
