// padToBlockSize / unpadSequenceOutput against DeepSpeed's SparseAttentionUtils.pad_to_block_size rules:
// pad_len = (block - L % block) % block on the right; input_ids and position_ids with pad_token_id,
// attention_mask and token_type_ids with 0, inputs_embeds with the pad tokens' embedding.
#include "common/error.h"
#include "convert/padding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace spw;

namespace {

at::Tensor longs(std::vector<std::int64_t> values, std::int64_t rows)
{
    return at::tensor(values, at::kLong).view({ rows, -1 });
}

void expectEqual(const at::Tensor& actual, const at::Tensor& expected)
{
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_TRUE(at::equal(actual, expected)) << actual << "\nexpected\n" << expected;
}

std::string errorOf(const std::function<void()>& call)
{
    try {
        call();
    } catch (const Error& error) {
        return error.what();
    }
    return "no error";
}

} // namespace

TEST(Padding, PadsEveryTokenTensorAsDeepSpeed)
{
    PaddingInputs in;
    in.inputIds = longs({ 101, 7, 8, 102, 0, 101, 9, 102, 0, 0 }, 2); // L = 5
    in.attentionMask = longs({ 1, 1, 1, 1, 0, 1, 1, 1, 0, 0 }, 2);
    in.tokenTypeIds = longs({ 0, 0, 1, 1, 1, 0, 0, 0, 0, 0 }, 2);
    in.positionIds = longs({ 0, 1, 2, 3, 4 }, 1); // [1, L], broadcast over the batch as HuggingFace does
    const PaddedInputs out = padToBlockSize(4, 0, in);
    EXPECT_EQ(out.padLength, 3);
    expectEqual(*out.inputs.inputIds, longs({ 101, 7, 8, 102, 0, 0, 0, 0, 101, 9, 102, 0, 0, 0, 0, 0 }, 2));
    expectEqual(*out.inputs.attentionMask, longs({ 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0 }, 2));
    expectEqual(*out.inputs.tokenTypeIds, longs({ 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 2));
    expectEqual(*out.inputs.positionIds, longs({ 0, 1, 2, 3, 4, 0, 0, 0 }, 1));
    EXPECT_FALSE(out.inputs.inputsEmbeds);
}

TEST(Padding, PositionIdsAndInputIdsUseThePadTokenId)
{
    // RoBERTa: pad_token_id 1.
    PaddingInputs in;
    in.inputIds = longs({ 0, 31414, 2 }, 1);
    in.positionIds = longs({ 2, 3, 4 }, 1);
    in.attentionMask = at::ones({ 1, 3 }, at::kBool);
    const PaddedInputs out = padToBlockSize(16, 1, in);
    EXPECT_EQ(out.padLength, 13);
    EXPECT_EQ(out.inputs.inputIds->size(1), 16);
    EXPECT_TRUE(at::equal(out.inputs.inputIds->narrow(1, 3, 13), at::ones({ 1, 13 }, at::kLong)));
    EXPECT_TRUE(at::equal(out.inputs.positionIds->narrow(1, 3, 13), at::ones({ 1, 13 }, at::kLong)));
    EXPECT_EQ(out.inputs.attentionMask->scalar_type(), at::kBool);
    EXPECT_EQ(out.inputs.attentionMask->sum().item<std::int64_t>(), 3);
    EXPECT_FALSE(out.inputs.tokenTypeIds);
}

TEST(Padding, MultipleOfBlockIsUnchanged)
{
    PaddingInputs in;
    in.inputIds = longs({ 5, 6, 7, 8, 9, 10, 11, 12 }, 1);
    in.attentionMask = at::ones({ 1, 8 }, at::kLong);
    const PaddedInputs out = padToBlockSize(4, 0, in);
    EXPECT_EQ(out.padLength, 0);
    EXPECT_TRUE(out.inputs.inputIds->is_same(*in.inputIds));
    EXPECT_TRUE(out.inputs.attentionMask->is_same(*in.attentionMask));
}

TEST(Padding, InputsEmbedsFromCallable)
{
    PaddingInputs in;
    in.inputsEmbeds = at::randn({ 3, 6, 4 });
    in.attentionMask = at::ones({ 3, 6 }, at::kLong);
    at::Tensor seenIds;
    PadTokenEmbedding source;
    source.embed = [&](const at::Tensor& ids) {
        seenIds = ids;
        return ids.to(at::kFloat).unsqueeze(-1).expand({ ids.size(0), ids.size(1), 4 }) * 0.5;
    };
    const PaddedInputs out = padToBlockSize(8, 3, in, source);
    EXPECT_EQ(out.padLength, 2);
    expectEqual(seenIds, at::full({ 3, 2 }, 3, at::kLong));
    ASSERT_EQ(out.inputs.inputsEmbeds->sizes(), (std::vector<std::int64_t> { 3, 8, 4 }));
    EXPECT_TRUE(at::equal(out.inputs.inputsEmbeds->narrow(1, 0, 6), *in.inputsEmbeds));
    EXPECT_TRUE(at::equal(out.inputs.inputsEmbeds->narrow(1, 6, 2), at::full({ 3, 2, 4 }, 1.5)));
}

TEST(Padding, InputsEmbedsFromVector)
{
    PaddingInputs in;
    in.inputsEmbeds = at::randn({ 2, 3, 5 }, at::kDouble);
    PadTokenEmbedding source;
    source.vector = at::arange(5, at::kFloat);
    const PaddedInputs out = padToBlockSize(4, 0, in, source);
    EXPECT_EQ(out.padLength, 1);
    EXPECT_EQ(out.inputs.inputsEmbeds->scalar_type(), at::kDouble);
    EXPECT_TRUE(
        at::equal(out.inputs.inputsEmbeds->select(1, 3), at::arange(5, at::kDouble).unsqueeze(0).expand({ 2, 5 })));
}

TEST(Padding, Errors)
{
    PaddingInputs none;
    EXPECT_NE(errorOf([&] { padToBlockSize(4, 0, none); }).find("input_ids or inputs_embeds"), std::string::npos);

    PaddingInputs embeds;
    embeds.inputsEmbeds = at::randn({ 1, 3, 5 });
    EXPECT_NE(errorOf([&] { padToBlockSize(4, 0, embeds); }).find("pad token embedding"), std::string::npos);
    PadTokenEmbedding wrongVector;
    wrongVector.vector = at::zeros({ 4 });
    EXPECT_NE(errorOf([&] { padToBlockSize(4, 0, embeds, wrongVector); }).find("[5]"), std::string::npos);
    PadTokenEmbedding wrongCallable;
    wrongCallable.embed = [](const at::Tensor& ids) { return at::zeros({ ids.size(0), ids.size(1) }); };
    EXPECT_NE(errorOf([&] { padToBlockSize(4, 0, embeds, wrongCallable); }).find("callable"), std::string::npos);

    PaddingInputs mismatched;
    mismatched.inputIds = at::zeros({ 2, 5 }, at::kLong);
    mismatched.attentionMask = at::ones({ 2, 4 }, at::kLong);
    EXPECT_NE(errorOf([&] { padToBlockSize(4, 0, mismatched); }).find("attention_mask"), std::string::npos);
    mismatched.attentionMask.reset();
    mismatched.tokenTypeIds = at::zeros({ 3, 5 }, at::kLong);
    EXPECT_NE(errorOf([&] { padToBlockSize(4, 0, mismatched); }).find("token_type_ids"), std::string::npos);
    mismatched.tokenTypeIds.reset();
    mismatched.positionIds = at::zeros({ 5 }, at::kLong);
    EXPECT_NE(errorOf([&] { padToBlockSize(4, 0, mismatched); }).find("position_ids"), std::string::npos);
    mismatched.positionIds.reset();
    mismatched.inputsEmbeds = at::zeros({ 2, 6, 3 });
    EXPECT_NE(errorOf([&] { padToBlockSize(4, 0, mismatched); }).find("inputs_embeds"), std::string::npos);

    PaddingInputs ids;
    ids.inputIds = at::zeros({ 5 }, at::kLong);
    EXPECT_NE(errorOf([&] { padToBlockSize(4, 0, ids); }).find("input_ids"), std::string::npos);
    ids.inputIds = at::zeros({ 1, 5 }, at::kLong);
    EXPECT_NE(errorOf([&] { padToBlockSize(0, 0, ids); }).find("block"), std::string::npos);
}

TEST(Unpad, CutsThePaddingBack)
{
    const at::Tensor output = at::randn({ 2, 8, 3 });
    const at::Tensor cut = unpadSequenceOutput(3, output);
    ASSERT_EQ(cut.sizes(), (std::vector<std::int64_t> { 2, 5, 3 }));
    EXPECT_TRUE(at::equal(cut, output.narrow(1, 0, 5)));
    EXPECT_TRUE(unpadSequenceOutput(0, output).is_same(output));
    EXPECT_NE(errorOf([&] { unpadSequenceOutput(9, output); }).find("shorter"), std::string::npos);
    EXPECT_NE(errorOf([&] { unpadSequenceOutput(-1, output); }).find("negative"), std::string::npos);
}

TEST(Unpad, RoundTripWithPadding)
{
    PaddingInputs in;
    in.inputIds = at::randint(5, 100, { 2, 13 }, at::kLong);
    const PaddedInputs padded = padToBlockSize(16, 0, in);
    EXPECT_EQ(padded.inputs.inputIds->size(1) % 16, 0);
    EXPECT_TRUE(at::equal(unpadSequenceOutput(padded.padLength, *padded.inputs.inputIds), *in.inputIds));
}
