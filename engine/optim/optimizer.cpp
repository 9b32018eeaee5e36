#include "optimizer.h"

#include <cmath>
#include <utility>

#include "error.h"

namespace tt::optim {

namespace {

std::string option_names(const Options& options) {
    std::string out;
    for (auto& [key, value] : options) out += (out.empty() ? "" : ", ") + key;
    return out;
}

// "12" -> 12; anything but plain digits -> -1 (no std::stoll: it throws, and the student build has no exceptions).
int64_t parse_index(const std::string& text) {
    if (text.empty() || text.size() > 9) return -1;
    int64_t n = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return -1;
        n = n * 10 + (c - '0');
    }
    return n;
}

// "state.3.exp_avg" -> {"state", "3", "exp_avg"}: the option or buffer name is everything after the second dot.
std::vector<std::string> split_key(const std::string& key) {
    size_t a = key.find('.');
    if (a == std::string::npos) return {key};
    size_t b = key.find('.', a + 1);
    if (b == std::string::npos) return {key.substr(0, a), key.substr(a + 1)};
    return {key.substr(0, a), key.substr(a + 1, b - a - 1), key.substr(b + 1)};
}

}  // namespace

double ParamGroup::get(const std::string& key) const {
    auto it = options.find(key);
    TT_CHECK(it != options.end(),
             "param group has no option '" << key << "' (it has: " << option_names(options) << ")");
    return it->second;
}

Tensor& ParamState::buffer(const std::string& name) {
    auto it = buffers.find(name);
    TT_CHECK(it != buffers.end(),
             "optimizer state has no buffer '" << name << "' yet (buffers are created on a parameter's first step)");
    return it->second;
}

Optimizer::Optimizer(std::string name, std::vector<ParamGroup> groups, const Options& defaults, const Options& options)
    : name_(std::move(name)), defaults_(defaults) {
    for (auto& [key, value] : options) {
        TT_CHECK(defaults.count(key) != 0,
                 name_ << ": unknown option '" << key << "' (" << name_ << " has: " << option_names(defaults) << ")");
        defaults_[key] = value;
    }
    TT_CHECK(!groups.empty(), name_ << ": got an empty list of parameters or param groups");
    for (auto& group : groups) groups_.push_back(prepare_group(std::move(group)));
}

// Fills in the group's missing options and checks its parameters; the update rule's own checks come after.
ParamGroup Optimizer::prepare_group(ParamGroup group) const {
    const size_t g = groups_.size();
    TT_CHECK(!group.params.empty(), name_ << ": param group " << g << " has no parameters");
    for (auto& [key, value] : group.options)
        TT_CHECK(defaults_.count(key) != 0 || key == "initial_lr",
                 name_ << ": param group " << g << " has an unknown option '" << key << "' (" << name_
                       << " has: " << option_names(defaults_) << ")");
    for (auto& [key, value] : defaults_) group.options.emplace(key, value);  // emplace keeps the group's own
    for (size_t i = 0; i < group.params.size(); ++i) {
        const nn::Parameter* p = group.params[i];
        TT_CHECK(p != nullptr, name_ << ": param group " << g << " holds a null parameter (index " << i << ")");
        // One parameter in two places would be updated twice per step with two sets of state.
        for (size_t j = 0; j < i; ++j)
            TT_CHECK(group.params[j] != p,
                     name_ << ": param group " << g << " lists a parameter twice (indices " << j << " and " << i
                           << ")");
        for (size_t other = 0; other < groups_.size(); ++other)
            for (const nn::Parameter* q : groups_[other].params)
                TT_CHECK(q != p,
                         name_ << ": a parameter of param group " << g << " is already in param group " << other
                               << " (a parameter may belong to one group only)");
    }
    return group;
}

void Optimizer::add_param_group(ParamGroup group) {
    ParamGroup prepared = prepare_group(std::move(group));
    check_group(prepared);  // before adding: a rejected group must leave the optimizer as it was
    groups_.push_back(std::move(prepared));
}

void Optimizer::check_groups() const {
    for (const ParamGroup& group : groups_) check_group(group);
}

void Optimizer::check_param(const nn::Parameter& p) const {
    TT_CHECK(p.value.defined() && p.value.is_contiguous(),
             name_ << ": a parameter's value must be a contiguous tensor");
    TT_CHECK(p.grad.defined() && p.grad.shape() == p.value.shape() && p.grad.is_contiguous(),
             name_ << ": a parameter of shape " << p.value.shape() << " has a grad of shape "
                   << (p.grad.defined() ? p.grad.shape() : Shape{}) << " (a contiguous grad of the same shape needed)");
}

void Optimizer::zero_grad() {
    // fill_ writes into the existing storage. Assigning a fresh zeros tensor instead would leave every other holder
    // of the old grad (a layer's reference, a view, autograd's accumulator) with the stale values.
    for (ParamGroup& group : groups_)
        for (nn::Parameter* p : group.params) p->grad.fill_(0.0f);
}

