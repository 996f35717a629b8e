#include "cli/command_inputs.h"

#include "common/dtype_names.h"
#include "common/error.h"
#include "common/output_paths.h"
#include "common/utf8_text.h"
#include "sparsity/sparsity_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <ostream>
#include <set>

namespace spw::cli {

namespace fs = std::filesystem;

std::vector<ProfileLayout> readLayouts(const std::vector<std::string>& paths, const std::vector<std::string>& reserved)
{
    std::vector<ProfileLayout> layouts;
    std::set<std::string> names(reserved.begin(), reserved.end());
    for (const std::string& path : paths) {
        const std::string stem = validUtf8(fs::path(path).stem().string()); // the name goes into JSON
        std::string name = stem;
        for (int suffix = 2; names.count(name); ++suffix)
            name = fmt::format("{}-{}", stem, suffix);
        names.insert(name);
        layouts.push_back({ name, loadSparsityConfig(path) });
    }
    return layouts;
}

LoadOptions deviceOptions(const Arguments& args, const std::string& command, std::ostream& err)
{
    LoadOptions options;
    if (args.choice("device", { "cpu", "cuda" }, "cpu") == "cuda") {
#ifndef SPW_TORCH_HAS_CUDA
        failEnvironment("{}: --device cuda: this build has no CUDA support (LibTorch without CUDA)", command);
#endif
        if (!at::hasCUDA())
            failEnvironment("{}: --device cuda: no CUDA device is available", command);
        options.device = at::Device(at::kCUDA, 0);
    }
    options.dtype = dtypeFromName(args.choice("dtype", { "float32", "float16", "bfloat16" }, "float32"));
    if (options.device.is_cpu() && options.dtype != at::kFloat)
        err << command << ": --dtype: the CPU computes in float32\n";
    return options;
}

void checkReportsOutsideInputs(const Arguments& args, const std::vector<std::pair<std::string, std::string>>& reports)
{
    std::vector<std::pair<std::string, std::string>> inputs; // path, what it is
    if (!args.positional().empty())
        inputs.emplace_back(args.positional().front(), "the model folder");
    for (const std::string& path : args.values("sparsity"))
        inputs.emplace_back(path, "the --sparsity file");
    if (const auto text = args.value("text"))
        inputs.emplace_back(*text, "the --text input");
    if (const auto text = args.value("quality-text"))
        inputs.emplace_back(*text, "the --quality-text input");
    for (const auto& [flag, report] : reports)
        for (const auto& [path, role] : inputs)
            checkOutputOutside(report, flag, path, role);
}

} // namespace spw::cli
