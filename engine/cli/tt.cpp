// `tt`: the native command-line tool for instructors and developers. Its command line (CLI11) is all here; the
// commands' work is in train.cpp (train, eval, predict), train_gpt.cpp (train, eval of tinygpt), generate.cpp and
// grade.cpp.
//   tt env        the build and machine the engine runs on
//   tt train      train a pretrained-asset recipe (image classifiers; tinygpt, the character GPT)
//   tt eval       evaluate a recipe's asset (or --weights FILE) on its held-out set
//   tt predict    the classes a model gives some held-out images
//   tt generate   text from the TinyGPT asset: prompt, temperature, top-k, seed
//   tt grade      a lesson's checks on a student's file, in the page's wasm sandbox (grade.cpp, scripts/grade.mjs)
//   tt pack-images  an image folder packed into a .ttds shard (pack_images.cpp)
//   tt evaluate   a leaderboard submission scored on a hidden set, one JSON line (evaluate.cpp)
//   tt compress   one optimized model: pruned, fine-tuned, int8 (classifiers; tinygpt's weights) (compress.cpp)
// Exit codes: 0 success, 1 the command failed (a tt::Error, printed), 2 a bad command line (a message naming the
// option; nothing ran). `tt grade` also returns 1 when the student's code fails its checks.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "compress.h"
#include "error.h"
#include "evaluate.h"
#include "grade.h"
#include "pack_images.h"
#include "profile.h"
#include "recipes.h"
#include "tinygpt.h"

