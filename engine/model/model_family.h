#pragma once
// The two encoder families the workbench handles. They differ in position ids (RoBERTa offsets them past the
// padding index), the position table's reserved rows, token types, and their tokenizers.
namespace spw {

enum class ModelFamily { Bert, Roberta };

} // namespace spw
