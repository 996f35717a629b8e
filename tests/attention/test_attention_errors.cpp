// Every mistake in blockSparseAttention()'s arguments is an spw::Error whose message names the tensor at fault.
#include "attention/block_sparse_attention.h"
#include "common/error.h"
#include "dense_reference.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

using namespace spw;
using namespace spw::test;

namespace {

void expectError(const std::function<void()>& call, const std::vector<std::string>& mentions)
{
    try {
        call();
        ADD_FAILURE() << "no spw::Error thrown";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        for (const std::string& mention : mentions)
            EXPECT_NE(message.find(mention), std::string::npos) << "'" << mention << "' not in: " << message;
    }
}

struct Fixture {
    Layout layout = bandLayout(3, 4, 16, 1, false); // seq_len 64, 3 heads
    at::Tensor q = at::randn({ 2, 3, 64, 40 });
    at::Tensor k = at::randn({ 2, 3, 64, 40 });
    at::Tensor v = at::randn({ 2, 3, 64, 40 });
};

} // namespace

TEST(AttentionErrors, QueryKeyValueShapes)
{
    Fixture f;
    expectError([&] { blockSparseAttention(f.q[0], f.k, f.v, f.layout); }, { "query", "[3, 64, 40]" });
    expectError([&] { blockSparseAttention(f.q, f.k.narrow(3, 0, 32), f.v, f.layout); }, { "key", "[2, 3, 64, 32]" });
    expectError([&] { blockSparseAttention(f.q, f.k, f.v.narrow(0, 0, 1), f.layout); }, { "value" });
    expectError([&] { blockSparseAttention(f.q, f.k, at::Tensor(), f.layout); }, { "value", "undefined" });
}

TEST(AttentionErrors, Dtypes)
{
    Fixture f;
    expectError([&] { blockSparseAttention(f.q, f.k.to(at::kDouble), f.v, f.layout); }, { "key", "dtype" });
    expectError([&] { blockSparseAttention(f.q.to(at::kLong), f.k.to(at::kLong), f.v.to(at::kLong), f.layout); },
        { "query", "dtype" });
}

TEST(AttentionErrors, SequenceLengthMustMatchLayout)
{
    Fixture f;
    const at::Tensor q = at::randn({ 2, 3, 48, 40 });
    expectError([&] { blockSparseAttention(q, q, q, f.layout); }, { "query", "seq_len", "48", "64" });
}

TEST(AttentionErrors, HeadsMustMatchLayout)
{
    Fixture f;
    const at::Tensor q = at::randn({ 2, 4, 64, 40 });
    expectError([&] { blockSparseAttention(q, q, q, f.layout); }, { "query", "4 heads", "num_heads 3" });
}

TEST(AttentionErrors, MalformedLayout)
{
    Fixture f;
    Layout broken = f.layout;
    broken.mask.pop_back();
    expectError([&] { blockSparseAttention(f.q, f.k, f.v, broken); }, { "layout" });
    Layout noBlock = f.layout;
    noBlock.block = 0;
    expectError([&] { blockSparseAttention(f.q, f.k, f.v, noBlock); }, { "layout", "block" });
}

TEST(AttentionErrors, MaskShapes)
{
    Fixture f;
    AttentionMasks padding;
    padding.keyPadding = at::zeros({ 2, 1, 1, 64 }); // HuggingFace's extended shape is not accepted: [B, L] only
    expectError([&] { blockSparseAttention(f.q, f.k, f.v, f.layout, padding); },
        { "key_padding_mask", "[2, 64]", "[2, 1, 1, 64]" });
    padding.keyPadding = at::zeros({ 3, 64 });
    expectError([&] { blockSparseAttention(f.q, f.k, f.v, f.layout, padding); }, { "key_padding_mask", "[3, 64]" });
    AttentionMasks attention;
    attention.attention = at::ones({ 64, 32 });
    expectError([&] { blockSparseAttention(f.q, f.k, f.v, f.layout, attention); }, { "attn_mask", "[64, 64]" });
    attention.attention = at::Tensor();
    expectError([&] { blockSparseAttention(f.q, f.k, f.v, f.layout, attention); }, { "attn_mask", "undefined" });
}
