#include "convert/position_extension.h"

#include "common/error.h"

#include <sstream>

namespace spw {
namespace {

// RoBERTa's position ids start at padding_idx + 1 = 2: rows 0 and 1 are never a real position.
constexpr std::int64_t kRobertaReservedRows = 2;

} // namespace

at::Tensor extendPositionTable(const at::Tensor& table, ModelFamily family, std::int64_t newMaxLength)
{
    if (!table.defined() || table.dim() != 2) {
        std::ostringstream shape;
        if (table.defined())
            shape << table.sizes();
        fail("position extension: the position embedding table must be [max_position_embeddings, hidden], got {}",
            table.defined() ? shape.str() : std::string("an undefined tensor"));
    }
    const std::int64_t rows = table.size(0);
    const std::int64_t reserved = family == ModelFamily::Roberta ? kRobertaReservedRows : 0;
    const std::int64_t usable = rows - reserved;
    if (usable <= 0)
        fail("position extension: a RoBERTa position table needs more than {} rows (max_position_embeddings {})",
            reserved, rows);
    if (newMaxLength <= usable)
        fail("position extension: the new maximum length {} must exceed the current maximum {} "
             "(max_position_embeddings {})",
            newMaxLength, usable, rows);

    const at::Tensor repeated = at::arange(newMaxLength, at::kLong).remainder(usable).add_(reserved);
    const at::Tensor index = reserved > 0 ? at::cat({ at::arange(reserved, at::kLong), repeated }) : repeated;
    return table.index_select(0, index.to(table.device()));
}

std::int64_t extendedMaxPositionEmbeddings(ModelFamily family, std::int64_t newMaxLength)
{
    return family == ModelFamily::Roberta ? newMaxLength + kRobertaReservedRows : newMaxLength;
}

} // namespace spw