namespace {

using tt::cli::RecipeOptions;

int cmd_env() {
    tt::Environment env = tt::environment();
    std::printf("build: %s\nsimd arch: %s\nsimd width: %d\nthreads: %d\n", env.build.c_str(), env.simd_arch.c_str(),
                env.simd_width, env.threads);
    return 0;
}

// A whole number in [min, max]: "--epochs abc" says "abc is not a whole number" (CLI11's range check would
// report a non-number as out of a range spanning every double).
CLI::Validator whole_number(long long min, long long max = 1000000000000LL) {
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    return CLI::Validator(
        [min, max, range](std::string& text) -> std::string {
            char* end = nullptr;
            errno = 0;
            const long long v = std::strtoll(text.c_str(), &end, 10);
            if (text.empty() || *end != '\0' || errno == ERANGE) return text + " is not a whole number";
            if (v < min || v > max) return text + " is outside " + range;
            return "";
        },
        range);
}

// An existing regular file of at most max_bytes: "is a directory" and "is 5242880 bytes, more than the 1048576 a
// lesson file may have" instead of a read that takes whatever it is given.
CLI::Validator small_file(long long max_bytes) {
    return CLI::Validator(
        [max_bytes](std::string& path) -> std::string {
            std::error_code ec;
            const std::filesystem::file_status st = std::filesystem::status(path, ec);
            if (ec || !std::filesystem::exists(st)) return "File does not exist: " + path;
            if (std::filesystem::is_directory(st)) return path + " is a directory, not a file";
            if (!std::filesystem::is_regular_file(st)) return path + " is not a regular file";
            const auto size = std::filesystem::file_size(path, ec);
            if (ec) return path + ": cannot read its size";
            if (size > static_cast<uintmax_t>(max_bytes))
                return path + " is " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
                    " a lesson file may have";
            return "";
        },
        "FILE");
}

// The recipe argument every recipe command takes: one of recipes.cpp's names (else CLI11 lists them).
void add_recipe(CLI::App& cmd, std::string& recipe) {
    std::vector<std::string> names;
    for (const tt::cli::Recipe& r : tt::cli::recipes()) names.push_back(r.name);
    names.push_back(tt::cli::tinygpt_recipe().name);
    cmd.add_option("recipe", recipe, "the recipe (recipes.cpp)")->required()->check(CLI::IsMember(names));
}

void add_data_options(CLI::App& cmd, RecipeOptions& o) {
    cmd.add_option("--data", o.data_dir, "folder of the packed MNIST / Fashion-MNIST sets")
        ->type_name("DIR")
        ->capture_default_str();
    cmd.add_option("--cifar", o.cifar_dir,
                   "folder of CIFAR-10's binary batches (datasets/download-cifar10.sh), or an image folder with "
                   "train/<class>/ and test/<class>/, or (eval, predict) a .ttds of test images")
        ->type_name("DIR")
        ->capture_default_str();
}

void add_weights_options(CLI::App& cmd, RecipeOptions& o) {
    cmd.add_option("--out", o.out_dir, "folder of the trained assets: <DIR>/<recipe>.safetensors")
        ->type_name("DIR")
        ->check(CLI::ExistingDirectory)
        ->capture_default_str();
    cmd.add_option("--weights", o.weights, "a .safetensors file to use instead of the recipe's asset")
        ->type_name("FILE")
        ->check(CLI::ExistingFile);
}

void add_corpus_option(CLI::App& cmd, tt::cli::GPTOptions& o) {
    cmd.add_option("--corpus", o.corpus, "tinygpt: the text, with its train/validation split in the .json beside it")
        ->type_name("FILE")
        ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("tt: the TinyTorch engine's native tool: train and evaluate the pretrained assets, grade lessons.",
                 "tt");
    app.require_subcommand(1);
    int exit_code = 0;

    app.add_subcommand("env", "the build and machine the engine runs on")->callback([&] { exit_code = cmd_env(); });

    auto train_o = std::make_shared<RecipeOptions>();
    auto train_recipe = std::make_shared<std::string>();
    CLI::App* train = app.add_subcommand("train", "train a recipe -> <out>/<recipe>.safetensors + model card .json");
    add_recipe(*train, *train_recipe);
    train->add_option("--epochs", train_o->epochs, "epochs instead of the recipe's")
        ->type_name("N")
        ->check(whole_number(1, 100000));
    train
        ->add_option("--limit", train_o->limit,
                     "the first N training images only (tinygpt: N characters of each split), for quick runs")
        ->type_name("N")
        ->check(whole_number(1));
    train->add_option("--out", train_o->out_dir, "folder to write the asset, its card and index.json into")
        ->type_name("DIR")
        ->check(CLI::ExistingDirectory)
        ->capture_default_str();
    add_data_options(*train, *train_o);
    train->add_flag("--quiet", train_o->quiet, "report the test accuracy after the last epoch only");
    train->add_option("-j,--threads", train_o->threads, "engine threads (the same weights for any count)")
        ->type_name("N")
        ->check(whole_number(1, 256))
        ->capture_default_str();
    auto train_gpt = std::make_shared<tt::cli::GPTOptions>();
    CLI::Option* steps = train
                             ->add_option("--steps", train_gpt->steps,
                                          "tinygpt: optimizer steps instead of the "
                                          "recipe's")
                             ->type_name("N")
                             ->check(whole_number(1, 10000000));
    add_corpus_option(*train, *train_gpt);
    train->callback([&, train_o, train_recipe, train_gpt, steps] {
        if (*train_recipe != tt::cli::tinygpt_recipe().name) {
            if (*steps) throw CLI::ValidationError("--steps", "is for tinygpt; image recipes take --epochs");
            exit_code = tt::cli::train(*train_recipe, *train_o);
            return;
        }
        if (train_o->epochs > 0) throw CLI::ValidationError("--epochs", "is for image recipes; tinygpt takes --steps");
        train_gpt->out_dir = train_o->out_dir, train_gpt->limit = train_o->limit, train_gpt->quiet = train_o->quiet;
        exit_code = tt::cli::train_gpt(*train_gpt);
    });

    auto eval_o = std::make_shared<RecipeOptions>();
    auto eval_recipe = std::make_shared<std::string>();
    CLI::App* eval = app.add_subcommand("eval", "accuracy of a recipe's asset on its held-out test set");
    add_recipe(*eval, *eval_recipe);
    add_weights_options(*eval, *eval_o);
    eval->add_option("--limit", eval_o->limit, "the first N test images only")->type_name("N")->check(whole_number(1));
    add_data_options(*eval, *eval_o);
    auto eval_gpt = std::make_shared<tt::cli::GPTOptions>();
    add_corpus_option(*eval, *eval_gpt);
    eval->callback([&, eval_o, eval_recipe, eval_gpt] {
        if (*eval_recipe != tt::cli::tinygpt_recipe().name) {
            exit_code = tt::cli::eval(*eval_recipe, *eval_o);
            return;
        }
        eval_gpt->out_dir = eval_o->out_dir, eval_gpt->weights = eval_o->weights, eval_gpt->limit = eval_o->limit;
        exit_code = tt::cli::eval_gpt(*eval_gpt);
    });

    auto predict_o = std::make_shared<RecipeOptions>();
    auto predict_recipe = std::make_shared<std::string>();
    auto indices = std::make_shared<std::vector<int64_t>>();
    CLI::App* predict = app.add_subcommand("predict", "the classes a recipe's model gives held-out test images");
    add_recipe(*predict, *predict_recipe);
    predict->add_option("index", *indices, "test image numbers, from 0")->required()->check(whole_number(0));
    add_weights_options(*predict, *predict_o);
    add_data_options(*predict, *predict_o);
    predict->callback([&, predict_o, predict_recipe, indices] {
        exit_code = tt::cli::predict(*predict_recipe, *indices, *predict_o);
    });

    auto grade_o = std::make_shared<tt::cli::GradeOptions>();
    CLI::App* grade = app.add_subcommand("grade",
                                         "run a lesson's checks on a student's file(s) in the page's sandbox (wasm); "
                                         "prints one JSON object");
    grade->add_option("module", grade_o->module, "lesson id or number: 01_setup, 01, 1")->required();
    grade
        ->add_option("files", grade_o->files,
                     "the student's .cpp file(s); each replaces the lesson file of the same name (one file: the "
                     "lesson's only file)")
        ->required()
        ->check(small_file(tt::cli::kMaxStudentFileBytes));
    grade->add_option("--root", grade_o->root, "the source tree with lessons/ and scripts/grade.mjs")
        ->type_name("DIR")
        ->check(CLI::ExistingDirectory)
        ->capture_default_str();
    grade
        ->add_option("--student", grade_o->student_dir,
                     "the prebuilt student build (default: $TT_STUDENT_DIR, else <root>/build/student)")
        ->type_name("DIR")
        ->check(CLI::ExistingDirectory);
    grade->add_option("--timeout", grade_o->timeout_seconds, "time limit for running the checks")
        ->type_name("SECONDS")
        ->check(whole_number(1, 3600))
        ->capture_default_str();
    grade->add_option("--compile-timeout", grade_o->compile_timeout_seconds, "time limit for compiling one file")
        ->type_name("SECONDS")
        ->check(whole_number(1, 3600))
        ->capture_default_str();
    grade
        ->add_option("--memory-limit", grade_o->memory_mb,
                     "memory of the whole grader (compiler and program) before it is stopped")
        ->type_name("MiB")
        ->check(whole_number(256, 65536))
        ->capture_default_str();
    grade
        ->add_option("--max-output", grade_o->max_output_kib,
                     "what the student's program may print per stream; more fails the file")
        ->type_name("KiB")
        ->check(whole_number(1, 65536))
        ->capture_default_str();
    grade->callback([&, grade_o] {
        try {
            exit_code = tt::cli::grade(*grade_o);
        } catch (const tt::Error& e) {  // the lesson cannot be graded (a broken lesson.json): not the student's fault
            std::fprintf(stderr, "tt grade: %s\n", e.what());
            exit_code = 2;
        }
    });

    auto gen_o = std::make_shared<tt::cli::GenerateOptions>();
    CLI::App* gen = app.add_subcommand("generate", "text from the TinyGPT asset (tt train tinygpt), seeded");
    gen->add_option("--prompt", gen_o->prompt, "the text to continue (characters of the model's vocabulary)")
        ->type_name("TEXT");
    gen->add_option("--tokens", gen_o->tokens, "characters to generate")
        ->type_name("N")
        ->check(whole_number(0, 1000000))
        ->capture_default_str();
    gen->add_option("--temperature", gen_o->temperature, "0: greedy; < 1 sharper, > 1 flatter")
        ->type_name("T")
        ->check(CLI::Range(0.0, 100.0))
        ->capture_default_str();
    gen->add_option("--top-k", gen_o->top_k, "draw from the K most likely characters only (0: all)")
        ->type_name("K")
        ->check(whole_number(0))
        ->capture_default_str();
    gen->add_option("--seed", gen_o->seed, "the sampling generator's seed: the same seed, the same text")
        ->type_name("S")
        ->check(whole_number(0))
        ->capture_default_str();
    gen->add_flag("--no-cache{false}", gen_o->use_cache, "run the whole context for every token (no KV cache)");
    gen->add_option("--weights", gen_o->weights, "the .safetensors asset")->type_name("FILE")->capture_default_str();
    gen->callback([&, gen_o] { exit_code = tt::cli::generate(*gen_o); });

    tt::cli::add_pack_images_command(app, exit_code);

    auto ev_o = std::make_shared<tt::cli::EvaluateOptions>();
    CLI::App* ev = app.add_subcommand("evaluate", "a leaderboard submission scored on a hidden set: one JSON line");
    ev->add_option("--task", ev_o->task, "mnist, fashion-mnist, cifar10 or tinygpt")
        ->required()
        ->check(CLI::IsMember({"mnist", "fashion-mnist", "cifar10", "tinygpt"}));
    ev->add_option("--model", ev_o->model, "the submitted .safetensors")->type_name("FILE")->required();
    ev->add_option("--data", ev_o->data, "the hidden set (.ttds; tinygpt: UTF-8 text)")->type_name("FILE");
    ev->add_option("--public-count", ev_o->public_count, "images (tinygpt: windows) of the public part")
        ->type_name("N")
        ->check(whole_number(0));
    ev->add_option("--windows", ev_o->windows, "tinygpt: windows spread over the text")
        ->type_name("N")
        ->check(whole_number(2, 100000))
        ->capture_default_str();
    ev->add_option("--max-bytes", ev_o->max_bytes, "refuse larger files")
        ->type_name("N")
        ->check(whole_number(1))
        ->capture_default_str();
    ev->add_flag("--check-only", ev_o->check_only, "validate the file (header, architecture, shapes) only");
    ev->callback([&, ev_o] {
        if (!ev_o->check_only && ev_o->data.empty()) throw CLI::ValidationError("--data", "is required to evaluate");
        exit_code = tt::cli::evaluate(*ev_o);
    });

    auto cp_o = std::make_shared<RecipeOptions>();
    auto cp_opt = std::make_shared<tt::OptimizeOptions>();
    auto cp_recipe = std::make_shared<std::string>();
    auto cp_file = std::make_shared<std::string>();
    CLI::App* cp = app.add_subcommand("compress",
                                      "one optimized model for tt evaluate and the leaderboard: a classifier "
                                      "pruned, fine-tuned with its masks and int8-quantized; tinygpt's weights "
                                      "pruned and rounded to int8 (saved as float)");
    add_recipe(*cp, *cp_recipe);
    add_weights_options(*cp, *cp_o);
    add_data_options(*cp, *cp_o);
    cp->add_option("--output", *cp_file, "the optimized .safetensors to write")->type_name("FILE")->required();
    cp->add_option("--sparsity", cp_opt->sparsity, "fraction of the weights pruned (global magnitude)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cp->add_option("--finetune-steps", cp_opt->finetune_steps, "masked SGD steps after pruning (classifiers)")
        ->type_name("N")
        ->check(whole_number(0))
        ->capture_default_str();
    cp->add_option("--form", cp_opt->form, "fp32, int8, int8-tensor, int8-u7 (7-bit inputs) or int4")
        ->check(CLI::IsMember({"fp32", "int8", "int8-tensor", "int8-u7", "int4"}))
        ->capture_default_str();
    cp->add_option("--seed", cp_opt->seed, "the fine-tune's batches")->check(whole_number(0))->capture_default_str();
    cp->callback(
        [&, cp_o, cp_opt, cp_recipe, cp_file] { exit_code = tt::cli::compress(*cp_recipe, *cp_o, *cp_opt, *cp_file); });

    if (argc < 2) {
        std::fputs(app.help().c_str(), stderr);
        return 2;
    }
    // Said here, as CLI11 would only say "A subcommand is required".
    const std::string first = argv[1];
    if (first[0] != '-' && app.get_subcommands([&](CLI::App* c) { return c->check_name(first); }).empty()) {
        std::string names;
        for (const CLI::App* c : app.get_subcommands([](CLI::App*) { return true; })) names += " " + c->get_name();
        std::fprintf(stderr, "tt: unknown command '%s'; the commands are:%s (tt --help)\n", first.c_str(),
                     names.c_str());
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;  // --help is a ParseError that exits 0
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tt: error: %s\n", e.what());
        return 1;
    }
    return exit_code;
}