StateDict Optimizer::state_dict() const {
    StateDict out;
    int64_t index = 0;
    for (size_t g = 0; g < groups_.size(); ++g) {
        const ParamGroup& group = groups_[g];
        const std::string prefix = "param_groups." + std::to_string(g) + ".";
        for (auto& [key, value] : group.options) out[prefix + key] = scalar(static_cast<float>(value));
        std::vector<float> ids;
        for (const nn::Parameter* p : group.params) {
            ids.push_back(static_cast<float>(index));
            auto it = state_.find(p);
            if (it != state_.end()) {
                const std::string s = "state." + std::to_string(index) + ".";
                for (auto& [name, t] : it->second.buffers) out[s + name] = t.clone();
                if (it->second.step > 0) out[s + "step"] = scalar(static_cast<float>(it->second.step));
            }
            ++index;
        }
        out[prefix + "params"] = Tensor({static_cast<int64_t>(ids.size())}, ids);
    }
    return out;
}

void Optimizer::load_state_dict(const StateDict& sd) {
    std::vector<const nn::Parameter*> params;  // by the state dict's numbering: group order
    for (const ParamGroup& group : groups_) params.insert(params.end(), group.params.begin(), group.params.end());
    const std::vector<std::string> buffers = buffer_names();
    std::vector<ParamGroup> new_groups = groups_;
    std::vector<bool> group_seen(groups_.size(), false);
    std::map<const nn::Parameter*, ParamState> new_state;

    // First pass: read everything into copies, checking as we go; the optimizer itself is not touched yet.
    for (auto& [key, value] : sd) {
        std::vector<std::string> part = split_key(key);
        const int64_t i = part.size() == 3 ? parse_index(part[1]) : -1;
        TT_CHECK((part[0] == "state" || part[0] == "param_groups") && i >= 0,
                 "load_state_dict: unexpected key '" << key << "' (an optimizer's state dict has keys "
                                                     << "state.<i>.<name> and param_groups.<g>.<name>)");
        if (part[0] == "param_groups") {
            TT_CHECK(i < static_cast<int64_t>(groups_.size()),
                     "load_state_dict: '" << key << "' is for param group " << i << ", but this " << name_ << " has "
                                          << groups_.size() << " group(s)");
            ParamGroup& group = new_groups[i];
            if (part[2] == "params") {
                TT_CHECK(value.numel() == static_cast<int64_t>(group.params.size()),
                         "load_state_dict: param group " << i << " has " << value.numel()
                                                         << " parameter(s) in the state dict, this " << name_ << " has "
                                                         << group.params.size());
                group_seen[i] = true;
            } else {
                TT_CHECK(defaults_.count(part[2]) != 0 || part[2] == "initial_lr",
                         "load_state_dict: unexpected key '" << key << "' (not an option of " << name_ << ": "
                                                             << option_names(defaults_) << ")");
                TT_CHECK(value.numel() == 1,
                         "load_state_dict: '" << key << "' must hold one number, it has shape " << value.shape());
                group.options[part[2]] = value.item();
            }
        } else {
            TT_CHECK(i < static_cast<int64_t>(params.size()),
                     "load_state_dict: '" << key << "' is for parameter " << i << ", but this " << name_ << " has "
                                          << params.size() << " parameter(s)");
            const nn::Parameter* p = params[i];
            if (part[2] == "step") {
                TT_CHECK(value.numel() == 1 && value.item() >= 0 && value.item() == std::floor(value.item()),
                         "load_state_dict: '" << key << "' must be one whole number >= 0");
                new_state[p].step = static_cast<int64_t>(value.item());
            } else {
                bool known = false;
                for (const std::string& b : buffers) known = known || b == part[2];
                std::string names;
                for (const std::string& b : buffers) names += (names.empty() ? "" : ", ") + b;
                TT_CHECK(known,
                         "load_state_dict: unexpected key '" << key << "' (" << name_ << " keeps "
                                                             << (names.empty() ? "no buffers" : names) << ")");
                TT_CHECK(value.shape() == p->value.shape(),
                         "load_state_dict: '" << key << "' has shape " << value.shape() << " in the state dict, "
                                              << "parameter " << i << " has shape " << p->value.shape());
                Tensor copy(value.shape());  // a fresh contiguous copy: later steps must not write into `sd`
                copy.copy_(value);
                new_state[p].buffers[part[2]] = copy;
            }
        }
    }
    for (size_t g = 0; g < groups_.size(); ++g)
        TT_CHECK(group_seen[g],
                 "load_state_dict: missing key 'param_groups." << g << ".params' (this " << name_ << " has "
                                                               << groups_.size() << " param group(s))");
    for (const ParamGroup& group : new_groups) check_group(group);

    // Second pass: nothing can fail any more.
    for (size_t g = 0; g < groups_.size(); ++g) groups_[g].options = new_groups[g].options;
    state_ = std::move(new_state);
}

int64_t Optimizer::state_bytes() const {
    int64_t n = 0;
    for (auto& [p, st] : state_)
        for (auto& [name, t] : st.buffers) n += t.nbytes();
    return n;
}

int64_t Optimizer::param_bytes() const {
    int64_t n = 0;
    for (const ParamGroup& group : groups_)
        for (const nn::Parameter* p : group.params) n += p->value.nbytes();
    return n;
}

}  // namespace tt::optim
