// tokenize DIR TEXT [--pair TEXT_B] [--max-length N] [--padding]: the ids transformers' AutoTokenizer gives for
// the folder's tokenizer, special tokens included, as JSON on stdout.
#include "cli/commands.h"
#include "common/error.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <ostream>

namespace spw::cli {

Command tokenizeCommand()
{
    CommandSpec spec;
    spec.name = "tokenize";
    spec.summary = "Tokenize a text (or a pair) with a checkpoint folder's tokenizer";
    spec.positionalUsage = "DIR TEXT";
    spec.minPositional = 2;
    spec.maxPositional = 2;
    spec.options = {
        { "pair", "TEXT_B", "second text of a pair ([CLS] A [SEP] B [SEP] / <s> A </s></s> B </s>)" },
        { "max-length", "N", "truncate to N tokens, special tokens included (longest first)" },
        { "padding", "", "pad to --max-length (or the tokenizer's model_max_length)" },
    };
    auto run = [](const Arguments& args, std::ostream& out, std::ostream&) {
        const std::string& directory = args.positional()[0];
        auto tokenizer = Tokenizer::load(directory);
        EncodeOptions options;
        options.maxLength = args.integer("max-length", 1, std::numeric_limits<std::int32_t>::max());
        if (args.has("padding"))
            options.padding = Padding::MaxLength;
        Encoding encoding = tokenizer->encode(args.positional()[1], args.value("pair"), options);
        nlohmann::json result = { { "input_ids", encoding.ids }, { "tokens", encoding.tokens },
            { "token_type_ids", encoding.typeIds }, { "attention_mask", encoding.attentionMask } };
        out << result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        return 0;
    };
    return { spec, run };
}

} // namespace spw::cli
