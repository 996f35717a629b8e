#include "convert/position_extension.h"

#include "common/error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <sstream>

namespace spw {

namespace {

void checkExtension(const at::Tensor& table, std::int64_t reservedRows, std::int64_t newMaxLength)
{
    if (!table.defined() || table.dim() != 2) {
        std::ostringstream shape;
        if (table.defined())
            shape << table.sizes();
        fail("position extension: the position embedding table must be [max_position_embeddings, hidden], got {}",
            table.defined() ? shape.str() : std::string("an undefined tensor"));
    }
    const std::int64_t rows = table.size(0);
    const std::int64_t usable = rows - reservedRows;
    if (usable <= 0)
        fail("position extension: the table needs more rows than the {} reserved before the first position "
             "(max_position_embeddings {})",
            reservedRows, rows);
    if (newMaxLength <= usable)
        fail("position extension: the new maximum length {} must exceed the current maximum {} "
             "(max_position_embeddings {})",
            newMaxLength, usable, rows);
}

} // namespace

at::Tensor extendPositionTable(const at::Tensor& table, std::int64_t reservedRows, std::int64_t newMaxLength)
{
    checkExtension(table, reservedRows, newMaxLength);
    const std::int64_t usable = table.size(0) - reservedRows;
    const at::Tensor repeated = at::arange(newMaxLength, at::kLong).remainder(usable).add_(reservedRows);
    const at::Tensor index = reservedRows > 0 ? at::cat({ at::arange(reservedRows, at::kLong), repeated }) : repeated;
    return table.index_select(0, index.to(table.device()));
}

at::Tensor extendPositionTableRandomly(
    const at::Tensor& table, std::int64_t reservedRows, std::int64_t newMaxLength, double std, std::uint64_t seed)
{
    checkExtension(table, reservedRows, newMaxLength);
    const std::int64_t newRows = reservedRows + newMaxLength - table.size(0);
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const at::Tensor drawn = at::normal(0.0, std, { newRows, table.size(1) }, generator, at::TensorOptions(at::kFloat));
    return at::cat({ table, drawn.to(table.device(), table.scalar_type()) });
}

} // namespace spw
