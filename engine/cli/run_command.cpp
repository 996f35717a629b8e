#include "cli/commands.h"

#include "common/dtype_names.h"
#include "common/error.h"
#include "common/output_paths.h"
#include "common/utf8_text.h"
#include "convert/padded_run.h"
#include "convert/sparse_attention_record.h"
#include "io/safetensors.h"
#include "model/encoder_model.h"

#include <nlohmann/json.hpp>

#include <ostream>

namespace spw::cli {
namespace {

// Reads --inputs: input_ids (I64 [B, L]), optional attention_mask (I64/I32/I8/U8/BOOL/F32, [B, L]) and
// token_type_ids (I64 [B, L]); any other tensor is a mistake worth naming.
ModelInputs readInputs(const std::string& path)
{
    std::map<std::string, at::Tensor> tensors = loadSafetensors(path);
    ModelInputs inputs;
    for (const auto& [name, tensor] : tensors) {
        if (name == "input_ids") {
            if (tensor.scalar_type() != at::kLong || tensor.dim() != 2)
                fail("{}: input_ids must be I64 [batch, length]", path);
            inputs.inputIds = tensor;
        } else if (name == "attention_mask") {
            if (at::isComplexType(tensor.scalar_type()) || tensor.scalar_type() == at::kHalf
                || tensor.scalar_type() == at::kBFloat16 || tensor.dim() != 2)
                fail("{}: attention_mask must be an integer, bool or F32 [batch, length] tensor", path);
            if (tensor.numel() > 0 && (tensor.ne(0) & tensor.ne(1)).any().item<bool>())
                fail("{}: attention_mask must hold only 0 and 1", path);
            inputs.attentionMask = tensor;
        } else if (name == "token_type_ids") {
            if (tensor.scalar_type() != at::kLong)
                fail("{}: token_type_ids must be I64", path);
            inputs.tokenTypeIds = tensor;
        } else {
            fail("{}: unexpected tensor '{}' (input_ids, attention_mask, token_type_ids)", path, name);
        }
    }
    if (!inputs.inputIds.defined())
        fail("{}: missing tensor input_ids", path);
    return inputs;
}

} // namespace

Command runCommand()
{
    CommandSpec spec {
        "run",
        "Run a model's forward pass on inputs from a safetensors file; write its outputs as F32 safetensors",
        "DIR",
        1,
        1,
        {
            { "inputs", "IN.safetensors", "input_ids (I64 [B, L]), optional attention_mask, token_type_ids" },
            { "output", "OUT.safetensors",
                "last_hidden_state, pooler_output (with a pooler), logits (with a head); outside DIR" },
            { "device", "cpu|cuda", "where to compute (default cpu)" },
            { "dtype", "float32|float16|bfloat16", "compute dtype on CUDA (CPU always computes in float32)" },
        },
    };
    return { spec, [](const Arguments& args, std::ostream& out, std::ostream&) {
                const std::string directory = args.positional().front();
                const std::string inputsPath = args.required("inputs");
                const std::string outputPath = args.required("output");
                // The output replaces what is at its path: never a file of the model or the inputs.
                checkOutputOutside(outputPath, "--output", directory, "the model folder");
                checkOutputOutside(outputPath, "--output", inputsPath, "the --inputs file");
                LoadOptions options;
                if (args.choice("device", { "cpu", "cuda" }, "cpu") == "cuda") {
                    if (!at::hasCUDA())
                        failEnvironment("--device cuda: no CUDA device is available to this build");
                    options.device = at::Device(at::kCUDA, 0);
                }
                options.dtype = dtypeFromName(args.choice("dtype", { "float32", "float16", "bfloat16" }, "float32"));
                ModelInputs inputs = readInputs(inputsPath);
                // A converted folder brings its sparse attention back; inputs are then padded to the block and the
                // outputs cut back to the input's length.
                std::unique_ptr<EncoderModel> model = loadForRun(directory, options);
                ModelOutputs outputs = runPadded(*model, inputs);
                std::map<std::string, at::Tensor> tensors;
                auto keep = [&](const char* name, const at::Tensor& tensor) {
                    tensors[name] = tensor.to(at::kCPU, at::kFloat).contiguous();
                };
                keep("last_hidden_state", outputs.lastHiddenState);
                if (outputs.poolerOutput)
                    keep("pooler_output", *outputs.poolerOutput);
                if (outputs.logits)
                    keep("logits", *outputs.logits);
                saveSafetensors(outputPath, tensors);
                nlohmann::json summary = nlohmann::json::object();
                for (const auto& [name, tensor] : tensors)
                    summary[name] = tensor.sizes().vec();
                out << nlohmann::json { { "output", validUtf8(outputPath) }, { "tensors", summary } }.dump(2) << '\n';
                return 0;
            } };
}

} // namespace spw::cli
