#include "model/sparse_attention_setting.h"

#include "common/error.h"

namespace spw {

std::int64_t sparseLayoutLength(const ModelConfig& model, int block)
{
    if (block <= 0)
        fail("sparse attention: \"block\" must be positive (got {})", block);
    return (model.usableMaxLength() + block - 1) / block * block;
}

std::shared_ptr<const Layout> SparseAttentionSetting::cornerFor(int numBlocks) const
{
    std::lock_guard<std::mutex> lock(m_cornersMutex);
    auto& corner = m_corners[numBlocks];
    if (!corner)
        corner = numBlocks == layout.numBlocks ? std::make_shared<const Layout>(layout)
                                               : std::make_shared<const Layout>(layout.topLeft(numBlocks));
    return corner;
}

std::shared_ptr<const SparseAttentionSetting> makeSparseAttentionSetting(
    const SparsityConfig& config, std::uint64_t seed, const ModelConfig& model)
{
    if (config.numHeads != 0 && config.numHeads != model.numAttentionHeads)
        fail("sparse attention: \"num_heads\" {} differs from the model's num_attention_heads {}", config.numHeads,
            model.numAttentionHeads);
    auto setting = std::make_shared<SparseAttentionSetting>();
    setting->config = config;
    setting->config.numHeads = int(model.numAttentionHeads);
    setting->config.seed = seed;
    setting->seed = seed;
    setting->layout
        = makeLayout(setting->config, sparseLayoutLength(model, config.block), int(model.numAttentionHeads), seed);
    return setting;
}

} // namespace spw
