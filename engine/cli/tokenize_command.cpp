// tokenize DIR TEXT [--pair TEXT_B] [--max-length N] [--padding]: the ids transformers' AutoTokenizer gives for
// the folder's tokenizer, special tokens included, as JSON on stdout.
#include "cli/commands.h"
#include "common/error.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_files.h"

#include <limits>
#include <ostream>

namespace spw::cli {
namespace {

// The encoding as one JSON object, written straight to `out`: a copy as a JSON value would take twice the memory of
// the encoding itself, which --padding makes as long as the user asks (Tokenizer::encode refuses what cannot fit).
void writeEncoding(const Encoding& encoding, std::ostream& out)
{
    auto writeArray = [&out](const char* key, const auto& values, auto writeValue) {
        out << '"' << key << "\":[";
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i > 0)
                out << ',';
            writeValue(values[i]);
        }
        out << ']';
    };
    auto writeNumber = [&out](std::int64_t value) { out << value; };
    out << '{';
    writeArray("attention_mask", encoding.attentionMask, writeNumber);
    out << ',';
    writeArray("input_ids", encoding.ids, writeNumber);
    out << ',';
    writeArray("token_type_ids", encoding.typeIds, writeNumber);
    out << ',';
    writeArray("tokens", encoding.tokens, [&out](const std::string& token) { out << jsonQuoted(token); });
    out << "}\n";
}

} // namespace

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
        const Encoding encoding = tokenizer->encode(args.positional()[1], args.value("pair"), options);
        writeEncoding(encoding, out);
        return 0;
    };
    return { spec, run };
}

} // namespace spw::cli
