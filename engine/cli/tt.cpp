// `tt`: the native command-line tool for instructors and developers.
//   tt env        the build and machine the engine runs on
//   tt train      train a pretrained-asset recipe (train.cpp)
//   tt eval       evaluate a recipe's asset (or --weights FILE) on its held-out set
//   tt predict    the classes a model gives some held-out images
//   tt grade      a lesson's checks on a student's file, natively (grade.cpp)
#include <cstdio>
#include <cstring>
#include <exception>

#include "grade.h"
#include "profile.h"
#include "recipes.h"

namespace {

int usage() {
    std::fprintf(stderr, "usage: tt <command>\n\ncommands:\n  env    the build and machine the engine runs on\n"
                         "  train  <recipe> [--epochs N] [--limit N] [--data DIR] [--cifar DIR] [--out DIR]: xor-mlp, mnist-mlp,\n"
                         "         fashion-cnn, cifar10-cnn -> DIR/<recipe>.safetensors + .json (default assets/)\n"
                         "  eval   <recipe> [--weights FILE] [--data DIR]: accuracy on the held-out set\n"
                         "  predict <recipe> <index>... [--weights FILE]: classes of held-out images\n"
                         "  grade  run a lesson's checks on a student's file: tt grade <module> <file.cpp>... (JSON)\n");
    return 2;
}

int cmd_env() {
    tt::Environment env = tt::environment();
    std::printf("build: %s\nsimd arch: %s\nsimd width: %d\nthreads: %d\n", env.build.c_str(),
                env.simd_arch.c_str(), env.simd_width, env.threads);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    try {
        if (std::strcmp(argv[1], "env") == 0) return cmd_env();
        if (std::strcmp(argv[1], "train") == 0) return tt::cli::cmd_train(argc, argv);
        if (std::strcmp(argv[1], "eval") == 0) return tt::cli::cmd_eval(argc, argv);
        if (std::strcmp(argv[1], "predict") == 0) return tt::cli::cmd_predict(argc, argv);
        if (std::strcmp(argv[1], "grade") == 0) return tt::cli::grade(argc - 2, argv + 2);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tt: error: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "tt: unknown command '%s'\n\n", argv[1]);
    return usage();
}
