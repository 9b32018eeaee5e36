#include "competition_profile.h"

#include <algorithm>
#include <memory>
#include <string>

#include "classifier.h"
#include "ensemble.h"
#include "error.h"
#include "functional.h"
#include "generate.h"
#include "grad_mode.h"
#include "linear.h"
#include "metrics.h"
#include "mixed_precision.h"
#include "profile.h"
#include "random.h"
#include "sgd.h"

namespace tt {

Json profile_kv_cache(const GPTConfig& config, const std::vector<int64_t>& max_lens, const std::vector<int64_t>& tokens,
                      int repeats) {
    Generator init(0);
    GPT model(config, init);
    Json memory = Json::array();
    for (int64_t n : max_lens) {
        Json r = Json::object();
        r.set("max_len", n)
            .set("per_layer_bytes", kv_cache_bytes(config, 1, n) / config.n_layer)
            .set("total_bytes", kv_cache_bytes(config, 1, n));
        memory.push_back(r);
    }
    Json speed = Json::array();
    const Tensor prompt({1, 1}, {1.0f});
    const SamplingOptions greedy{0.0f, 0, 1.0f};
    for (int64_t n : tokens) {
        TT_CHECK(n + 1 <= config.block_size, "profile_kv_cache: " << n << " tokens + 1 exceed block_size");
        KVCacheManager cache(model, 1, n + 1);
        Generator g(1);
        const Timer timer(1, std::max(1, repeats));
        const double managed = timer.measure([&] { generate_cached(model, cache, prompt, n, greedy, g); }).median_ms;
        const double cached = timer.measure([&] { model.generate(prompt, n, greedy, g, true); }).median_ms;
        const double uncached = timer.measure([&] { model.generate(prompt, n, greedy, g, false); }).median_ms;
        Json r = Json::object();
        r.set("tokens", n)
            .set("managed_tokens_per_s", 1000.0 * static_cast<double>(n) / managed)
            .set("cached_tokens_per_s", 1000.0 * static_cast<double>(n) / cached)
            .set("uncached_tokens_per_s", 1000.0 * static_cast<double>(n) / uncached);
        speed.push_back(r);
    }
    Json out = Json::object();
    out.set("memory", memory).set("speed", speed);
    return out;
}

namespace {

Json latency_summary(const BatchSchedule& s) {
    Json j = Json::object();
    j.set("mean_ms", s.mean_latency())
        .set("p50_ms", s.percentile_latency(0.5))
        .set("p99_ms", s.percentile_latency(0.99))
        .set("throughput", s.throughput())
        .set("mean_batch", static_cast<double>(s.latency.size()) / static_cast<double>(s.batches.size()));
    return j;
}

}  // namespace

Json profile_batching(nn::Module& model, const Tensor& example, const std::vector<double>& rates, int64_t requests,
                      const BatcherOptions& options, double sample_seconds) {
    const std::vector<double> ms = measure_service_ms(model, example, options.max_batch, sample_seconds);
    const auto service = [&](int64_t b) { return ms[static_cast<size_t>(b - 1)]; };
    Json rows = Json::array();
    for (double rate : rates) {
        Generator g(42);  // the same arrivals for both settings
        const std::vector<double> arrivals = poisson_arrivals(requests, rate, g);
        Json r = Json::object();
        r.set("rate", rate)
            .set("batched", latency_summary(schedule_batches(arrivals, options, service)))
            .set("single", latency_summary(schedule_batches(arrivals, {1, 0.0}, service)));
        rows.push_back(r);
    }
    Json service_ms = Json::array();
    for (double m : ms) service_ms.push_back(m);
    Json out = Json::object();
    out.set("service_ms", service_ms).set("rows", rows);
    return out;
}

Json profile_mixed_precision(int64_t batch, int64_t in, int64_t hidden, int64_t classes, int steps) {
    Json rows = Json::array();
    for (bool mixed : {false, true}) {
        Generator g(17);
        auto fc1 = std::make_shared<nn::Linear>(in, hidden, true, g);
        auto fc2 = std::make_shared<nn::Linear>(hidden, classes, true, g);
        Tensor x = randn({batch, in}, g), target({batch});
        for (int64_t i = 0; i < batch; ++i) target.data()[i] = static_cast<float>(i % classes);
        nn::Sequential net({fc1, fc2});
        std::unique_ptr<optim::MixedPrecisionTrainer> mp;
        if (mixed) mp = std::make_unique<optim::MixedPrecisionTrainer>(net);
        const auto cast = [&](const Tensor& t) { return mp ? mp->cast_activation(t) : t; };
        const auto loss_fn = [&] { return F::cross_entropy((*fc2)(cast(F::relu((*fc1)(cast(x))))), target); };
        optim::SGD opt(mp ? mp->master_parameters() : net.parameters(), {{"lr", 0.1}});
        float loss = 0;
        int skipped = 0;
        const Timer timer(0, 1);
        const double ms = timer
                              .measure([&] {
                                  for (int s = 0; s < steps; ++s) {
                                      if (mp) {
                                          const optim::MixedPrecisionStep r = mp->step(opt, loss_fn);
                                          loss = r.loss;
                                          skipped += r.skipped ? 1 : 0;
                                      } else {
                                          opt.zero_grad();
                                          Tensor l = loss_fn();
                                          loss = l.contiguous().data()[0];
                                          l.backward();
                                          opt.step();
                                      }
                                  }
                              })
                              .median_ms;
        // What one step stores: the weights the passes read, their gradients, the activations between layers.
        const int64_t params = net.parameter_count(), activations = batch * (in + hidden);
        const int64_t width = mixed ? 2 : 4;
        Json r = Json::object();
        r.set("precision", mixed ? "bf16 + fp32 masters" : "fp32")
            .set("final_loss", loss)
            .set("ms_per_step", ms / steps)
            .set("weight_bytes", params * width)
            .set("grad_bytes", params * width)
            .set("activation_bytes", activations * width)
            .set("master_bytes", mixed ? mp->master_bytes() : int64_t(0))
            .set("skipped_steps", skipped);
        rows.push_back(r);
    }
    Json out = Json::object();
    out.set("rows", rows);
    return out;
}

Json profile_ensemble(const ImageDataset& train, const ImageDataset& test, int64_t members, int64_t hidden,
                      int64_t train_count, int64_t test_start, int64_t test_count, int epochs, double sample_seconds) {
    TT_CHECK(members >= 1 && train_count >= 32 && train_count <= train.count && test_start >= 0 && test_count >= 1 &&
                 test_start + test_count <= test.count && train.image_size() == test.image_size(),
             "profile_ensemble: members >= 1, 32 <= train_count <= "
                 << train.count << ", test images within 0 .. " << test.count << ", the same image size in both sets");
    const std::string arch = "flatten linear:" + std::to_string(train.image_size()) + ":" + std::to_string(hidden) +
        " relu linear:" + std::to_string(hidden) + ":" + std::to_string(train.num_classes);
    const Shape image = {train.channels, train.height, train.width};
    Tensor tx({test_count, image[0], image[1], image[2]}), ty({test_count});
    test.to_float(test_start, test_count, tx.data());
    for (int64_t i = 0; i < test_count; ++i) ty.data()[i] = static_cast<float>(test.label(test_start + i));
    std::vector<std::shared_ptr<nn::Module>> nets;
    std::vector<double> alone;
    const int64_t B = 32;
    for (int64_t m = 0; m < members; ++m) {
        Generator g(static_cast<uint64_t>(100 + m));
        std::shared_ptr<nn::Sequential> net = build_classifier(arch, g);
        optim::SGD opt(net->parameters(), {{"lr", 0.1}, {"momentum", 0.9}});
        Tensor xb({B, image[0], image[1], image[2]}), yb({B});
        std::vector<int64_t> order(static_cast<size_t>(train_count));
        for (int e = 0; e < epochs; ++e) {
            for (int64_t i = 0; i < train_count; ++i) order[static_cast<size_t>(i)] = i;
            for (int64_t i = train_count - 1; i > 0; --i)  // Fisher-Yates with this member's generator
                std::swap(order[static_cast<size_t>(i)],
                          order[static_cast<size_t>(static_cast<int64_t>(g.next_u32() % uint32_t(i + 1)))]);
            for (int64_t s = 0; s + B <= train_count; s += B) {
                train.gather_float(order.data() + s, B, xb.data());
                for (int64_t i = 0; i < B; ++i)
                    yb.data()[i] = static_cast<float>(train.label(order[static_cast<size_t>(s + i)]));
                opt.zero_grad();
                Tensor loss = F::cross_entropy((*net)(xb), yb);
                loss.backward();
                opt.step();
            }
        }
        {
            autograd::NoGrad no_grad;
            alone.push_back(nn::accuracy(net->forward(tx), ty));
        }
        nets.push_back(net);
    }
    Ensemble ensemble(nets);
    const std::vector<EnsemblePoint> curve = ensemble_curve(ensemble, tx, ty, sample_seconds);
    Json rows = Json::array();
    for (const EnsemblePoint& p : curve) {
        Json r = Json::object();
        r.set("members", p.members)
            .set("accuracy", p.accuracy)
            .set("ms_per_example", p.ms_per_example)
            .set("parameter_bytes", p.parameter_bytes)
            .set("member_accuracy", alone[static_cast<size_t>(p.members - 1)]);
        rows.push_back(r);
    }
    Json out = Json::object();
    out.set("architecture", arch).set("rows", rows);
    return out;
}

}  // namespace tt
